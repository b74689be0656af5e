package io.yak.broker.replica;

import java.util.ArrayDeque;

/**
 * The {@code acks=all} publishes of one partition waiting for the high watermark to pass their records, in offset
 * order (appends happen in order, so completions do too). Completion, expiry and failure are decided under the
 * caller's monitor; the callbacks run after it is released (see {@link #drain}).
 *
 * @param <T> what the caller keeps per publish (its callback and timer)
 */
public final class DelayedPublishes<T> {
    private final ArrayDeque<Entry<T>> queue = new ArrayDeque<>();

    /** One waiting publish: done once the high watermark reaches {@code requiredOffset}. */
    public static final class Entry<T> {
        public final long requiredOffset;
        public final T value;
        boolean done;

        Entry(long requiredOffset, T value) {
            this.requiredOffset = requiredOffset;
            this.value = value;
        }
    }

    public Entry<T> add(long requiredOffset, T value) {
        Entry<T> e = new Entry<>(requiredOffset, value);
        queue.add(e);
        return e;
    }

    public int size() {
        return queue.size();
    }

    /** Removes and returns (in order) the entries the high watermark {@code hw} completes, into {@code out}. */
    public void completed(long hw, java.util.List<T> out) {
        Entry<T> e;
        while ((e = queue.peek()) != null && (e.done || e.requiredOffset <= hw)) {
            queue.poll();
            if (!e.done) {
                e.done = true;
                out.add(e.value);
            }
        }
    }

    /** Removes every entry, into {@code out}: the leadership ended, or the ISR fell below its minimum. */
    public void drain(java.util.List<T> out) {
        Entry<T> e;
        while ((e = queue.poll()) != null) {
            if (!e.done) {
                e.done = true;
                out.add(e.value);
            }
        }
    }

    /** Takes one entry out (its timeout expired); false when it was completed already. */
    public boolean expire(Entry<T> e) {
        if (e.done) {
            return false;
        }
        e.done = true;
        return true;
    }
}
