package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.bench.FailoverSignaller.Signal;
import io.yak.wire.message.BrokerInfo;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FailoverSignallerTest {
    private static final BrokerInfo BROKER_2 = new BrokerInfo(2, "127.0.0.1", 9002, true);
    private static final ProcListeners NO_PROC = new ProcListeners(Path.of("/nonexistent-proc"),
        ByteOrder.LITTLE_ENDIAN);

    @Test
    void shouldParsePidsInTheOrderGiven() {
        assertThat(FailoverSignaller.parsePids("1=4242,2=4243, 3 = 4244 ")).containsExactly(
            Map.entry(1, 4242L), Map.entry(2, 4243L), Map.entry(3, 4244L));
        assertThat(FailoverSignaller.parsePids("7=1")).containsExactly(Map.entry(7, 1L));
    }

    @Test
    void shouldRejectMalformedPidsNamingThePart() {
        assertThatThrownBy(() -> FailoverSignaller.parsePids("")).hasMessageContaining("--pids must be");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("1=42,2"))
            .hasMessageContaining("'2' is not BROKER_ID=PID");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("1=42,,2=43")).hasMessageContaining("'' is not");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("a=42")).hasMessageContaining("two integers");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("1=x")).hasMessageContaining("'1=x'");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("1=0")).hasMessageContaining("PID 0 of broker 1");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("-1=5")).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> FailoverSignaller.parsePids("1=5,1=6"))
            .hasMessageContaining("broker 1 is given twice");
    }

    @Test
    void shouldParseSignalNamesNumbersAndAnyCase() {
        assertThat(Signal.parse("KILL")).isEqualTo(Signal.KILL);
        assertThat(Signal.parse("sigkill")).isEqualTo(Signal.KILL);
        assertThat(Signal.parse("9")).isEqualTo(Signal.KILL);
        assertThat(Signal.parse("term")).isEqualTo(Signal.TERM);
        assertThat(Signal.parse("SIGTERM")).isEqualTo(Signal.TERM);
        assertThat(Signal.parse("15")).isEqualTo(Signal.TERM);
        assertThatThrownBy(() -> Signal.parse("HUP")).hasMessageContaining("--signal must be KILL or TERM");
    }

    @Test
    void shouldRefuseABrokerMissingFromPidsAndThisJvm() {
        FailoverSignaller missing = new FailoverSignaller(Map.of(1, 4242L), NO_PROC);
        assertThatThrownBy(() -> missing.find(BROKER_2)).hasMessageContaining("--pids gives no PID for broker 2");
        FailoverSignaller self = new FailoverSignaller(Map.of(2, ProcessHandle.current().pid()), NO_PROC);
        assertThatThrownBy(() -> self.find(BROKER_2)).hasMessageContaining("runs in this yak-bench process");
        FailoverSignaller byPort = new FailoverSignaller(Map.of(), NO_PROC);
        assertThatThrownBy(() -> byPort.find(BROKER_2)).hasMessageContaining("Linux only");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldTerminateAndKillTheGivenProcess() throws Exception {
        for (Signal s : Signal.values()) {
            Process p = new ProcessBuilder("sleep", "60").start();
            try {
                FailoverSignaller signaller = new FailoverSignaller(Map.of(2, p.pid()), NO_PROC);
                FailoverSignaller.Target t = signaller.find(BROKER_2);
                assertThat(t.describe()).isEqualTo("broker 2 (127.0.0.1:9002, pid " + p.pid() + ")");
                FailoverSignaller.send(t, s);
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
                // a shell reports death by signal N as 128 + N
                assertThat(p.exitValue()).as("exit value after %s", s).isEqualTo(128 + (s == Signal.KILL ? 9 : 15));
                assertThatThrownBy(() -> FailoverSignaller.send(t, s)).hasMessageContaining("no longer running");
            } finally {
                p.destroyForcibly();
            }
        }
    }
}
