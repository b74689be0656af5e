package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressMeterTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void shouldPrintACallerDrivenLineOncePerSecondAndStartNoThread() throws Exception {
        StringWriter text = new StringWriter();
        try (ProgressMeter meter = new ProgressMeter("e2e", new PrintWriter(text), 100, true, null)) {
            meter.startOnCallerThread();
            long start = meter.startNs();
            for (int i = 0; i < 10; i++) {
                meter.completedWithLatencyUs(150 + i);
            }
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("yak-bench-progress"));

            meter.tickIfDue(start + SECOND / 2);
            assertThat(lines(text)).isZero();
            meter.tickIfDue(start + SECOND);
            assertThat(lines(text)).isEqualTo(1);
            assertThat(text.toString()).startsWith("e2e").contains("10 records").contains("latency avg 0.15");
            meter.tickIfDue(start + SECOND + SECOND / 2);
            assertThat(lines(text)).isEqualTo(1);
            meter.tickIfDue(start + 2 * SECOND);
            assertThat(lines(text)).isEqualTo(2);
            // Away for five seconds: one line when it comes back, the next one a second later.
            meter.tickIfDue(start + 7 * SECOND);
            meter.tickIfDue(start + 7 * SECOND + SECOND / 2);
            assertThat(lines(text)).isEqualTo(3);
            meter.tickIfDue(start + 8 * SECOND);
            assertThat(lines(text)).isEqualTo(4);

            meter.finish(start + 8 * SECOND);
            assertThat(meter.latencyUs().getTotalCount()).isEqualTo(10);
            assertThat(meter.records()).isEqualTo(10);
            // One point per printed line, each rated over the time since the one before (the caller's clock).
            assertThat(meter.timeline()).extracting(ProgressMeter.Sample::seconds).containsExactly(1.0, 2.0, 7.0, 8.0);
            assertThat(meter.timeline()).extracting(ProgressMeter.Sample::recordsPerSecond)
                .containsExactly(10.0, 0.0, 0.0, 0.0);
            assertThat(meter.timeline().get(0).mbPerSecond()).isEqualTo(10 * 100 / ProgressMeter.MIB);
        }
    }

    @Test
    void shouldRefuseCallerTicksWhenItsOwnThreadPrints() throws Exception {
        try (ProgressMeter meter = new ProgressMeter("w1", new PrintWriter(new StringWriter()), 100, true, null)) {
            meter.start();
            assertThatThrownBy(() -> meter.tickIfDue(System.nanoTime() + 10 * SECOND))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("its own thread");
            meter.finish(System.nanoTime());
        }
    }

    private static long lines(StringWriter text) {
        return text.toString().lines().count();
    }
}
