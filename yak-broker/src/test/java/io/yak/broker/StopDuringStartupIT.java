package io.yak.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar yak-broker.jar} stopped by SIGTERM while it is still starting: the stop is logged and done
 * cleanly once the start is over. The shutdown hook used to be registered only after the start, so a SIGTERM in
 * the first few hundred milliseconds ended the process without a word.
 */
@Timeout(60)
class StopDuringStartupIT {
    @TempDir
    Path dir;

    @Test
    void shouldStopCleanlyOnASigtermAtItsFirstLogLine() throws Exception {
        String jar = System.getProperty("yak.broker.jar");
        assertThat(jar).as("-Dyak.broker.jar, set by failsafe").isNotNull();
        Path config = Files.writeString(dir.resolve("broker.properties"), "broker.id=5\nlisten=127.0.0.1:0\n"
            + "coordinator=127.0.0.1:1\ndata.dir=" + dir.resolve("data") + "\n");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(javaBin, "-Xmx256m", "-jar", jar, config.toString())
            .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            assertThat(line).as("first output line").isNotNull();
            process.toHandle().destroy(); // SIGTERM, at once (Process.destroy would also close this stream)
            lines.add(line);
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        } finally {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        String output = String.join("\n", lines);
        assertThat(lines).as(output).anySatisfy(l -> assertThat(l).contains("yak-broker: stop"));
        assertThat(lines).as(output).anySatisfy(l -> assertThat(l).contains("broker 5: stopped"));
        assertThat(process.exitValue()).as("the exit status of a SIGTERM").isEqualTo(143);
    }
}
