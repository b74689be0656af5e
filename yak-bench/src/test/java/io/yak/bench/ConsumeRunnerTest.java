package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ConsumeRunnerTest {
    @Test
    void shouldStartMeasuringWhenThePollThatEndsTheWarmUpStartedAndCountOnlyRecordsAfterIt() throws Exception {
        try (ProgressMeter meter = new ProgressMeter("w4", new PrintWriter(new StringWriter()), -1, false, null)) {
            ConsumeRunner.Shared shared = new ConsumeRunner.Shared(meter, 1_000, 1_500);
            long t = System.nanoTime() - 1_000_000_000L;
            shared.arrived(600, 600 * 10, t, t + 1_000);                 // warm-up only
            assertThat(shared.measuring.get()).isFalse();
            shared.arrived(500, 500 * 10, t + 2_000_000, t + 3_000_000);   // crosses 1,000: 100 are measured
            assertThat(shared.measuring.get()).isTrue();
            assertThat(meter.startNs()).isEqualTo(t + 2_000_000);
            assertThat(meter.records()).isEqualTo(100);
            assertThat(meter.bytes()).isEqualTo(100 * 10);
            shared.arrived(400, 400 * 10, t + 4_000_000, t + 5_000_000);
            assertThat(meter.records()).isEqualTo(500);
            assertThat(shared.consumed.get()).isEqualTo(1_500);
            assertThat(shared.lastRecordNs.get()).isEqualTo(t + 5_000_000);
            meter.finish(t + 5_000_000);
        }
    }
}
