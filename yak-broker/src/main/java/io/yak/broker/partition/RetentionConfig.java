package io.yak.broker.partition;

/**
 * Broker-wide retention defaults; a topic's {@code retention.ms} / {@code retention.bytes} configs override them.
 *
 * @param retentionMs     {@code retention.ms}: delete sealed segments whose newest record is older; -1 = forever
 * @param retentionBytes  {@code retention.bytes}: delete the oldest sealed segments while a partition is larger;
 *                        -1 = no limit
 * @param checkIntervalMs {@code retention.check.interval.ms}: how often partitions are checked
 */
public record RetentionConfig(long retentionMs, long retentionBytes, long checkIntervalMs) {
    public static final long UNLIMITED = -1;

    public RetentionConfig {
        if (retentionMs < -1 || retentionMs == 0) {
            throw new IllegalArgumentException("retention.ms " + retentionMs + " must be -1 or positive");
        }
        if (retentionBytes < -1 || retentionBytes == 0) {
            throw new IllegalArgumentException("retention.bytes " + retentionBytes + " must be -1 or positive");
        }
        if (checkIntervalMs < 1) {
            throw new IllegalArgumentException("retention.check.interval.ms " + checkIntervalMs + " must be positive");
        }
    }

    /** Kafka's defaults: 7 days, no size limit, checked every 5 minutes. */
    public static RetentionConfig defaults() {
        return new RetentionConfig(7L * 24 * 3600 * 1000, UNLIMITED, 300_000);
    }
}
