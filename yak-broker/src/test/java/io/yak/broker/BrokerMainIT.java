package io.yak.broker;

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
 * What {@code java -jar yak-broker.jar} prints when it cannot start: one line naming what and why, no stack trace,
 * a non-zero exit code. Runs the main's start on 127.0.0.1 with a port held by this test.
 */
@Timeout(60)
class BrokerMainIT {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private ServerSocket taken;
    private CapturedLogs logs;
    private BrokerMain.Started started;

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

    private BrokerMain.Started run(String... args) {
        started = BrokerMain.start(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return started;
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path config(String text) throws IOException {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, text);
        return file;
    }

    private void assertNoStackTraceAboveDebug() {
        assertThat(logs.events()).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
            .allSatisfy(e -> assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull());
        assertThat(logs.at(Level.ERROR)).isEmpty();
    }

    @Test
    void shouldPrintOneLineNamingTheAddressWhenTheBrokerPortIsTaken() throws IOException {
        int port = taken.getLocalPort();
        Path file = config("broker.id=5\nlisten=127.0.0.1:" + port + "\ncoordinator=127.0.0.1:1\ndata.dir="
            + dir.resolve("data") + "\n");

        BrokerMain.Started s = run(file.toString());

        assertThat(s.node()).isNull();
        assertThat(s.exitCode()).isEqualTo(BrokerMain.EXIT_START_FAILED);
        assertThat(errText()).isEqualTo("yak-broker: cannot listen on 127.0.0.1:" + port
            + ": address already in use" + System.lineSeparator());
        assertNoStackTraceAboveDebug();
        assertThat(logs.events()).anySatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
    }

    @Test
    void shouldPrintOneLineWhenTheStandaloneCoordinatorPortIsTaken() throws IOException {
        int port = taken.getLocalPort();
        Path file = config("mode=standalone\nlisten=127.0.0.1:0\ncoordinator=127.0.0.1:" + port + "\ndata.dir="
            + dir.resolve("data") + "\n");

        BrokerMain.Started s = run(file.toString());

        assertThat(s.exitCode()).isEqualTo(BrokerMain.EXIT_START_FAILED);
        assertThat(errText()).isEqualTo("yak-broker: cannot listen on 127.0.0.1:" + port
            + ": address already in use" + System.lineSeparator());
        assertNoStackTraceAboveDebug();
    }

    @Test
    void shouldPrintOneLineWhenTheStandaloneBrokerPortIsTaken() throws IOException {
        int port = taken.getLocalPort();
        Path file = config("mode=standalone\nlisten=127.0.0.1:" + port + "\ncoordinator=127.0.0.1:0\ndata.dir="
            + dir.resolve("data") + "\n");

        BrokerMain.Started s = run(file.toString());

        assertThat(s.exitCode()).isEqualTo(BrokerMain.EXIT_START_FAILED);
        assertThat(errText()).isEqualTo("yak-broker: cannot listen on 127.0.0.1:" + port
            + ": address already in use" + System.lineSeparator());
        assertNoStackTraceAboveDebug();
    }

    @Test
    void shouldSayWhyTheConfigFileCannotBeRead() {
        Path missing = dir.resolve("nothere.properties");

        BrokerMain.Started s = run(missing.toString());

        assertThat(s.exitCode()).isEqualTo(BrokerMain.EXIT_CONFIG);
        assertThat(errText()).isEqualTo("yak-broker: bad config: cannot read config file " + missing
            + ": no such file or directory" + System.lineSeparator());
    }

    @Test
    void shouldRefuseASecondBrokerOnTheDataDirOfARunningOne() throws Exception {
        Path data = dir.resolve("shared-data");
        Path first = Files.writeString(dir.resolve("first.properties"), "broker.id=5\nlisten=127.0.0.1:0\n"
            + "coordinator=127.0.0.1:1\ndata.dir=" + data + "\n");
        BrokerMain.Started running = run(first.toString());
        assertThat(running.exitCode()).isZero();
        assertThat(running.node()).isNotNull();
        try {
            err.reset();
            Path second = Files.writeString(dir.resolve("second.properties"), "broker.id=6\nlisten=127.0.0.1:0\n"
                + "coordinator=127.0.0.1:1\ndata.dir=" + data + "\n");
            BrokerMain.Started refused = BrokerMain.start(new String[] {second.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

            assertThat(refused.node()).isNull();
            assertThat(refused.exitCode()).isEqualTo(BrokerMain.EXIT_START_FAILED);
            assertThat(errText()).isEqualTo("yak-broker: cannot use data.dir " + data.toAbsolutePath()
                + ": in use by another broker (" + data.resolve(".lock").toAbsolutePath() + " is locked)"
                + System.lineSeparator());
        } finally {
            running.node().close();
            started = null;
        }
        // released by a stop: the next broker on that data.dir starts
        BrokerMain.Started again = run(first.toString());
        assertThat(again.exitCode()).isZero();
    }

    @Test
    void shouldSayWhyTheDataDirCannotBeUsed() throws IOException {
        Path notADir = Files.writeString(dir.resolve("a-file"), "x");
        Path file = config("broker.id=5\nlisten=127.0.0.1:0\ncoordinator=127.0.0.1:1\ndata.dir=" + notADir + "\n");

        BrokerMain.Started s = run(file.toString());

        assertThat(s.exitCode()).isEqualTo(BrokerMain.EXIT_START_FAILED);
        assertThat(errText()).isEqualTo("yak-broker: cannot use data.dir " + notADir.toAbsolutePath()
            + ": not a directory" + System.lineSeparator());
        assertNoStackTraceAboveDebug();
    }

    @Test
    void shouldPrintUsageForHelpAndForTooManyArguments() {
        assertThat(run("--help").exitCode()).isEqualTo(BrokerMain.EXIT_OK);
        assertThat(run("-h").exitCode()).isEqualTo(BrokerMain.EXIT_OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: java -jar yak-broker.jar");
        assertThat(errText()).isEmpty();

        assertThat(run("a.properties", "b.properties").exitCode()).isEqualTo(BrokerMain.EXIT_CONFIG);
        assertThat(errText()).startsWith("usage: java -jar yak-broker.jar").hasLineCount(1);
    }
}
