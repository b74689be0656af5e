package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.wire.testing.CapturedLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code java -jar yak-coordinator.jar} prints when it cannot start: one line naming what and why, no stack
 * trace, a non-zero exit code; and a usage line for {@code --help}.
 */
@Timeout(60)
class CoordinatorMainIT {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ServerSocket taken;
    private CapturedLogs logs;
    private CoordinatorMain.Started started;

    @BeforeEach
    void holdAPort() throws IOException {
        taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        logs = new CapturedLogs("io.yak");
    }

    @AfterEach
    void release() throws Exception {
        if (started != null && started.node() != null) {
            started.node().close();
        }
        logs.close();
        taken.close();
    }

    private CoordinatorMain.Started run(String... args) {
        started = CoordinatorMain.start(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return started;
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path config(String text) throws IOException {
        return Files.writeString(dir.resolve("coordinator.properties"), text);
    }

    private void assertNoStackTraceAboveDebug() {
        assertThat(logs.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
            .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
        assertThat(logs.at(Level.ERROR)).isEmpty();
    }

    @Test
    void shouldPrintOneLineNamingTheAddressWhenThePortIsTaken() throws IOException {
        int port = taken.getLocalPort();
        Path file = config("listen=127.0.0.1:" + port + "\ndata.dir=" + dir.resolve("data") + "\n");

        CoordinatorMain.Started s = run(file.toString());

        assertThat(s.server()).isNull();
        assertThat(s.exitCode()).isEqualTo(CoordinatorMain.EXIT_START_FAILED);
        assertThat(errText()).isEqualTo("yak-coordinator: cannot listen on 127.0.0.1:" + port
            + ": address already in use" + System.lineSeparator());
        assertNoStackTraceAboveDebug();
    }

    @Test
    void shouldSayWhyTheDataDirCannotBeUsed() throws IOException {
        Path notADir = Files.writeString(dir.resolve("a-file"), "x");
        Path file = config("listen=127.0.0.1:0\ndata.dir=" + notADir + "\n");

        CoordinatorMain.Started s = run(file.toString());

        assertThat(s.exitCode()).isEqualTo(CoordinatorMain.EXIT_START_FAILED);
        assertThat(errText()).isEqualTo("yak-coordinator: cannot use data.dir " + notADir.toAbsolutePath()
            + ": not a directory" + System.lineSeparator());
        assertNoStackTraceAboveDebug();
    }

    @Test
    void shouldSayWhyTheConfigFileCannotBeRead() {
        Path missing = dir.resolve("nothere.properties");

        assertThat(run(missing.toString()).exitCode()).isEqualTo(CoordinatorMain.EXIT_CONFIG);

        assertThat(errText()).isEqualTo("yak-coordinator: bad config: cannot read config file " + missing
            + ": no such file or directory" + System.lineSeparator());
    }

    @Test
    void shouldPrintUsageForHelpAndForWrongArgumentCounts() {
        assertThat(run("--help").exitCode()).isEqualTo(CoordinatorMain.EXIT_OK);
        assertThat(run("-h").exitCode()).isEqualTo(CoordinatorMain.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: java -jar yak-coordinator.jar")
            .hasLineCount(2);
        assertThat(errText()).isEmpty();

        assertThat(run().exitCode()).isEqualTo(CoordinatorMain.EXIT_CONFIG);
        assertThat(run("a", "b").exitCode()).isEqualTo(CoordinatorMain.EXIT_CONFIG);
        assertThat(errText()).startsWith("usage: java -jar yak-coordinator.jar").hasLineCount(2);
    }
}
