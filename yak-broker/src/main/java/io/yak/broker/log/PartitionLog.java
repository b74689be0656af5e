package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BASE_SEQUENCE_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_V2;
import static io.yak.wire.record.RecordBatchLayout.MAX_TIMESTAMP_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.PRODUCER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.PRODUCER_ID_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_OFFSET;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.TRUNCATE_EXISTING;
import static java.nio.file.StandardOpenOption.WRITE;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import io.yak.wire.WireException;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordCursor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one partition: an ordered list of memory-mapped segment files in one directory ({@code STORAGE.md}).
 *
 * <p>Threads: one thread at a time per partition calls {@link #append}, {@link #appendInPlace},
 * {@link #appendAsFollower}, {@link #truncateTo}, {@link #truncateFullyAndStartAt}, {@link #flush},
 * {@link #maybeFlush}, {@link #deleteOldSegments}, {@link #checkpointHighWatermark}, {@link #close} and
 * {@link #abandon} (the broker's writer thread of the partition, or an event loop holding the partition's lock for
 * {@link #appendInPlace}). All but {@link #appendInPlace} may block on the file system (rolling creates and maps
 * files and forces the old ones; the flush policy forces; a new leader epoch rewrites its file; retention and
 * truncation write, rename and delete files), so they must not run on an event loop; {@link #appendInPlace} only
 * copies into a page the previous append wrote, or declines. {@link #open} recovers the directory and may take long;
 * call it off the event loop too. {@link #read}, {@link #offsetForTimestamp}, {@link #logStartOffset()},
 * {@link #logEndOffset()}, {@link #segmentCount()}, {@link #highWatermark()}, {@link #updateHighWatermark},
 * {@link #latestEpoch()}, {@link #endOffsetForEpoch} and {@link #epochForOffset} are safe from any thread at any time
 * before {@link #close}, and take no lock: the writer copies batches behind a published end and moves the end
 * (volatile) only after all of an append's bytes are in place, so readers never slow the writer down.
 *
 * <p>Buffers: {@link #append}, {@link #appendInPlace} and {@link #appendAsFollower} borrow their argument (not
 * modified, not released: the caller releases it). {@link #read} returns a read-only view of the mapped file that
 * the caller owns (releasing it is harmless and frees nothing). It stays valid until {@link #close}, or, when its
 * segment is sealed or deleted by retention meanwhile, for at least {@link LogConfig#fileDeleteDelayMs()} after
 * that: the broker must not keep such a buffer longer (a consume response stuck in a socket that long must be
 * dropped), and must stop serving a partition before closing it.
 *
 * <p>Durability: a successful append is in the page cache and survives a crash of the process; it survives a power
 * loss only once forced, by the flush policy ({@link LogConfig#flushMessages()}, {@link LogConfig#flushMs()}), by
 * {@link #flush()}, by a roll (sealing forces the old segment) or by {@link #close()}. The {@code recovery-point}
 * file records how far that is known to hold, so recovery re-checks only what is newer ({@code STORAGE.md}).
 */
public final class PartitionLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLog.class);
    /** {@link #appendInPlace}'s answer when the append needs the writer thread. */
    public static final long NEEDS_WRITER = -1;
    /** {@link #appendInPlace} declines this many bytes or more: they cannot fit in one memory page. */
    public static final int IN_PLACE_MAX_BYTES = Segment.PAGE_SIZE;

    private final Path directory;
    private final String name;
    /** Replaced by {@link #reconfigure} (a topic config change); changed and read under the partition's lock. */
    private LogConfig config;
    private final LongSupplier clockMs;
    /** Writer thread: checks appended batches. */
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    /** Writer thread: walks the records of a follower's batches. */
    private final RecordCursor cursor = new RecordCursor();

    /** Segments in offset order, the last one active; replaced (copy on write) by a roll or by retention. */
    private volatile Segments segments;
    /** First readable offset; retention publishes a new one before the segments it deletes leave the list. */
    private volatile long logStartOffset;
    /** Published next offset: every offset below it is readable. Written after the segment's end moved. */
    private volatile long logEndOffset;
    private volatile boolean closed;
    /** Set by {@link #close} once the clean-shutdown marker is written. */
    private volatile boolean closedClean;
    /**
     * Odd while a truncation publishes a new log end and segment list, incremented before and after: a read that
     * found its offset past the batches of the segment it looked in retries only when a truncation ran meanwhile.
     * Written by the writer thread only.
     */
    private volatile int truncations;
    /**
     * Highest offset known replicated ({@link #highWatermark()}); raised by any thread (CAS), lowered only by the
     * writer's truncations. May lag behind a moved log start or log end for a moment: readers clamp it.
     */
    private volatile long highWatermark;
    /** Leader epochs and where they start; set at open, never replaced. */
    private LeaderEpochCache epochCache;
    /** Idempotent producers' last batches; set at open, then the writer's (checked and updated with appends). */
    private ProducerStateManager producers;

    // Owned by the writer thread.
    private Segment active;
    private long nextOffset;
    private long unflushedMessages;
    private long lastFlushMs;
    private long forceCount;
    /** Set when a write or roll failed half way; appends are refused until the log is reopened (and recovered). */
    private IOException failure;
    /** Every offset below it was forced (always within the active segment: sealing forces). */
    private long recoveryPoint;
    /** What the recovery-point file holds, so an unchanged one is not rewritten. */
    private RecoveryPoint persisted;
    /** What the high-watermark file holds (-1: no valid file). */
    private long persistedHighWatermark = -1;
    /** Tests: called at each step of a truncation; throwing there stands in for a crash at that point. */
    private TruncationHook truncationHook = step -> { };
    /** Segments whose mappings (and, once deleted, files) wait for {@code file.delete.delay.ms} to pass. */
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();

    private static final VarHandle HIGH_WATERMARK;

    static {
        try {
            HIGH_WATERMARK = MethodHandles.lookup().findVarHandle(PartitionLog.class, "highWatermark", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Tests: a point in a truncation ({@link #truncateTo}); throwing an {@link Error} there leaves files as a crash. */
    interface TruncationHook {
        void reached(String step) throws IOException;
    }

    /** A release after {@code dueMs}: the retired mappings of a sealed segment, or a deleted segment entirely. */
    private record Deferred(long dueMs, Segment segment, boolean deleted) {
    }

    private PartitionLog(Path directory, String name, LogConfig config, LongSupplier clockMs, List<Segment> list,
                         long logStartOffset) {
        this.directory = directory;
        this.name = name;
        this.config = config;
        this.clockMs = clockMs;
        this.segments = new Segments(list.toArray(new Segment[0]));
        this.active = list.get(list.size() - 1);
        this.nextOffset = active.nextOffset();
        this.logStartOffset = logStartOffset;
        this.logEndOffset = nextOffset;
        this.lastFlushMs = clockMs.getAsLong();
    }

    /**
     * The file in a partition directory that records its topic's id ({@code STORAGE.md}, "Partition directory");
     * written and read by the partition manager, ignored by the log.
     */
    public static final String TOPIC_ID_FILE = SegmentLayout.TOPIC_ID_FILE;

    /** {@code <dataDir>/<topic>-<partition>}, the directory of a partition's log. */
    public static Path directoryFor(Path dataDir, String topic, int partition) {
        return dataDir.resolve(topic + "-" + partition);
    }

    /** {@link #open(Path, String, int, LogConfig, LongSupplier)} with the system clock. */
    public static PartitionLog open(Path partitionDir, String topic, int partition, LogConfig config)
        throws IOException {
        return open(partitionDir, topic, partition, config, System::currentTimeMillis);
    }

    /**
     * Opens (creating the directory and a first segment if needed) and recovers a partition log ({@code STORAGE.md},
     * "Recovery"). Blocks on file I/O: every segment is mapped; segments below the recovery point are trusted (their
     * index files checked, rebuilt when bad), the others scanned and CRC32C-checked.
     *
     * @param clockMs milliseconds, for the {@code flush.ms} policy, {@code segment.ms}, retention by time and the
     *                delay before deleted segments are unmapped
     * @throws LogCorruptedException when a sealed segment is damaged or segments do not follow each other: the
     *                               partition must stay offline
     * @throws IOException           on other file system errors
     * @throws IllegalArgumentException when {@code topic} is not a valid topic name ({@code TopicNames}) or
     *                               {@code partition < 0}
     */
    public static PartitionLog open(Path partitionDir, String topic, int partition, LogConfig config,
                                    LongSupplier clockMs) throws IOException {
        Objects.requireNonNull(partitionDir, "partitionDir");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clockMs, "clockMs");
        if (partition < 0) {
            throw new IllegalArgumentException("partition " + partition + " < 0");
        }
        if (!TopicNames.isValid(topic)) {
            // The partition manager never opens such a log (issue 19); checked again here because the name becomes
            // a directory and goes into every log line of this partition.
            throw new IllegalArgumentException("'" + LogText.safe(topic) + "' is not a valid topic name");
        }
        String name = topic + "-" + partition;
        long startedNs = System.nanoTime();
        Files.createDirectories(partitionDir);
        boolean clean = Files.deleteIfExists(partitionDir.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE));
        if (clean) {
            // A crash from here on must not find the marker again.
            DurableFiles.syncDirectory(partitionDir);
        }
        LogRecovery.Result recovered = LogRecovery.recover(partitionDir, name, config, clean, clockMs.getAsLong());
        List<Segment> list = recovered.segments();
        // No segment and no recovery point: a new partition, with no previous run to have stopped cleanly or not.
        boolean created = list.isEmpty() && recovered.recoveryPoint() == null;
        if (list.isEmpty()) {
            list = List.of(Segment.create(partitionDir, name, recovered.logStartOffset(), config.segmentBytes(),
                config.indexIntervalBytes()));
        }
        PartitionLog log = new PartitionLog(partitionDir, name, config, clockMs, list, recovered.logStartOffset());
        RecoveryPoint read = recovered.recoveryPoint();
        // Sealed segments are forced, so the recovery point is at least the active segment's base offset.
        log.recoveryPoint = read == null ? log.active.baseOffset
            : Math.min(Math.max(read.offset(), log.active.baseOffset), log.nextOffset);
        log.persisted = recovered.rewrite() ? null : read;
        try {
            // Also makes a newly created first segment's directory entry durable.
            log.checkpoint();
            log.epochCache = loadEpochCache(partitionDir, name, log.segments.list, log.logStartOffset,
                log.logEndOffset);
            log.loadHighWatermark();
            log.producers = new ProducerStateManager(partitionDir, name, config.producerIdExpirationMs());
            log.producers.load(log.logStartOffset, log.logEndOffset, log::replayProducers);
        } catch (IOException | RuntimeException e) {
            try {
                log.abandon();
            } catch (IOException | RuntimeException released) {
                e.addSuppressed(released);
            }
            throw e;
        }
        if (created) {
            LOG.info("created partition log {} in {}: new and empty, first offset {}; {} ms", name, partitionDir,
                log.logStartOffset, (System.nanoTime() - startedNs) / 1_000_000);
        } else {
            LOG.info("opened partition log {} in {}: {} segment(s), offsets [{}, {}), last shutdown {}, recovery "
                    + "point {}: {}; high watermark {}, leader epochs {}, {} idempotent producer(s); {} ms", name,
                partitionDir, list.size(), log.logStartOffset, log.logEndOffset, clean ? "clean" : "unclean (recovered)",
                read == null ? "none" : read.offset(), recovered.summary(), log.highWatermark(), log.epochCache,
                log.producers.producerCount(), (System.nanoTime() - startedNs) / 1_000_000);
        }
        return log;
    }

    /**
     * Open: the leader-epoch cache from its file, or rebuilt from the batch headers of every segment when the file
     * is missing (a log written before the file existed) or invalid (WARN); then cut to the log as recovery left it:
     * entries before the log start and at or after the log end go (the file may run ahead of the log after a crash:
     * it is written before the batches of a new epoch, and after a truncation).
     */
    private static LeaderEpochCache loadEpochCache(Path directory, String name, Segment[] list, long logStart,
                                                   long logEnd) throws IOException {
        LeaderEpochCheckpoint.Entries entries = null;
        String problem = null;
        try {
            entries = LeaderEpochCheckpoint.read(directory);
        } catch (InvalidFileException e) {
            problem = e.getMessage();
        }
        LeaderEpochCache cache;
        if (entries != null) {
            cache = LeaderEpochCache.of(directory, name, entries);
        } else if (problem == null && logStart == logEnd) {
            cache = LeaderEpochCache.empty(directory, name); // a new or empty log: nothing to rebuild from
        } else {
            LeaderEpochCache.Rebuilder rebuilder = new LeaderEpochCache.Rebuilder(directory, name);
            for (Segment segment : list) {
                String stopped = segment.walkBatches((view, position) -> rebuilder.batch(
                    view.getInt(position + PARTITION_LEADER_EPOCH_OFFSET), view.getLong(position + BASE_OFFSET_OFFSET)));
                if (stopped != null) {
                    LOG.warn("partition {}: rebuilding the leader-epoch cache stopped early: {}", name, stopped);
                    break;
                }
            }
            cache = rebuilder.build();
            LOG.warn("partition {}: {}; rebuilt it from the batches of {} segment(s): {}", name,
                problem == null ? "no " + SegmentLayout.LEADER_EPOCH_FILE + " file" : "ignoring invalid " + problem,
                list.length, cache);
            cache.persist();
        }
        cache.truncateFromStart(logStart);
        cache.truncateFromEnd(logEnd);
        return cache;
    }

    /** Open: the checkpointed high watermark within [log start, log end]; the log start without a valid file. */
    private void loadHighWatermark() throws IOException {
        long read;
        try {
            read = HighWatermarkCheckpoint.read(directory);
        } catch (InvalidFileException e) {
            LOG.warn("partition {}: ignoring invalid high-watermark file ({}); the high watermark starts at the log "
                + "start offset {}", name, e.getMessage(), logStartOffset);
            read = -1;
        }
        persistedHighWatermark = read;
        highWatermark = Math.min(Math.max(read, logStartOffset), logEndOffset);
    }

    /**
     * Open or truncation: feeds the producer state the idempotent batches that start in {@code [from, to)}, from
     * their headers. A batch header that fails its checks stops the walk of its segment with a WARN (recovery
     * already cut the log before any such batch, so this is damage found since).
     */
    private void replayProducers(long from, long to) {
        for (Segment segment : segments.list) {
            if (segment.nextOffset() <= from || segment.baseOffset >= to) {
                continue;
            }
            String stopped = segment.walkBatches((view, position) -> {
                long base = view.getLong(position + BASE_OFFSET_OFFSET);
                if (base >= from && base < to) {
                    producers.apply(view.getLong(position + PRODUCER_ID_OFFSET),
                        view.getShort(position + PRODUCER_EPOCH_OFFSET), view.getInt(position + BASE_SEQUENCE_OFFSET),
                        view.getInt(position + LAST_OFFSET_DELTA_OFFSET), base,
                        view.getLong(position + MAX_TIMESTAMP_OFFSET));
                }
            });
            if (stopped != null) {
                LOG.warn("partition {}: rebuilding the producer state stopped early in {}: {}", name, segment.file(),
                    stopped);
            }
        }
    }

    /**
     * Writer thread only. Appends one or more complete record batches, {@code batches[readerIndex, writerIndex)},
     * that the caller already validated (CRC32C and records included; the CRC32C is not recomputed here, only under
     * {@code -ea}). Stamps base offsets, contiguous from {@link #logEndOffset()}, and {@code leaderEpoch} into the
     * stored copy; {@code batches} is borrowed and not modified (neither its bytes nor its indexes). All batches of
     * one call go to one segment: a roll happens first when they do not fit the active one. Readers see none of the
     * batches until all are copied; then the log end moves past all of them. May force per the flush policy, before
     * the end moves.
     *
     * <p>Leader epochs: when {@code leaderEpoch} is newer than {@link #latestEpoch()}, it is recorded in the
     * leader-epoch cache as starting at the first offset of this append, and the {@code leader-epoch-checkpoint}
     * file is rewritten (a blocking write, once per new epoch) before any batch is copied, so a crash never leaves
     * batches of an epoch the file does not know.
     *
     * <p>Idempotent batches ({@code producer_id >= 0}) are checked against the producer state first ({@code WIRE.md},
     * "Idempotent publishes"): a retry of batches already stored appends nothing and returns where they were stored.
     *
     * @return the offset given to the first record (of the stored copy, for a retry)
     * @throws ProducerSequenceException when the producer checks refuse the batches: nothing is appended
     * @throws IllegalArgumentException when the bytes are not a sequence of whole v2 batches, or
     *                                  {@code leaderEpoch} is below {@link #latestEpoch()} (a stale leader must not
     *                                  append after newer records; a caller bug): nothing is appended
     * @throws IOException              when the disk fails; the log then refuses appends until reopened (a batch
     *                                  of a failed append may or may not be there after recovery, like any write
     *                                  that was not acknowledged)
     */
    public long append(ByteBuf batches, int leaderEpoch) throws IOException {
        return append(batches, leaderEpoch, false);
    }

    /**
     * {@link #append}, but only when it is a copy into memory that cannot wait for the disk: the batches fit in the
     * page of the active segment that the previous append wrote (resident, mapped, its blocks allocated), add no
     * index entry, {@code leaderEpoch} is the latest epoch already (a new one rewrites the leader-epoch file), and
     * neither a roll nor the flush policy is due. Otherwise changes nothing and returns {@link #NEEDS_WRITER}. Lets
     * an event loop append a small publish itself when the partition's writer is idle (the caller keeps the two from
     * running at once, {@code PartitionManager}). Allocation-free.
     *
     * @return the offset given to the first record, or {@link #NEEDS_WRITER}
     */
    public long appendInPlace(ByteBuf batches, int leaderEpoch) throws IOException {
        return append(batches, leaderEpoch, true);
    }

    private long append(ByteBuf batches, int leaderEpoch, boolean inPlaceOnly) throws IOException {
        checkWritable();
        int from = batches.readerIndex();
        int to = batches.writerIndex();
        long records = checkBatches(batches, from, to);
        int latestEpoch = epochCache.latestEpoch();
        if (leaderEpoch != latestEpoch) {
            if (inPlaceOnly) {
                return NEEDS_WRITER;
            }
            if (leaderEpoch < latestEpoch) {
                throw new IllegalArgumentException("append to partition " + name + " with leader epoch " + leaderEpoch
                    + ", below its latest epoch " + latestEpoch + " (a stale leader): nothing appended");
            }
        }
        long stored = producers.check(batches, from, to, batch);
        if (stored != ProducerStateManager.APPEND) {
            return stored;
        }
        long nowMs = clockMs.getAsLong();
        if (inPlaceOnly && (rollDue(active, nowMs) || flushDue(records, nowMs)
            || !active.appendableInPlace(to - from, config.indexIntervalBytes(), nowMs))) {
            return NEEDS_WRITER;
        }
        Segment segment = segmentFor(to - from, nowMs);
        long baseOffset = nextOffset;
        try {
            if (leaderEpoch != latestEpoch) {
                epochCache.assign(leaderEpoch, baseOffset); // before the batches: see LeaderEpochCache
            }
        } catch (IOException e) {
            throw fail(e);
        }
        store(segment, batches, from, to, baseOffset, records, leaderEpoch, true, nowMs);
        producers.appended(batches, from, to, baseOffset, batch, nowMs);
        if (!inPlaceOnly) {
            producers.maybeExpire(nowMs);
        }
        return baseOffset;
    }

    /**
     * Writer thread: reserves, copies (stamping or not), forces per the flush policy and publishes, then moves the
     * log end; any I/O failure fails the log.
     */
    private void store(Segment segment, ByteBuf batches, int from, int to, long baseOffset, long records,
                       int leaderEpoch, boolean stamp, long nowMs) throws IOException {
        try {
            segment.reserve(to - from); // a full disk fails here, before any byte is copied
            int newEnd = stamp ? segment.write(batches, from, to, baseOffset, leaderEpoch)
                : segment.writeUnchanged(batches, from, to);
            if (flushDue(records, nowMs)) {
                segment.force(newEnd);
                flushed(nowMs);
                recoveryPoint = baseOffset + records;
            } else {
                unflushedMessages += records;
            }
            segment.publish(newEnd, baseOffset + records, config.indexIntervalBytes(), nowMs);
        } catch (InternalError e) {
            // A fault on mapped memory (SIGBUS): an I/O error, or a page the file system could not provide.
            throw fail(new IOException("partition " + name + ": writing " + segment.file() + " failed (disk full?)",
                e));
        } catch (IOException e) {
            throw fail(e);
        }
        nextOffset = baseOffset + records;
        logEndOffset = nextOffset;
    }

    /**
     * Writer thread only (a follower's replication thread, under the same rules as {@link #append}). Appends batches
     * copied from the leader's log <em>unchanged</em>: their base offsets and {@code partition_leader_epoch} are
     * kept, not stamped. Checks everything before it changes anything, and appends all or nothing: each batch's
     * header (lengths, magic 2, {@code last_offset_delta = records_count - 1}), its CRC32C and its records (as the
     * broker checks a producer's batches), that the first batch's base offset is {@link #logEndOffset()} and each
     * next one follows the previous one's last offset, and that leader epochs never decrease, from
     * {@link #latestEpoch()} on. Each new epoch is recorded in the leader-epoch cache (and its file rewritten) at
     * the base offset of its first batch, before the batches are copied. Otherwise as {@link #append}: one segment
     * per call, a roll first if needed, the flush policy, readers see all or none. {@code batches} is borrowed, not
     * modified and not released. Allocates a little per new epoch; the copy itself allocates nothing.
     *
     * @return the new log end offset (unchanged for an empty buffer, which appends nothing)
     * @throws IllegalArgumentException when a check fails (the message names the batch's index in {@code batches}
     *                                  and the values): nothing is appended; a follower then fetches again from
     *                                  {@link #logEndOffset()} (or truncates first)
     * @throws IOException              when the disk fails; the log then refuses appends until reopened
     */
    public long appendAsFollower(ByteBuf batches) throws IOException {
        checkWritable();
        int from = batches.readerIndex();
        int to = batches.writerIndex();
        if (from == to) {
            return nextOffset;
        }
        checkAppendLength(from, to);
        int latestEpoch = epochCache.latestEpoch();
        List<long[]> newEpochs = null;
        long expected = nextOffset;
        int index = from;
        while (index < to) {
            batch.wrap(batches, index, to);
            try {
                batch.validateDeep(cursor);
            } catch (WireException e) {
                throw new IllegalArgumentException(followerProblem(index, e.getMessage()), e);
            }
            if (batch.baseOffset() != expected) {
                throw new IllegalArgumentException(followerProblem(index, "base offset " + batch.baseOffset()
                    + ", expected " + expected + (index == from ? " (the log end offset)" : " (after the batch before)")));
            }
            int epoch = batch.partitionLeaderEpoch();
            if (epoch < latestEpoch) {
                throw new IllegalArgumentException(followerProblem(index, "leader epoch " + epoch + " below "
                    + latestEpoch + ", the latest of the log or of the batches before"));
            }
            if (epoch > latestEpoch) {
                if (newEpochs == null) {
                    newEpochs = new ArrayList<>(2);
                }
                newEpochs.add(new long[] {epoch, expected});
                latestEpoch = epoch;
            }
            expected = batch.lastOffset() + 1;
            index += batch.sizeInBytes();
        }
        long records = expected - nextOffset;
        long nowMs = clockMs.getAsLong();
        Segment segment = segmentFor(to - from, nowMs);
        long baseOffset = nextOffset;
        if (newEpochs != null) {
            try {
                for (long[] epochStart : newEpochs) {
                    epochCache.assign((int) epochStart[0], epochStart[1]); // before the batches: see LeaderEpochCache
                }
            } catch (IOException e) {
                throw fail(e);
            }
        }
        store(segment, batches, from, to, baseOffset, records, LeaderEpochCache.UNDEFINED_EPOCH, false, nowMs);
        producers.appendedAsFollower(batches, from, to, batch, nowMs);
        producers.maybeExpire(nowMs);
        return nextOffset;
    }

    private String followerProblem(int index, String what) {
        return "follower append to partition " + name + " at log end offset " + nextOffset + ": batch at index "
            + index + ": " + what + "; nothing appended";
    }

    /**
     * The leader append's header checks (lengths, magic, record count; the CRC32C the caller already checked only
     * under {@code -ea}). Returns the record count. A follower append checks more, with {@code validateDeep}.
     */
    private long checkBatches(ByteBuf src, int from, int to) {
        checkAppendLength(from, to);
        long records = 0;
        int index = from;
        do {
            batch.wrap(src, index, to);
            if (!batch.headerFits()) {
                throw badBatch(index, "header needs " + RECORDS_OFFSET + " bytes, " + (to - index) + " left");
            }
            int length = batch.batchLength();
            if (length < MIN_BATCH_LENGTH || length > to - index - LOG_OVERHEAD) {
                throw badBatch(index, "length " + length + " outside " + MIN_BATCH_LENGTH + ".."
                    + (to - index - LOG_OVERHEAD));
            }
            if (batch.magic() != MAGIC_V2) {
                throw badBatch(index, "magic " + batch.magic());
            }
            int count = batch.recordCount();
            if (count <= 0 || batch.lastOffsetDelta() != count - 1) {
                throw badBatch(index, "record count " + count + ", last offset delta " + batch.lastOffsetDelta());
            }
            assert batch.crc() == batch.computeCrc() : "append of a batch with a bad CRC32C to partition " + name;
            records += count;
            index += LOG_OVERHEAD + length;
        } while (index < to);
        return records;
    }

    /** A segment holds at most {@code Integer.MAX_VALUE} bytes, its header included. */
    private void checkAppendLength(int from, int to) {
        if (to - from > Integer.MAX_VALUE - HEADER_LENGTH) {
            throw new IllegalArgumentException("append of " + (to - from) + " bytes to partition " + name);
        }
    }

    private IllegalArgumentException badBatch(int index, String what) {
        return new IllegalArgumentException("append to partition " + name + ": batch at index " + index + ": " + what);
    }

    /**
     * The segment the next {@code bytes} go to: the active one, grown when empty, or a new one after a roll (the
     * bytes do not fit, or the active segment's first batch is {@code segment.ms} old).
     */
    private Segment segmentFor(int bytes, long nowMs) throws IOException {
        Segment current = active;
        boolean expired = rollDue(current, nowMs);
        if (!expired && current.hasRoomFor(bytes)) {
            return current;
        }
        int capacity = Math.max(config.segmentBytes(), HEADER_LENGTH + bytes);
        if (current.isEmpty()) {
            try {
                current.grow(capacity, config.indexIntervalBytes());
                return current;
            } catch (IOException e) {
                throw fail(e);
            } catch (InternalError e) {
                throw fail(new IOException("partition " + name + ": growing a segment failed", e));
            }
        }
        return roll(current, capacity, nowMs, expired ? "segment.ms" : "segment.bytes");
    }

    /** {@code segment.ms} has passed since the active segment's first batch. */
    private boolean rollDue(Segment current, long nowMs) {
        return config.segmentMs() != Long.MAX_VALUE && !current.isEmpty()
            && nowMs - current.rollBaseMs() >= config.segmentMs();
    }

    /** Writer thread: seals the non-empty active segment and starts a new one of {@code capacity} bytes after it. */
    private Segment roll(Segment current, int capacity, long nowMs, String why) throws IOException {
        try {
            current.seal();
            // Sealing forced everything appended so far.
            flushed(nowMs);
            recoveryPoint = nextOffset;
            deferred.add(new Deferred(nowMs + config.fileDeleteDelayMs(), current, false));
            Segment next = Segment.create(directory, name, nextOffset, capacity, config.indexIntervalBytes());
            segments = segments.with(next);
            active = next;
            // Names the new segment as the recovery point's, and makes its creation durable (fsync of the directory).
            checkpoint();
            LOG.debug("partition {}: rolled segment {} at offset {} ({})", name, next.file(), nextOffset, why);
            snapshotProducers(nowMs);
            releaseDue(nowMs);
            return next;
        } catch (IOException e) {
            throw fail(e);
        } catch (InternalError e) {
            throw fail(new IOException("partition " + name + ": rolling a segment failed", e));
        }
    }

    /**
     * Writer thread: a producer snapshot at the log end, so an open replays at most the active segment. Only a
     * shortcut: a failed write is logged, and the next open replays from an older snapshot or the log start.
     */
    private void snapshotProducers(long nowMs) {
        try {
            producers.snapshot(nextOffset, nowMs);
        } catch (IOException | RuntimeException e) {
            LOG.warn("partition {}: writing the producer snapshot at offset {} failed: {}", name, nextOffset,
                e.toString());
        }
    }

    private boolean flushDue(long newRecords, long nowMs) {
        return unflushedMessages + newRecords >= config.flushMessages()
            || config.flushMs() != Long.MAX_VALUE && nowMs - lastFlushMs >= config.flushMs();
    }

    private void flushed(long nowMs) {
        unflushedMessages = 0;
        lastFlushMs = nowMs;
        forceCount++;
    }

    /** Writer thread: rewrites the recovery-point file when its content changed (atomic replace, fsyncs). */
    private void checkpoint() throws IOException {
        writeRecoveryPoint(new RecoveryPoint(recoveryPoint, active.baseOffset, logStartOffset));
    }

    private IOException fail(IOException e) {
        if (failure == null) {
            failure = e;
            LOG.error("partition {}: log failed, appends are refused until it is reopened", name, e);
        }
        return e;
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (failure != null) {
            throw new LogFailedException("partition " + name + ": log failed earlier, reopen it to recover", failure);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("partition log " + name + " is closed");
        }
    }

    /**
     * Writer thread only. Whether a write, roll or force failed half way (e.g. a full disk): appends and flushes are
     * then refused with {@link LogFailedException} until the log is reopened, which recovers it.
     */
    public boolean failed() {
        return failure != null;
    }

    /** Offset of the first record still in the log. Any thread. */
    public long logStartOffset() {
        return logStartOffset;
    }

    /** Offset the next appended record gets; every offset below it is readable. Any thread. */
    public long logEndOffset() {
        return logEndOffset;
    }

    /**
     * Any thread. Whole batches, from the batch that contains {@code offset} on, all from one segment, totaling at
     * most {@code maxBytes} except that the first batch is always included whole. The caller skips the records of
     * the first batch below {@code offset}. Views the mapped file without copying: a read-only buffer the caller
     * owns (release is harmless), valid as the class comment says. Allocates three small view objects per call (one
     * more when it checks CRC32Cs), whatever the size. Never serves a batch that fails its checks: the read stops before it, or throws when it is
     * the first one. Reads up to the log end, whatever the high watermark: bound them with
     * {@link #read(long, int, long)}.
     *
     * @return {@link Unpooled#EMPTY_BUFFER} when {@code offset == logEndOffset()}
     * @throws OffsetOutOfRangeException when {@code offset < logStartOffset()} or {@code offset > logEndOffset()}
     * @throws CorruptBatchException     when the batch holding {@code offset} is damaged ({@code STORAGE.md},
     *                                   "Reads")
     */
    public ByteBuf read(long offset, int maxBytes) {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /**
     * Any thread. {@link #read(long, int)}, but only whole batches whose last offset is below {@code maxOffset}
     * (for consumers, the high watermark the caller read): an empty buffer when the batch holding {@code offset}
     * ends at or after it. Allocation as {@link #read(long, int)}.
     *
     * <p>A read that races a {@link #truncateTo truncation} either sees the log before it (views of the old segments,
     * whose bytes never change) or after it; at an offset at or past the new end it behaves as at the log end.
     *
     * @return {@link Unpooled#EMPTY_BUFFER} when {@code offset == logEndOffset()}, {@code offset >= maxOffset}, or
     *         the first batch's last offset is {@code maxOffset} or more
     * @throws OffsetOutOfRangeException when {@code offset < logStartOffset()} or {@code offset > logEndOffset()}
     * @throws CorruptBatchException     when the batch holding {@code offset} is damaged
     */
    public ByteBuf read(long offset, int maxBytes, long maxOffset) {
        checkOpen();
        while (true) {
            int truncationsBefore = truncations;
            long end = logEndOffset;
            long start = logStartOffset;
            if (offset < start || offset > end) {
                throw new OffsetOutOfRangeException(name, offset, start, end);
            }
            if (offset == end || offset >= maxOffset) {
                return Unpooled.EMPTY_BUFFER;
            }
            // The segment holding offset was listed before the end moved past offset, and its end moved before that.
            Segment segment = segments.floor(offset);
            if (offset < segment.baseOffset) {
                // Retention (or a full truncation) moved the log start past offset after the check above.
                throw new OffsetOutOfRangeException(name, offset, logStartOffset, logEndOffset);
            }
            ByteBuf batches = segment.read(offset, maxBytes, maxOffset);
            if (batches != null) {
                return batches;
            }
            if ((truncationsBefore & 1) == 0 && truncations == truncationsBefore) {
                throw new IllegalStateException("partition " + name + ": offset " + offset + " is below the log end "
                    + end + " but past the batches of " + segment);
            }
            // A truncation replaced the segment after this read took the log end: look again at the new log.
        }
    }

    /**
     * Any thread. The base offset of the first batch, in offset order, whose max timestamp is at least
     * {@code timestampMs} (Kafka's {@code offsetsForTimes} at batch granularity: the batch may also hold older
     * records, which the consumer skips or not), or -1 when no batch is that new; the caller then answers the log
     * end offset. Binary searches each candidate segment's time index and offset index, then walks at most the
     * batches between two index entries. Allocates nothing on the way.
     *
     * @throws CorruptBatchException when a batch it must look at is damaged
     */
    public long offsetForTimestamp(long timestampMs) {
        checkOpen();
        for (Segment segment : segments.list) {
            if (segment.maxTimestamp() >= timestampMs) {
                long offset = segment.offsetForTimestamp(timestampMs);
                if (offset >= 0) {
                    // A segment that retention just removed may still answer; its data is gone for readers.
                    return Math.max(offset, logStartOffset);
                }
            }
        }
        return -1;
    }

    /** Any thread. Where the first leader epoch the cache knows starts, -1 when it knows none. */
    public long firstEpochStartOffset() {
        return epochCache.firstStartOffset();
    }

    /** Any thread. The newest leader epoch of the log's batches (and of the cache), -1 when none has one. */
    public int latestEpoch() {
        return epochCache.latestEpoch();
    }

    /**
     * Any thread. KIP-279 ({@code OffsetsForLeaderEpoch}): the largest leader epoch at or below
     * {@code requestedEpoch} that this log knows, and the start offset of the next larger epoch it knows, or the log
     * end offset when that is the latest epoch; {@link EpochEndOffset#UNDEFINED} when {@code requestedEpoch} is -1
     * or below every epoch known (also when none is). A follower truncates its log to the smaller of that offset and
     * its own end for the same epoch. Allocates the answer.
     */
    public EpochEndOffset endOffsetForEpoch(int requestedEpoch) {
        long end = logEndOffset; // before the cache: a new epoch is in the cache before its batches move the end
        return epochCache.endOffsetFor(requestedEpoch, end);
    }

    /**
     * Any thread. The leader epoch of the record at {@code offset} according to the leader-epoch cache (that of the
     * last epoch starting at or before it), -1 when it is before the first epoch known. Does not check that the log
     * holds {@code offset}.
     */
    public int epochForOffset(long offset) {
        return epochCache.epochForOffset(offset);
    }

    /** Tests: the leader-epoch cache. */
    LeaderEpochCache epochCache() {
        return epochCache;
    }

    /**
     * Any thread. The high watermark: records below it are replicated (the partition layer decides which, and says
     * so with {@link #updateHighWatermark}). Always within {@code [logStartOffset(), logEndOffset()]} as read at the
     * call. Nothing in the log depends on it: {@link #read(long, int)} still reads up to the log end.
     */
    public long highWatermark() {
        long hw = highWatermark;
        long start = logStartOffset;
        long end = logEndOffset;
        return Math.min(Math.max(hw, start), end);
    }

    /**
     * Any thread (CAS, no lock, allocation-free). Raises the high watermark to {@code hw}, clamped to
     * {@code [logStartOffset(), logEndOffset()]}; a lower value changes nothing (monotonic: only a truncation lowers
     * it). In memory only: {@link #checkpointHighWatermark()} persists it.
     */
    public void updateHighWatermark(long hw) {
        while (true) {
            long current = highWatermark;
            long clamped = Math.min(Math.max(hw, logStartOffset), logEndOffset);
            if (clamped <= current) {
                return;
            }
            if (HIGH_WATERMARK.compareAndSet(this, current, clamped)) {
                break;
            }
        }
        // A truncation may have lowered the log end after it was read above: never leave the mark past it.
        lowerHighWatermarkTo(logEndOffset);
    }

    private void lowerHighWatermarkTo(long limit) {
        long current;
        while ((current = highWatermark) > limit && !HIGH_WATERMARK.compareAndSet(this, current, limit)) {
            Thread.onSpinWait();
        }
    }

    /**
     * Writer thread. Writes the {@code high-watermark} file (atomic replace, fsyncs: blocks) when the high watermark
     * changed since it was last written; {@link #close()} does it too. The partition layer calls it periodically (as
     * Kafka's {@code replica.high.watermark.checkpoint.interval.ms}): after a crash the high watermark restarts from
     * the last checkpoint, clamped to the recovered log.
     */
    public void checkpointHighWatermark() throws IOException {
        checkOpen();
        writeHighWatermark();
    }

    private void writeHighWatermark() throws IOException {
        long hw = highWatermark();
        if (hw != persistedHighWatermark) {
            HighWatermarkCheckpoint.write(directory, hw);
            persistedHighWatermark = hw;
        }
    }

    /** Tests: replaces the truncation hook. */
    void truncationHook(TruncationHook hook) {
        this.truncationHook = hook;
    }

    /**
     * Writer thread only (under the same rules as {@link #append}; blocks on file I/O). Removes every record at
     * {@code offset} or after: a follower whose log diverged from its leader's cuts it back (KIP-279). Truncation is
     * at a batch boundary: when {@code offset} falls inside a batch, that whole batch goes, and the log then ends at
     * its base offset, which is returned. {@code offset == logEndOffset()} changes nothing; below
     * {@link #logStartOffset()} it is {@link #truncateFullyAndStartAt}{@code (offset)}.
     *
     * <p>Safe under zero-copy reads: no byte a reader may hold a view of is changed or unmapped. The segment holding
     * the new end is replaced by a new file holding its batches before the new end (copied, CRC32C-checked), written
     * as {@code <base>.log.swap} and forced; then it and every later segment are retired newest first (renamed to
     * {@code *.deleted}, still mapped for {@code file.delete.delay.ms}, as retention does), and the swap file is
     * renamed into place and opened as the active segment, its index files built. A crash at any step leaves a log
     * that recovery opens as either the old log (maybe shorter by whole segments at its end) or the new one
     * ({@code STORAGE.md}, "Truncation"). Before any file changes, the high watermark (memory and file) and the
     * recovery point (file) are lowered to at most the new end; after, the leader-epoch cache drops the epochs that
     * start at or after it. Readers that read before keep their views of the old bytes; reads from then on see the
     * new end. Logs one INFO line.
     *
     * @return the new log end offset: {@code offset}, or the base offset of the batch that held it
     * @throws IllegalArgumentException when {@code offset < 0} or {@code offset > logEndOffset()}
     * @throws CorruptBatchException    when a batch to keep fails its checks (nothing changed)
     * @throws IOException              when the disk fails: before the first old segment was retired nothing but the
     *                                  lowered high watermark and recovery point changed and the log stays usable;
     *                                  after, the log is failed (appends refused) until reopened, which finishes or
     *                                  undoes the truncation
     */
    public long truncateTo(long offset) throws IOException {
        checkWritable();
        if (offset < 0 || offset > nextOffset) {
            throw new IllegalArgumentException("truncate partition " + name + " to offset " + offset + ": outside [0, "
                + nextOffset + "] (the log end offset)");
        }
        if (offset == nextOffset) {
            return offset;
        }
        if (offset < logStartOffset) {
            truncateFullyAndStartAt(offset);
            return offset;
        }
        Segments current = segments;
        Segment[] list = current.list;
        int first = current.floorIndex(offset);
        Segment holder = list[first];
        int position = holder.batchPosition(offset);
        long newEnd = holder.baseOffsetAt(position);
        if (newEnd < logStartOffset) {
            throw new IllegalStateException("partition " + name + ": the batch holding offset " + offset
                + " starts at " + newEnd + ", before the log start offset " + logStartOffset);
        }
        holder.verifyUpTo(position); // never copy a damaged batch into a segment trusted as written in this run
        long oldEnd = nextOffset;
        long nowMs = clockMs.getAsLong();
        // 1. Nothing a crash can leave from here on may claim records past the new end.
        lowerHighWatermarkTo(newEnd);
        checkpointHighWatermark();
        long interimRecoveryPoint = Math.min(recoveryPoint, newEnd);
        writeRecoveryPoint(new RecoveryPoint(interimRecoveryPoint, segments.floor(interimRecoveryPoint).baseOffset,
            logStartOffset));
        truncationHook.reached("recovery-point");
        // 2. The new last segment, complete and forced, under a name recovery installs only once step 3 is done.
        Path swap = directory.resolve(SegmentLayout.fileName(holder.baseOffset, SegmentLayout.SWAP_SUFFIX));
        try {
            holder.writeCopy(swap, holder.baseOffset, position);
        } catch (IOException e) {
            deleteAfterFailure(swap, e);
            throw e;
        }
        truncationHook.reached("swap-written");
        Segment replacement = replaceSegments(list, first, swap, newEnd, nowMs, null);
        long bytes = retiredBytes(list, first);
        publishTruncation(list, first, replacement, logStartOffset, newEnd, nowMs);
        try {
            epochCache.truncateFromEnd(newEnd);
            checkpointHighWatermark();
            producers.load(logStartOffset, newEnd, this::replayProducers);
        } catch (IOException e) {
            throw fail(e);
        }
        LOG.info("partition {}: truncated to offset {} (asked {}): log end offset {} -> {}, retired {} segment(s) "
                + "{}..{} ({} bytes), kept {} bytes of the first in a new {}; high watermark {}, leader epochs {}",
            name, newEnd, offset, oldEnd, newEnd, list.length - first, list[first].baseOffset,
            list[list.length - 1].baseOffset, bytes, position - HEADER_LENGTH, replacement.file().getFileName(),
            highWatermark(), epochCache);
        return newEnd;
    }

    /**
     * Writer thread only (blocks). Empties the log and restarts it at {@code offset}: every segment is retired and
     * an empty active segment starts there; log start offset, log end offset, recovery point and high watermark all
     * become {@code offset} and the leader-epoch cache is emptied (Kafka's {@code truncateFullyAndStartAt}: a
     * follower whose fetch offset the leader no longer has, or a truncation below the log start). The log start may
     * move back this way: only a follower, whose offsets come from its leader, may call it. Same zero-copy safety as
     * {@link #truncateTo}: the empty segment is written as {@code <offset>.log.fullswap} first, the old segments are
     * retired newest first, then it is renamed into place; a crash leaves either a prefix of the old log or the new
     * empty one ({@code STORAGE.md}, "Truncation"). Logs one INFO line.
     *
     * @throws IllegalArgumentException when {@code offset < 0}
     * @throws IOException              as {@link #truncateTo}
     */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        checkWritable();
        if (offset < 0) {
            throw new IllegalArgumentException("restart partition " + name + " at offset " + offset + " < 0");
        }
        Segment[] list = segments.list;
        if (list.length == 1 && active.baseOffset == offset && nextOffset == offset && logStartOffset == offset) {
            return; // already empty there
        }
        long oldStart = logStartOffset;
        long oldEnd = nextOffset;
        long nowMs = clockMs.getAsLong();
        lowerHighWatermarkTo(offset);
        checkpointHighWatermark();
        // The old segments are retired newest first, so what a crash leaves before the commit is a prefix of the log:
        // a recovery point at its first segment's base holds for any prefix.
        writeRecoveryPoint(new RecoveryPoint(Math.min(recoveryPoint, list[0].baseOffset), list[0].baseOffset,
            logStartOffset));
        truncationHook.reached("recovery-point");
        Path swap = directory.resolve(SegmentLayout.fileName(offset, SegmentLayout.FULL_SWAP_SUFFIX));
        try {
            Segment.writeEmpty(swap, offset);
        } catch (IOException e) {
            deleteAfterFailure(swap, e);
            throw e;
        }
        truncationHook.reached("swap-written");
        // Once no old segment is left, the recovery point may name the new start: a crash from there on finds no
        // segment but the fullswap, installs it and starts there; after the rename, finds just the new segment.
        Segment replacement = replaceSegments(list, 0, swap, offset, nowMs,
            new RecoveryPoint(offset, offset, offset));
        long bytes = retiredBytes(list, 0);
        publishTruncation(list, 0, replacement, offset, offset, nowMs);
        HIGH_WATERMARK.setVolatile(this, offset);
        try {
            epochCache.clear();
            checkpointHighWatermark();
            producers.clear();
        } catch (IOException e) {
            throw fail(e);
        }
        LOG.info("partition {}: truncated fully and restarted at offset {}: offsets [{}, {}) -> [{}, {}), retired {} "
            + "segment(s) ({} bytes)", name, offset, oldStart, oldEnd, offset, offset, list.length, bytes);
    }

    /**
     * Truncation, steps 3 and 4: retires {@code list[first..]} newest first (renamed to {@code *.deleted}; the
     * rename of {@code list[first]} is the commit point recovery goes by), fsyncs the directory (so no later rename
     * reaches the disk before them), writes {@code beforeInstall} (if any) to the recovery-point file, renames
     * {@code swap} to its segment name, fsyncs again, and opens it as the active segment. Any failure fails the log:
     * the next open finishes or undoes the truncation.
     */
    private Segment replaceSegments(Segment[] list, int first, Path swap, long newEnd, long nowMs,
                                    RecoveryPoint beforeInstall) throws IOException {
        try {
            for (int i = list.length - 1; i >= first; i--) {
                list[i].renameToDeleted();
                truncationHook.reached("retired " + list[i].baseOffset);
            }
            DurableFiles.syncDirectory(directory);
            truncationHook.reached("retired-synced");
            if (beforeInstall != null) {
                writeRecoveryPoint(beforeInstall);
                truncationHook.reached("restart-recovery-point");
            }
            String segmentName = swap.getFileName().toString();
            Path target = swap.resolveSibling(segmentName.substring(0, SegmentLayout.FILE_NAME_DIGITS)
                + SegmentLayout.SEGMENT_SUFFIX);
            Files.move(swap, target, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.syncDirectory(directory);
            truncationHook.reached("installed");
            return LogRecovery.openInstalled(target, name, config, nowMs, newEnd);
        } catch (IOException e) {
            throw fail(e);
        } catch (InternalError e) {
            throw fail(new IOException("partition " + name + ": truncation failed", e));
        }
    }

    /**
     * Truncation, step 5: publishes the new segment list, log start and log end to readers (bracketed by
     * {@link #truncations}), hands the retired segments to the deferred release, and writes the recovery point (the
     * new end: sealed segments were forced, the new one was forced when written).
     */
    private void publishTruncation(Segment[] list, int first, Segment replacement, long newStart, long newEnd,
                                   long nowMs) throws IOException {
        Segment[] kept = Arrays.copyOf(list, first + 1);
        kept[first] = replacement;
        truncations++;
        logEndOffset = newEnd;
        segments = new Segments(kept);
        logStartOffset = newStart;
        truncations++;
        lowerHighWatermarkTo(newEnd);
        active = replacement;
        nextOffset = newEnd;
        unflushedMessages = 0;
        recoveryPoint = newEnd;
        for (int i = first; i < list.length; i++) {
            deferred.add(new Deferred(nowMs + config.fileDeleteDelayMs(), list[i], true));
        }
        try {
            checkpoint();
        } catch (IOException e) {
            throw fail(e);
        }
    }

    private static long retiredBytes(Segment[] list, int first) {
        long bytes = 0;
        for (int i = first; i < list.length; i++) {
            bytes += list[i].end();
        }
        return bytes;
    }

    private void deleteAfterFailure(Path file, IOException failure) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Writer thread: writes {@code point} to the recovery-point file unless it says that already. */
    private void writeRecoveryPoint(RecoveryPoint point) throws IOException {
        if (!point.equals(persisted)) {
            point.write(directory);
            persisted = point;
        }
    }

    /**
     * Writer thread only. Retention: first rolls the active segment when its newest record is more than
     * {@code retentionMs} old (a quiet log), then deletes whole sealed segments from the oldest on, never the active
     * one, while
     * the oldest one's max timestamp is more than {@code retentionMs} before now (the log's clock; a segment without
     * timestamps uses its file's modification time) or the log holds more than {@code retentionBytes} bytes (segment
     * files, headers included, indexes not). The log start offset moves to the first kept segment's base offset and
     * is published before any file changes, and persisted in the recovery-point file; the deleted segments' files
     * are renamed to {@code *.deleted} at once, but stay mapped (buffers from {@link #read} may still view them) and
     * are unmapped and removed by a later call ({@link #flush}, {@link #maybeFlush}, a roll or this) once
     * {@link LogConfig#fileDeleteDelayMs()} passed, or at {@link #close()}.
     *
     * @param retentionMs    -1 for no time limit
     * @param retentionBytes -1 for no size limit
     * @return the number of segments deleted
     */
    public int deleteOldSegments(long retentionMs, long retentionBytes) throws IOException {
        checkOpen();
        if (retentionMs < -1 || retentionBytes < -1) {
            throw new IllegalArgumentException("retention.ms " + retentionMs + ", retention.bytes " + retentionBytes
                + ": -1 (unlimited) or a limit >= 0");
        }
        long nowMs = clockMs.getAsLong();
        releaseDue(nowMs);
        Segment current = active;
        if (retentionMs >= 0 && failure == null && !current.isEmpty() && current.maxTimestamp() >= 0
            && nowMs - current.maxTimestamp() > retentionMs) {
            // Every record of the active segment is past retention.ms (so the log is quiet): roll it, as Kafka does,
            // so that it is deleted below instead of keeping a quiet topic's data forever. Only by real timestamps:
            // a mapped file's modification time does not follow the writes into it.
            roll(current, config.segmentBytes(), nowMs, "retention.ms");
        }
        Segment[] list = segments.list;
        long total = sizeInBytes(list);
        int count = 0;
        long bytes = 0;
        while (count < list.length - 1) {
            Segment oldest = list[count];
            boolean expired = retentionMs >= 0 && nowMs - retentionTimestamp(oldest) > retentionMs;
            boolean tooBig = retentionBytes >= 0 && total - bytes > retentionBytes;
            if (!expired && !tooBig) {
                break;
            }
            bytes += oldest.end();
            count++;
        }
        if (count == 0) {
            return 0;
        }
        long oldStart = logStartOffset;
        logStartOffset = list[count].baseOffset;
        try {
            // The new start is persisted before any segment goes: recovery refuses a log whose first segment starts
            // after its persisted start (a segment lost, not expired), so deleting first could strand the log.
            checkpoint();
        } catch (IOException e) {
            logStartOffset = oldStart;
            throw new IOException("partition " + name + ": retention could not persist the new log start offset "
                + list[count].baseOffset + ", so it deleted nothing", e);
        }
        segments = segments.withoutFirst(count);
        updateHighWatermark(logStartOffset);
        for (int i = 0; i < count; i++) {
            deferred.add(new Deferred(nowMs + config.fileDeleteDelayMs(), list[i], true));
        }
        IOException error = null;
        try {
            // (a crash before this is repaired at open, which cuts the cache to the log start too)
            epochCache.truncateFromStart(logStartOffset);
        } catch (IOException e) {
            error = e;
        }
        for (int i = 0; i < count; i++) {
            try {
                list[i].renameToDeleted();
            } catch (IOException e) {
                error = (IOException) addFailure(error, e);
            }
        }
        LOG.info("partition {}: retention deleted {} segment(s) {}..{}: offsets [{}, {}), {} bytes (retention.ms {}, "
                + "retention.bytes {}); log start offset is now {}; files unmapped and removed in {} ms", name,
            count, list[0].baseOffset, list[count - 1].baseOffset, oldStart, logStartOffset, bytes, retentionMs,
            retentionBytes, logStartOffset, config.fileDeleteDelayMs());
        if (error != null) {
            throw new IOException("partition " + name + ": retention moved the log start offset to " + logStartOffset
                + " but could not rename every deleted file (the next open finishes it)", error);
        }
        return count;
    }

    /** The segment's largest batch timestamp, or its file's modification time when it holds no real timestamp. */
    private long retentionTimestamp(Segment segment) {
        long timestamp = segment.maxTimestamp();
        if (timestamp >= 0) {
            return timestamp;
        }
        try {
            return Files.getLastModifiedTime(segment.file()).toMillis();
        } catch (IOException e) {
            LOG.warn("partition {}: cannot read the modification time of {}; keeping it for now", name,
                segment.file(), e);
            return Long.MAX_VALUE;
        }
    }

    /** Writer thread: runs the deferred releases whose delay passed. */
    private void releaseDue(long nowMs) {
        if (deferred.isEmpty()) {
            return;
        }
        Iterator<Deferred> pending = deferred.iterator();
        while (pending.hasNext()) {
            Deferred next = pending.next();
            if (next.dueMs <= nowMs) {
                pending.remove();
                try {
                    runDeferred(next, true);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("partition {}: releasing {} failed", name, next.segment, e);
                }
            }
        }
    }

    private static void runDeferred(Deferred deferred, boolean deleteFiles) throws IOException {
        if (deferred.deleted) {
            deferred.segment.release();
            if (deleteFiles) {
                deferred.segment.deleteFiles();
            }
        } else {
            deferred.segment.releaseRetired();
        }
    }

    /** Writer thread: runs every deferred release now (close, abandon); returns the first failure. */
    private Exception releaseAllDeferred(boolean deleteFiles, Exception error) {
        Deferred next;
        while ((next = deferred.poll()) != null) {
            try {
                runDeferred(next, deleteFiles);
            } catch (IOException | RuntimeException e) {
                error = addFailure(error, e);
            }
        }
        return error;
    }

    /**
     * Writer thread only. Forces every appended byte of the active segment to disk (sealed segments were forced
     * when sealed). Blocks.
     */
    public void flush() throws IOException {
        checkWritable();
        long nowMs = clockMs.getAsLong();
        try {
            active.force(active.end());
            recoveryPoint = nextOffset;
            checkpoint();
        } catch (IOException e) {
            throw fail(e);
        }
        flushed(nowMs);
        releaseDue(nowMs);
    }

    /**
     * Writer thread only. Forces when records are waiting and the last force is {@code flush.ms} or more ago;
     * call it periodically so {@code flush.ms} holds when appends stop.
     *
     * @return whether it forced
     */
    public boolean maybeFlush() throws IOException {
        checkWritable();
        long nowMs = clockMs.getAsLong();
        if (unflushedMessages > 0 && config.flushMs() != Long.MAX_VALUE && nowMs - lastFlushMs >= config.flushMs()) {
            flush();
            return true;
        }
        releaseDue(nowMs);
        return false;
    }

    /**
     * Writer thread: releases the segments and mappings whose {@code file.delete.delay.ms} passed (also done by a
     * roll, a flush, {@link #maybeFlush()} and retention), failed log or not; nothing once closed (close released
     * everything).
     */
    public void releaseDueFiles() {
        if (!closed) {
            releaseDue(clockMs.getAsLong());
        }
    }

    /** Number of segment files. Any thread. */
    public int segmentCount() {
        return segments.list.length;
    }

    /** Bytes of records in the segments (not the mapped files' preallocated size). Any thread. */
    public long sizeInBytes() {
        return sizeInBytes(segments.list);
    }

    private static long sizeInBytes(Segment[] list) {
        long total = 0;
        for (Segment segment : list) {
            total += segment.end();
        }
        return total;
    }

    public Path directory() {
        return directory;
    }

    /** {@code <topic>-<partition>}. */
    public String name() {
        return name;
    }

    /**
     * Writer thread (holding the partition's lock): applies a topic config change: {@code segment.bytes} and
     * {@code segment.ms} from the next roll, {@code flush.*} from the next append. {@code index.interval.bytes},
     * {@code file.delete.delay.ms} and the producer id expiry stay as opened.
     */
    public void reconfigure(LogConfig next) {
        Objects.requireNonNull(next, "next");
        config = new LogConfig(next.segmentBytes(), config.indexIntervalBytes(), next.flushMessages(), next.flushMs(),
            next.segmentMs(), config.fileDeleteDelayMs(), config.producerIdExpirationMs());
    }

    public LogConfig config() {
        return config;
    }

    /** Tests: the active segment's published end position. */
    int activeEnd() {
        return active.end();
    }

    /** Tests: entries of the active segment's offset index. */
    int activeIndexEntries() {
        return active.indexEntries();
    }

    /** Forces done by the flush policy, {@link #flush()} and rolls; for tests and metrics. */
    long forceCount() {
        return forceCount;
    }

    /** Writer thread: offsets below it are known to be forced; for tests. */
    long recoveryPoint() {
        return recoveryPoint;
    }

    /**
     * Writer thread, once no reader holds a buffer from {@link #read} and none will read again: forces the active
     * segment, truncates it and its index files to their real size, unmaps every segment (and deletes the files of
     * segments retention deleted) and, if everything was forced, writes the recovery point (the log end) and then
     * the clean-shutdown marker. Idempotent.
     */
    /** Whether {@link #close} closed this log cleanly: everything forced, the clean-shutdown marker written. */
    public boolean closedClean() {
        return closedClean;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Exception error = null;
        boolean forced = false;
        if (failure != null) {
            LOG.warn("partition {}: closing without the clean-shutdown marker: its log failed earlier ({}); the next "
                + "open recovers it", name, failure.getMessage());
        } else {
            try {
                active.force(active.end());
                recoveryPoint = nextOffset;
                forced = true;
            } catch (IOException e) {
                error = e;
            }
            if (forced) {
                snapshotProducers(clockMs.getAsLong());
            }
        }
        error = releaseAllDeferred(true, error);
        for (Segment segment : segments.list) {
            try {
                segment.close();
            } catch (IOException | RuntimeException e) {
                error = addFailure(error, e);
            }
        }
        if (forced && error == null) {
            try {
                writeHighWatermark();
                checkpoint();
                writeCleanShutdownMarker(directory);
                closedClean = true;
            } catch (IOException e) {
                error = e;
            }
        }
        if (error != null) {
            LOG.warn("partition {}: closed with an error, no clean-shutdown marker", name, error);
            if (error instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) error;
        }
        LOG.debug("closed partition log {} at offsets [{}, {})", name, logStartOffset, logEndOffset);
    }

    /**
     * Writer thread: lets go of the log as a crash would leave it: no force, no truncation of the zero tails
     * allocated ahead, no recovery point, no clean-shutdown marker, {@code *.deleted} files left for the next open; only the
     * mappings and file handles are released. The next open runs recovery. Brokers use it for an abrupt in-process
     * stop, tests to stand in for {@code kill -9}.
     */
    public void abandon() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Exception error = releaseAllDeferred(false, null);
        for (Segment segment : segments.list) {
            try {
                segment.release();
            } catch (IOException | RuntimeException e) {
                error = addFailure(error, e);
            }
        }
        if (error instanceof IOException io) {
            throw io;
        }
        if (error != null) {
            throw (RuntimeException) error;
        }
    }

    private static Exception addFailure(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private static void writeCleanShutdownMarker(Path directory) throws IOException {
        try (FileChannel marker = FileChannel.open(directory.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE), CREATE,
            WRITE, TRUNCATE_EXISTING)) {
            marker.force(true);
        }
        DurableFiles.syncDirectory(directory);
    }

    @Override
    public String toString() {
        return "PartitionLog[" + name + " in " + directory + ", offsets [" + logStartOffset + ", " + logEndOffset
            + "), " + segmentCount() + " segment(s)]";
    }

    /** Immutable snapshot of the segment list with their base offsets, for a binary search without indirection. */
    private static final class Segments {
        final Segment[] list;
        final long[] baseOffsets;

        Segments(Segment[] list) {
            this.list = list;
            this.baseOffsets = new long[list.length];
            for (int i = 0; i < list.length; i++) {
                baseOffsets[i] = list[i].baseOffset;
            }
        }

        Segments with(Segment next) {
            Segment[] longer = new Segment[list.length + 1];
            System.arraycopy(list, 0, longer, 0, list.length);
            longer[list.length] = next;
            return new Segments(longer);
        }

        Segments withoutFirst(int count) {
            return new Segments(Arrays.copyOfRange(list, count, list.length));
        }

        /** The last segment whose base offset is at most {@code offset}; offset is at least the first base. */
        Segment floor(long offset) {
            return list[floorIndex(offset)];
        }

        /** Index in {@link #list} of {@link #floor}{@code (offset)}. */
        int floorIndex(long offset) {
            int low = 0;
            int high = list.length - 1;
            while (low < high) {
                int mid = (low + high + 1) >>> 1;
                if (baseOffsets[mid] <= offset) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            return low;
        }
    }
}
