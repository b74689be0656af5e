package io.yak.client.consumer;

import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.Message;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * How work reaches the consumer's thread, which does all of it: answers arriving on the event loop, metadata
 * changes and {@link YakConsumer#wakeup()} are queued here, and the thread's blocking waits (poll, commits, lookups)
 * run the queue while they wait, so every wait ends promptly on a wake-up or an interrupt.
 *
 * <p>{@link #add}, {@link #signal} and {@link #wakeup} may be called from any thread; everything else only from
 * the consumer's thread.
 */
final class ConsumerEvents {
    /** Longest single wait: how soon a wait notices its deadline without any event. */
    static final long MAX_WAIT_SLICE_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
    private final LongSupplier nanoClock;
    private final String clientId;
    /**
     * Set while a wake-up event is queued, so metadata changes, awaited answers and {@link #wakeup()} calls never
     * pile up events.
     */
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Runnable wake = () -> wakeQueued.set(false);
    /** Set by {@link #wakeup()} (any thread); cleared by the consumer's thread when it throws. */
    private final AtomicBoolean wakeupRequested = new AtomicBoolean();
    /** Set by close, which finishes (final auto-commit) whatever wakeup() says. */
    private boolean ignoreWakeups;

    ConsumerEvents(LongSupplier nanoClock, String clientId) {
        this.nanoClock = nanoClock;
        this.clientId = clientId;
    }

    /** Queues work for the consumer's thread (any thread). */
    void add(Runnable r) {
        queue.add(r);
    }

    /** Wakes the consumer's thread if it waits for an event (any thread; queues at most one wake-up event). */
    void signal() {
        if (wakeQueued.compareAndSet(false, true)) {
            queue.offer(wake);
        }
    }

    /** Makes the current or next blocking call throw {@link WakeupException} (any thread). */
    void wakeup() {
        wakeupRequested.set(true);
        signal();
    }

    /** From now on wake-ups are ignored: close finishes its work whatever {@link #wakeup()} says. */
    void ignoreWakeups() {
        ignoreWakeups = true;
    }

    /** Runs every queued event. */
    void runAll() {
        Runnable r;
        while ((r = queue.poll()) != null) {
            r.run();
        }
    }

    /** Waits up to {@code ns} for one queued event (an answer, a metadata change, a wakeup) and runs it. */
    void waitForEvent(long ns, String call) {
        if (ns <= 0) {
            return;
        }
        try {
            Runnable r = queue.poll(ns, TimeUnit.NANOSECONDS);
            if (r != null) {
                r.run();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "interrupted in " + call, e);
        }
    }

    /** Throws {@link WakeupException} if {@link #wakeup()} was called since the last one thrown. */
    void throwIfWokenUp(String call) {
        if (wakeupRequested.get() && !ignoreWakeups && wakeupRequested.getAndSet(false)) {
            throw new WakeupException(call + " of consumer " + clientId + " woken up by wakeup()");
        }
    }

    /**
     * Waits until {@code f} completes or {@code deadlineNs} passes (false), running queued events meanwhile so
     * that {@link #wakeup()} (and thread interruption) end the wait.
     */
    boolean awaitDone(CompletableFuture<?> f, long deadlineNs, String call) {
        if (!f.isDone()) {
            f.whenComplete((r, e) -> signal());
        }
        while (true) {
            throwIfWokenUp(call);
            if (f.isDone()) {
                return true;
            }
            long remainingNs = deadlineNs - nanoClock.getAsLong();
            if (remainingNs <= 0) {
                return false;
            }
            waitForEvent(Math.min(remainingNs, MAX_WAIT_SLICE_NS), call);
        }
    }

    /** Waits {@code ns} (a retry backoff) as {@link #awaitDone} does: wakeup() ends it. */
    void sleep(long ns, String call) {
        long deadlineNs = nanoClock.getAsLong() + ns;
        long remainingNs;
        while ((remainingNs = deadlineNs - nanoClock.getAsLong()) > 0) {
            throwIfWokenUp(call);
            waitForEvent(Math.min(remainingNs, MAX_WAIT_SLICE_NS), call);
        }
        throwIfWokenUp(call);
    }

    /** The answer of {@code f}, waiting until {@code deadlineNs}; its failure as a {@link YakException}. */
    Message await(CompletableFuture<Message> f, long deadlineNs, String call) {
        if (!awaitDone(f, deadlineNs, call)) {
            throw new YakException(ErrorCode.REQUEST_TIMED_OUT, call + " timed out");
        }
        try {
            return f.join();
        } catch (CompletionException | CancellationException e) {
            throw YakConsumer.asYak(e);
        }
    }

    /** Whole milliseconds left until {@code deadlineNs}, rounded up; 0 or less once it passed. */
    long remainingMs(long deadlineNs) {
        long leftNs = deadlineNs - nanoClock.getAsLong();
        return leftNs <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(leftNs + 999_999);
    }
}
