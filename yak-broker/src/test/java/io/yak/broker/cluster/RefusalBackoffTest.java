package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A refused registration is retried with doubling delays up to a cap and logged at most once per interval. */
class RefusalBackoffTest {
    private final RefusalBackoff backoff = new RefusalBackoff(100, 5000, 30_000);

    @Test
    void shouldDoubleTheDelayUpToTheCap() {
        List<Long> delays = new ArrayList<>();
        long now = 1_000;
        for (int i = 0; i < 9; i++) {
            long delay = backoff.refused(now);
            delays.add(delay);
            now += delay;
        }

        assertThat(delays).containsExactly(100L, 200L, 400L, 800L, 1600L, 3200L, 5000L, 5000L, 5000L);
        assertThat(backoff.refusals()).isEqualTo(9);
    }

    @Test
    void shouldLogTheFirstRefusalThenAtMostOncePerInterval() {
        long now = 0;
        int logged = 0;
        long notLoggedInTotal = 0;
        // Ten minutes of refusals at the capped delay.
        while (now < 600_000) {
            long delay = backoff.refused(now);
            if (backoff.logDue()) {
                logged++;
                notLoggedInTotal += backoff.notLoggedBefore();
            }
            now += delay;
        }

        assertThat(logged).isBetween(20, 21);
        assertThat(notLoggedInTotal + logged).as("every refusal is either logged or counted in the next log line")
            .isBetween(backoff.refusals() - 6, backoff.refusals());
    }

    @Test
    void shouldStartOverAfterAnAcceptedRegistration() {
        backoff.refused(0);
        backoff.refused(100);
        backoff.refused(300);
        assertThat(backoff.logDue()).isFalse();

        backoff.reset();

        assertThat(backoff.refused(700)).isEqualTo(100);
        assertThat(backoff.logDue()).isTrue();
        assertThat(backoff.refusals()).isEqualTo(1);
    }
}
