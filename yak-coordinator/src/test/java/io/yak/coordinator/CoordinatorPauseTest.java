package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the time between two liveness checks shows that the coordinator itself was paused. */
class CoordinatorPauseTest {
    @Test
    void shouldTakeAGapOfMoreThanThreeChecksAndHalfATimeoutForAPause() {
        // the defaults: heartbeat.timeout.ms 6000, checked every 500 ms
        assertThat(CoordinatorServer.pausedTooLong(500, 500, 6000)).isFalse();
        assertThat(CoordinatorServer.pausedTooLong(3000, 500, 6000)).isFalse();
        assertThat(CoordinatorServer.pausedTooLong(3001, 500, 6000)).isTrue();
        assertThat(CoordinatorServer.pausedTooLong(12_000, 500, 6000)).as("the walkthrough's SIGSTOP").isTrue();
        // a short timeout (tests: 1000 ms, checked every 250 ms): three missed checks
        assertThat(CoordinatorServer.pausedTooLong(750, 250, 1000)).isFalse();
        assertThat(CoordinatorServer.pausedTooLong(751, 250, 1000)).isTrue();
        // the first check has no previous one
        assertThat(CoordinatorServer.pausedTooLong(0, 500, 6000)).isFalse();
    }
}
