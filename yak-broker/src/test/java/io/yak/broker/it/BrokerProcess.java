package io.yak.broker.it;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A broker running as a real process from the shaded jar ({@code -Dyak.broker.jar}, set by failsafe), so tests
 * can SIGKILL, SIGSTOP and SIGCONT it. Its output goes to a log file that stays in the test directory. The same class
 * runs the coordinator's jar ({@link #coordinator}). Signals go only to the process this object started, by its PID.
 */
final class BrokerProcess implements AutoCloseable {
    private final Path jar;
    private final Path config;
    private final Path logFile;
    private Process process;
    private int starts;

    BrokerProcess(Path dir, int brokerId, String coordinator, Path dataDir) throws IOException {
        this(brokerJar(), dir, "broker-" + brokerId, settings(brokerId, coordinator, dataDir, Map.of()));
    }

    /** A broker with the usual test settings plus {@code extra} (which may override them). */
    BrokerProcess(Path dir, int brokerId, String coordinator, Path dataDir, Map<String, String> extra)
            throws IOException {
        this(brokerJar(), dir, "broker-" + brokerId, settings(brokerId, coordinator, dataDir, extra));
    }

    /** Runs {@code jar} with a config file {@code dir/name.properties} holding {@code settings}. */
    BrokerProcess(Path jar, Path dir, String name, Map<String, String> settings) throws IOException {
        this.jar = jar;
        this.config = dir.resolve(name + ".properties");
        this.logFile = dir.resolve(name + ".log");
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(config, text.toString());
    }

    /** The coordinator's shaded jar, run with {@code settings} as its config file. */
    static BrokerProcess coordinator(Path dir, Map<String, String> settings) throws IOException {
        return new BrokerProcess(coordinatorJar(), dir, "coordinator", settings);
    }

    private static Map<String, String> settings(int brokerId, String coordinator, Path dataDir,
                                                Map<String, String> extra) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("broker.id", Integer.toString(brokerId));
        s.put("listen", "127.0.0.1:0");
        s.put("coordinator", coordinator);
        s.put("data.dir", dataDir.toString());
        s.put("heartbeat.interval.ms", "100");
        s.put("segment.bytes", "262144");
        s.putAll(extra);
        return s;
    }

    static Path brokerJar() {
        String jar = System.getProperty("yak.broker.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("broker jar not built: -Dyak.broker.jar=" + jar
                + " (run through `mvn verify`, which packages it first)");
        }
        return Path.of(jar);
    }

    /** The checkout's root: the broker jar is {@code ROOT/yak-broker/target/yak-broker.jar}. */
    static Path projectRoot() {
        return brokerJar().toAbsolutePath().getParent().getParent().getParent();
    }

    static Path coordinatorJar() {
        Path jar = projectRoot().resolve("yak-coordinator/target/yak-coordinator.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("coordinator jar not built: " + jar + " (run `mvn install` first)");
        }
        return jar;
    }

    /** A file of {@code conf/} as key-value pairs, in no particular order. */
    static Map<String, String> confFile(String name) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(projectRoot().resolve("conf").resolve(name), StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> out = new LinkedHashMap<>();
        p.stringPropertyNames().stream().sorted().forEach(k -> out.put(k, p.getProperty(k)));
        return out;
    }

    void start() throws IOException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        starts++;
        Files.writeString(logFile, "=== start " + starts + " ===\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        process = new ProcessBuilder(List.of(javaBin, "-Xmx256m", "-jar", jar.toString(), config.toString()))
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

    /** SIGTERM, and waits for the process to finish its clean shutdown. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " did not stop within 30 s of SIGTERM");
        }
    }

    /** SIGSTOP: the process stays, frozen; its sockets stay open and the kernel keeps queueing what arrives. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
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
            try {
                resume(); // a paused process would not act on SIGTERM
            } catch (IOException | RuntimeException e) {
                System.out.println("could not resume " + process.pid() + " before stopping it (exited?): " + e);
            }
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
