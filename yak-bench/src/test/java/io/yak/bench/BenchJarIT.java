package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * yak-bench as users run it: the shaded jar ({@code -Dyak.bench.jar}, set by failsafe) in its own process, so its
 * own logback.xml is the one in force (the in-process smoke test logs through logback-test.xml).
 */
class BenchJarIT {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("yak.bench.jar");
        if (jar == null || !Files.exists(Path.of(jar))) {
            throw new IllegalStateException("yak-bench jar not built: -Dyak.bench.jar=" + jar
                + " (run through `mvn verify`, which packages it first)");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(List.of(args));
        Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
        Path err = dir.resolve("err-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("yak-bench did not finish within 60 s");
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldKeepTheEmbeddedNodesInfoLinesOutOfTheToolsOutput() throws Exception {
        Run r = run("-jar", System.getProperty("yak.bench.jar"), "produce", "--records", "100");
        assertThat(r.code()).as("exit code; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("target: embedded standalone node").contains("produce result: 100 records in");
        assertThat(r.err()).as("stderr").doesNotContain("standalone node up").doesNotContain(" INFO ");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldShowTheEmbeddedNodesInfoLinesWhenAskedFor() throws Exception {
        Run r = run("-Dyak.log.level=INFO", "-jar", System.getProperty("yak.bench.jar"), "produce", "--records", "100");
        assertThat(r.code()).as("exit code; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.err()).contains("standalone node up");
        assertThat(r.out()).doesNotContain("standalone node up");
    }
}
