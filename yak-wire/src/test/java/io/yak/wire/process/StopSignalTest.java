package io.yak.wire.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.wire.testing.CapturedLogs;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class StopSignalTest {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(StopSignalTest.class);

    @Test
    void shouldCloseWhatStartedOnce() {
        StopSignal signal = new StopSignal("node", LOG, 5_000);
        AtomicInteger closes = new AtomicInteger();
        signal.started(closes::incrementAndGet);
        signal.stop();
        signal.awaitStop();
        assertThat(closes).hasValue(1);
    }

    @Test
    void shouldWaitForAStartInProgressThenCloseIt() throws Exception {
        try (CapturedLogs logs = new CapturedLogs(StopSignalTest.class)) {
            StopSignal signal = new StopSignal("node", LOG, 5_000);
            AtomicInteger closes = new AtomicInteger();
            CompletableFuture<Void> hook = CompletableFuture.runAsync(signal::stop);
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.at(Level.INFO).isEmpty());
            assertThat(logs.at(Level.INFO)).containsExactly(
                "node: stop requested while starting; stopping once the start is done (at most 5 s)");
            assertThat(hook).as("the hook waits for the start").isNotDone();
            assertThat(closes).hasValue(0);

            signal.started(closes::incrementAndGet);
            hook.get(5, TimeUnit.SECONDS);
            signal.awaitStop();
            assertThat(closes).as("closed once the start returned").hasValue(1);
            assertThat(logs.at(Level.INFO)).last().isEqualTo("node: stopping");
        }
    }

    @Test
    void shouldCloseNothingWhenTheStartFailed() throws Exception {
        StopSignal signal = new StopSignal("node", LOG, 5_000);
        CompletableFuture<Void> hook = CompletableFuture.runAsync(signal::stop);
        signal.started(null);
        hook.get(5, TimeUnit.SECONDS);
        signal.awaitStop();
    }

    @Test
    void shouldGiveUpOnAStartThatDoesNotReturn() throws Exception {
        try (CapturedLogs logs = new CapturedLogs(StopSignalTest.class)) {
            StopSignal signal = new StopSignal("node", LOG, 200);
            signal.stop();
            signal.awaitStop();
            assertThat(logs.at(Level.WARN)).containsExactly("node: still starting after 0 s; exiting without a clean "
                + "stop");
        }
    }

    @Test
    void shouldReportAFailingCloseAndStillFinish() {
        try (CapturedLogs logs = new CapturedLogs(StopSignalTest.class)) {
            StopSignal signal = new StopSignal("node", LOG, 5_000);
            signal.started(() -> {
                throw new IllegalStateException("boom");
            });
            signal.stop();
            signal.awaitStop();
            assertThat(logs.at(Level.ERROR)).singleElement().asString().contains("node: error while stopping", "boom");
        }
    }
}
