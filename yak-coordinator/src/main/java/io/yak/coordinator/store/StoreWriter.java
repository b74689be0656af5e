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
 * Persists change records on its own thread, {@value #THREAD_NAME}, so no event loop and no state mutation waits for
 * an fsync. Writes are serialized and batched: the records submitted while a write runs are appended to the change
 * log together in the next one, with one force (group commit), and every completion submitted up to then runs
 * after it. Completions run on the store thread in submission order, each after every record submitted before it
 * is durable (or its write failed). The writer keeps a {@link StateMirror} of what is on disk, and compacts (a new
 * snapshot, an empty log) once the log passes {@code compactAfterBytes}, and after a failed append, which may have
 * left a torn record behind.
 *
 * <p>{@link #submit} may be called from any thread; the coordinator calls it from its state thread only, so
 * records arrive in the order the changes happened.
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

    /** Log size past which the next write compacts. */
    public static final long DEFAULT_COMPACT_AFTER_BYTES = 16L * 1024 * 1024;

    private final StateStore store;
    private final long compactAfterBytes;
    /** What is on disk (or is to be, after a failed write); store thread only. */
    private final StateMirror mirror;
    /** A write failed: the next one compacts instead of appending. Store thread only. */
    private boolean compactionDue;
    private final ExecutorService executor;
    private final LongAdder writes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder compactions = new LongAdder();
    private final Object lock = new Object();
    /** Records not yet written, in submission order; guarded by lock. */
    private List<StateRecord> pending = new ArrayList<>();
    /** Completions waiting for the next drain, in submission order; guarded by lock. */
    private List<Completion> waiting = new ArrayList<>();
    /** True while a drain task is queued; guarded by lock. */
    private boolean scheduled;

    /**
     * @param store   loaded ({@link StateStore#load}), so its log is open for appending
     * @param current the state {@code store} loaded ({@link CoordinatorSnapshot#EMPTY} for a new cluster)
     */
    public StoreWriter(StateStore store, CoordinatorSnapshot current) {
        this(store, current, DEFAULT_COMPACT_AFTER_BYTES);
    }

    StoreWriter(StateStore store, CoordinatorSnapshot current, long compactAfterBytes) {
        this.store = store;
        this.mirror = new StateMirror(current);
        this.compactAfterBytes = compactAfterBytes;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Persists {@code records} (in order, after every record submitted before) and then runs {@code done}. With none,
     * only orders {@code done} after the writes submitted before it.
     */
    public void submit(List<StateRecord> records, Completion done) {
        synchronized (lock) {
            pending.addAll(records);
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
        List<StateRecord> records;
        List<Completion> cbs;
        synchronized (lock) {
            records = pending;
            pending = new ArrayList<>();
            cbs = waiting;
            waiting = new ArrayList<>();
            scheduled = false;
        }
        IOException failure = null;
        if (!records.isEmpty() || compactionDue) {
            try {
                write(records);
                writes.increment();
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
                failures.increment();
                compactionDue = true;
                LOG.error("cannot persist coordinator state ({} change record(s)) to {}: {}; the next write "
                    + "rewrites the whole state", records.size(), store.file(), e.toString());
            }
        }
        complete(cbs, failure);
    }

    /** Appends {@code records}, or rewrites everything when a compaction is due; the mirror takes them first. */
    private void write(List<StateRecord> records) throws IOException {
        byte[] frames = compactionDue ? null : ChangeLogCodec.encode(records);
        for (StateRecord r : records) {
            mirror.apply(r); // before the write: a failed one is retried by the next compaction
        }
        if (compactionDue || store.logBytes() + frames.length > compactAfterBytes) {
            if (frames != null) {
                store.append(frames); // durable first, so a failed compaction still loses nothing
            }
            compactionDue = true;
            store.compact(mirror.toSnapshot());
            compactionDue = false;
            compactions.increment();
            return;
        }
        store.append(frames);
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

    /** Writes (appends or compactions) that succeeded. */
    public long writes() {
        return writes.sum();
    }

    /** Snapshots written to compact the change log. */
    public long compactions() {
        return compactions.sum();
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
