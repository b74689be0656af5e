package io.yak.coordinator;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that never goes backwards: wall time at class load plus elapsed {@link System#nanoTime()}. Heartbeat
 * timeouts measure intervals, which a wall-clock step (NTP, a manual change) must not shorten or stretch.
 */
final class MonotonicClock extends Clock {
    static final MonotonicClock INSTANCE = new MonotonicClock(System.currentTimeMillis(), System.nanoTime(),
        ZoneOffset.UTC);

    private final long baseMillis;
    private final long baseNanos;
    private final ZoneId zone;

    private MonotonicClock(long baseMillis, long baseNanos, ZoneId zone) {
        this.baseMillis = baseMillis;
        this.baseNanos = baseNanos;
        this.zone = zone;
    }

    @Override
    public long millis() {
        return baseMillis + (System.nanoTime() - baseNanos) / 1_000_000;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId newZone) {
        return new MonotonicClock(baseMillis, baseNanos, newZone);
    }
}
