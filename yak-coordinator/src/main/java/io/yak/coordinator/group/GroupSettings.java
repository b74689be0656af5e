package io.yak.coordinator.group;

import io.yak.wire.config.ConfigException;

/**
 * The coordinator's consumer group settings, validated when built (a bad value names its key). Immutable.
 *
 * @param initialRebalanceDelayMs a new (or emptied) group waits this long for more members before its first
 *                                generation, so consumers starting together land in one (key
 *                                {@value #INITIAL_REBALANCE_DELAY_MS})
 * @param minSessionTimeoutMs     the shortest {@code session_timeout_ms} a join may ask for (key
 *                                {@value #MIN_SESSION_TIMEOUT_MS}): bounds how often members must heartbeat
 * @param maxSessionTimeoutMs     the longest (key {@value #MAX_SESSION_TIMEOUT_MS}): bounds how long a crashed
 *                                member's partitions wait for it
 * @param maxSize                 members a group may have (key {@value #MAX_SIZE}); a new member's join beyond it
 *                                is refused with {@code GROUP_MAX_SIZE_REACHED}
 */
public record GroupSettings(long initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs,
                            int maxSize) {
    public static final String INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
    public static final String MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
    public static final String MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
    public static final String MAX_SIZE = "group.max.size";

    /**
     * 100 ms, where Kafka waits 3000: a single-rack cluster's consumers start together within milliseconds (and each
     * new member extends the wait), and a shorter delay makes the first join faster.
     */
    public static final long DEFAULT_INITIAL_REBALANCE_DELAY_MS = 100;
    public static final long MAX_INITIAL_REBALANCE_DELAY_MS = 300_000;
    /** Kafka's default. */
    public static final int DEFAULT_MIN_SESSION_TIMEOUT_MS = 6_000;
    /** Kafka's default: 30 minutes. */
    public static final int DEFAULT_MAX_SESSION_TIMEOUT_MS = 1_800_000;
    /**
     * Kafka's default is unlimited; the coordinator holds every member in memory, so a bound keeps peers from
     * filling it, far above what one service's consumers number.
     */
    public static final int DEFAULT_MAX_SIZE = 10_000;
    /** One day, for both session timeout bounds. */
    public static final int MAX_SESSION_TIMEOUT_BOUND_MS = 86_400_000;

    public static final GroupSettings DEFAULTS = new GroupSettings(DEFAULT_INITIAL_REBALANCE_DELAY_MS,
        DEFAULT_MIN_SESSION_TIMEOUT_MS, DEFAULT_MAX_SESSION_TIMEOUT_MS, DEFAULT_MAX_SIZE);

    /** Settings with the default {@code group.max.size}. */
    public GroupSettings(long initialRebalanceDelayMs, int minSessionTimeoutMs, int maxSessionTimeoutMs) {
        this(initialRebalanceDelayMs, minSessionTimeoutMs, maxSessionTimeoutMs, DEFAULT_MAX_SIZE);
    }

    public GroupSettings {
        checkRange(INITIAL_REBALANCE_DELAY_MS, initialRebalanceDelayMs, 0, MAX_INITIAL_REBALANCE_DELAY_MS);
        checkRange(MIN_SESSION_TIMEOUT_MS, minSessionTimeoutMs, 1, MAX_SESSION_TIMEOUT_BOUND_MS);
        checkRange(MAX_SESSION_TIMEOUT_MS, maxSessionTimeoutMs, 1, MAX_SESSION_TIMEOUT_BOUND_MS);
        checkRange(MAX_SIZE, maxSize, 1, Integer.MAX_VALUE);
        if (maxSessionTimeoutMs < minSessionTimeoutMs) {
            throw new ConfigException("key '" + MAX_SESSION_TIMEOUT_MS + "' = " + maxSessionTimeoutMs + " is below '"
                + MIN_SESSION_TIMEOUT_MS + "' = " + minSessionTimeoutMs);
        }
    }

    /** For the start-up log line. */
    public String describe() {
        return INITIAL_REBALANCE_DELAY_MS + " " + initialRebalanceDelayMs + ", " + MIN_SESSION_TIMEOUT_MS + " "
            + minSessionTimeoutMs + ", " + MAX_SESSION_TIMEOUT_MS + " " + maxSessionTimeoutMs + ", " + MAX_SIZE + " "
            + maxSize;
    }

    private static void checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException("key '" + key + "' = " + value + " outside " + min + ".." + max);
        }
    }
}
