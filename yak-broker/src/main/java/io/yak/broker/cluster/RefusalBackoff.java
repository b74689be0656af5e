package io.yak.broker.cluster;

/**
 * When to try again, and whether to say so, after the coordinator refused this broker's registration (above all
 * {@code BROKER_ID_IN_USE}). The delay doubles from {@code minDelayMs} up to {@code maxDelayMs}: a broker that
 * restarted quickly after a crash, whose old registration has not timed out yet, gets in soon after it does, while
 * a real clash of two live brokers costs one attempt every few seconds. The first refusal is logged, then at most
 * one per {@code logIntervalMs} while they go on, so a clash that lasts does not flood either log.
 *
 * <p>Owned by the link's event-loop thread. Times are any monotonic milliseconds.
 */
final class RefusalBackoff {
    private final long minDelayMs;
    private final long maxDelayMs;
    private final long logIntervalMs;
    /** Refusals since the last accepted registration; 0 = not refused. */
    private long refusals;
    private long nextDelayMs;
    private long lastLoggedMs;
    /** Refusals not logged since the last logged one. */
    private long notLogged;
    private long notLoggedBefore;
    private boolean logDue;

    RefusalBackoff(long minDelayMs, long maxDelayMs, long logIntervalMs) {
        if (minDelayMs < 1 || maxDelayMs < minDelayMs || logIntervalMs < 0) {
            throw new IllegalArgumentException("delays " + minDelayMs + ".." + maxDelayMs + " ms, log interval "
                + logIntervalMs + " ms");
        }
        this.minDelayMs = minDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.logIntervalMs = logIntervalMs;
        this.nextDelayMs = minDelayMs;
    }

    /**
     * Counts a refusal at {@code nowMs} and decides about its log line ({@link #logDue()}).
     *
     * @return how long to wait before registering again
     */
    long refused(long nowMs) {
        refusals++;
        logDue = refusals == 1 || nowMs - lastLoggedMs >= logIntervalMs;
        if (logDue) {
            lastLoggedMs = nowMs;
            notLoggedBefore = notLogged;
            notLogged = 0;
        } else {
            notLogged++;
        }
        long delay = nextDelayMs;
        nextDelayMs = Math.min(maxDelayMs, nextDelayMs * 2);
        return delay;
    }

    /** Whether the last refusal should be logged (at ERROR); false while the last log line is recent. */
    boolean logDue() {
        return logDue;
    }

    /** When {@link #logDue()}: how many refusals went unlogged since the previous log line. */
    long notLoggedBefore() {
        return notLoggedBefore;
    }

    /** Refusals since the registration was last accepted. */
    long refusals() {
        return refusals;
    }

    long maxDelayMs() {
        return maxDelayMs;
    }

    long logIntervalMs() {
        return logIntervalMs;
    }

    /** The registration was accepted: the next refusal starts over at the shortest delay and is logged. */
    void reset() {
        refusals = 0;
        notLogged = 0;
        notLoggedBefore = 0;
        nextDelayMs = minDelayMs;
        logDue = false;
    }
}
