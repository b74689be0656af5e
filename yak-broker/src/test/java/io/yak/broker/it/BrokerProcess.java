package io.yak.broker.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker running as a real process from the shaded jar ({@code -Dyak.broker.jar}, set by failsafe), so tests
 * can SIGKILL it. Its output goes to a log file that stays in the test directory.
 */
final class BrokerProcess implements AutoCloseable {
    private final Path config;
    private final Path logFile;
    private Process process;
    private int starts;

    BrokerProcess(Path dir, int brokerId, String coordinator, Path dataDir) throws IOException {
        this.config = dir.resolve("broker-" + brokerId + ".properties");
        this.logFile = dir.resolve("broker-" + brokerId + ".log");
        Files.writeString(config, String.join("\n",
            "broker.id=" + brokerId,
            "listen=127.0.0.1:0",
            "coordinator=" + coordinator,
            "data.dir=" + dataDir,
            "heartbeat.interval.ms=100",
            "segment.bytes=262144",
            ""));
    }

    void start() throws IOException {
        String jar = System.getProperty("yak.broker.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("broker jar not built: -Dyak.broker.jar=" + jar
                + " (run through `mvn verify`, which packages it first)");
        }
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        starts++;
        Files.writeString(logFile, "=== start " + starts + " ===\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        process = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-jar", jar, config.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker process did not die");
        }
    }

    String log() throws IOException {
        return Files.readString(logFile);
    }

    Path logFile() {
        return logFile;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
