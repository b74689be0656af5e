package io.yak.bench;

import java.util.concurrent.locks.LockSupport;

/**
 * Paces a sender at a fixed rate. Record {@code i} is due at {@code startNs + i * intervalNs}; a sender that falls
 * behind sends at once and is not given the time back, so latency measured from the due time includes the wait a
 * slow broker caused (the coordinated-omission correction).
 */
final class Pacer {
    /** Parking is coarse (timer slack); the last stretch before a due time is spent yielding. */
    private static final long PARK_SLACK_NS = 60_000;

    private final long startNs;
    private final double intervalNs;

    Pacer(long startNs, double recordsPerSecond) {
        this.startNs = startNs;
        this.intervalNs = 1e9 / recordsPerSecond;
    }

    /** When record {@code i} is due (System.nanoTime). */
    long dueNs(long i) {
        return startNs + (long) (i * intervalNs);
    }

    /** Waits until {@code dueNs}; returns at once when it has passed. */
    static void awaitDue(long dueNs) {
        long remaining;
        while ((remaining = dueNs - System.nanoTime()) > 0) {
            if (remaining > PARK_SLACK_NS) {
                LockSupport.parkNanos(remaining - PARK_SLACK_NS);
            } else {
                Thread.yield();
            }
        }
    }
}
