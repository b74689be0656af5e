package io.yak.coordinator.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persists snapshots on its own thread, {@value #THREAD_NAME}, so no event loop and no state mutation waits for
 * an fsync. Writes are serialized and coalesced: when several snapshots are submitted while a write is running,
 * only the newest is written next, and every completion submitted up to then runs after that one write (group
 * commit). Completions run on the store thread in submission order, each after every snapshot submitted before
 * it is durable (or its write failed).
 *
 * <p>{@link #submit} may be called from any thread; the coordinator calls it from its state thread only, so
 * "newest" means the latest state.
 */
public final class StoreWriter implements AutoCloseable {
    public static final String THREAD_NAME = "yak-coordinator-store";
    private static final long CLOSE_TIMEOUT_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(StoreWriter.class);

    /** Told whether the snapshots submitted up to its own submission are durable. */
    @FunctionalInterface
    public interface Completion {
        /**
         * Runs on the store thread.
         *
         * @param failure null when durable, else why the last write failed
         */
        void done(IOException failure);
    }

    private final StateStore store;
    private final ExecutorService executor;
    private final LongAdder writes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Object lock = new Object();
    /** The newest snapshot not yet written; guarded by lock. Kept after a failed write so the next one retries. */
    private CoordinatorSnapshot pending;
    /** Completions waiting for the next drain, in submission order; guarded by lock. */
    private List<Completion> waiting = new ArrayList<>();
    /** True while a drain task is queued; guarded by lock. */
    private boolean scheduled;

    public StoreWriter(StateStore store) {
        this.store = store;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Persists {@code snapshot} (when not null) and then runs {@code done}. With a null snapshot, only orders
     * {@code done} after the writes submitted before it.
     */
    public void submit(CoordinatorSnapshot snapshot, Completion done) {
        synchronized (lock) {
            if (snapshot != null) {
                pending = snapshot;
            }
            waiting.add(done);
            if (scheduled) {
                return;
            }
            scheduled = true;
            try {
                executor.execute(this::drain);
                return;
            } catch (RejectedExecutionException e) {
                scheduled = false;
            }
        }
        failAll(new IOException("the coordinator's store is closed"));
    }

    private void failAll(IOException failure) {
        List<Completion> cbs;
        synchronized (lock) {
            cbs = waiting;
            waiting = new ArrayList<>();
        }
        complete(cbs, failure);
    }

    private void drain() {
        CoordinatorSnapshot s;
        List<Completion> cbs;
        synchronized (lock) {
            s = pending;
            pending = null;
            cbs = waiting;
            waiting = new ArrayList<>();
            scheduled = false;
        }
        IOException failure = null;
        if (s != null) {
            try {
                store.save(s);
                writes.increment();
            } catch (IOException e) {
                failure = e;
                failures.increment();
                LOG.error("cannot persist coordinator state (epoch {}) to {}: {}", s.epoch(), store.file(),
                    e.toString());
                synchronized (lock) {
                    if (pending == null) {
                        pending = s;
                    }
                }
            }
        }
        complete(cbs, failure);
    }

    private static void complete(List<Completion> cbs, IOException failure) {
        for (Completion cb : cbs) {
            try {
                cb.done(failure);
            } catch (RuntimeException e) {
                LOG.error("store completion failed", e);
            }
        }
    }

    /** Snapshots written successfully. */
    public long writes() {
        return writes.sum();
    }

    /** Writes that failed. */
    public long failures() {
        return failures.sum();
    }

    /** Runs everything already submitted, then stops the store thread. Waits up to 10 s. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.error("store thread did not finish within {} ms; the last state may not be persisted",
                    CLOSE_TIMEOUT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while waiting for the store thread to finish");
        }
    }
}
