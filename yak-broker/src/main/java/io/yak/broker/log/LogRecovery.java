package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAX_TIMESTAMP_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;

import io.netty.buffer.ByteBuf;
import io.yak.wire.WireException;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory's segments and checks them ({@code STORAGE.md}, "Recovery"):
 * <ul>
 *   <li>leftovers go first: {@code *.deleted} files, half-written temp files of the small metadata files, index
 *       files without a segment, and segments wholly below the persisted log start offset (a retention that crashed
 *       half way);</li>
 *   <li>a truncation that crashed half way is finished or undone: its new segment ({@code *.log.swap},
 *       {@code *.log.fullswap}) is installed when every old segment it replaces is gone, deleted otherwise;</li>
 *   <li>sealed segments that end at or below the recovery point (all of them after a clean shutdown) are trusted:
 *       header, index files and the batches after the last index entry are checked, not the CRC32Cs; index files
 *       that fail their checks are rebuilt from the segment, with a WARN;</li>
 *   <li>other sealed segments are checked batch by batch, CRC32C included, and their index files rebuilt; any damage
 *       is a {@link LogCorruptedException} (the partition stays offline);</li>
 *   <li>the last segment is the active one: always checked in full and truncated at its first bad, torn or zero
 *       batch; its index files are rebuilt.</li>
 * </ul>
 * Runs on the thread that opens the log, before the log is shared; one instance per open.
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    private final String partition;
    private final LogConfig config;
    private final boolean cleanShutdown;
    private final long nowMs;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private int trusted;
    private int checked;
    private long checkedBytes;
    private int rebuiltIndexes;
    /** Base offset of a {@code *.log.fullswap} that {@link #listAndClean} installed: the log restarts there; or -1. */
    private long restartedAt = -1;

    /**
     * What recovery found.
     *
     * @param segments       opened segments in offset order, the last one active; empty when there was none
     * @param logStartOffset first offset of the log (the persisted one, or the first segment's base offset)
     * @param recoveryPoint  the recovery-point file as read (or as a finished full truncation left it), or null when
     *                       missing or invalid
     * @param summary        what was trusted, checked and rebuilt, for the open's log line
     * @param rewrite        the recovery-point file no longer says {@code recoveryPoint}: write it even if nothing
     *                       else changed
     */
    record Result(List<Segment> segments, long logStartOffset, RecoveryPoint recoveryPoint, String summary,
                  boolean rewrite) {
    }

    private LogRecovery(String partition, LogConfig config, boolean cleanShutdown, long nowMs) {
        this.partition = partition;
        this.config = config;
        this.cleanShutdown = cleanShutdown;
        this.nowMs = nowMs;
    }

    /**
     * Opens and checks every segment file of {@code directory} in offset order; the last one comes back mapped
     * read-write, ready for appends. On failure releases whatever it mapped.
     *
     * @param cleanShutdown the last run closed the log and left its marker
     * @param nowMs         the log's clock, for the active segment's {@code segment.ms} roll base
     */
    static Result recover(Path directory, String partition, LogConfig config, boolean cleanShutdown, long nowMs)
        throws IOException {
        return new LogRecovery(partition, config, cleanShutdown, nowMs).run(directory);
    }

    /**
     * After a truncation installed {@code file} (a segment it wrote and forced) as the last segment: opens it as the
     * active segment, checking every batch (CRC32C included) and building its index files, as recovery opens an
     * active segment.
     *
     * @throws LogCorruptedException when its batches do not end at {@code expectedNext} (the copy is damaged)
     */
    static Segment openInstalled(Path file, String partition, LogConfig config, long nowMs, long expectedNext)
        throws IOException {
        LogRecovery recovery = new LogRecovery(partition, config, false, nowMs);
        Segment segment = recovery.recoverActive(file, baseOf(file), Long.MIN_VALUE);
        if (segment.nextOffset() != expectedNext) {
            recovery.releaseAfterFailure(segment, null);
            throw new LogCorruptedException(partition, file, segment.end(), "the segment a truncation wrote ends at "
                + "offset " + segment.nextOffset() + ", not " + expectedNext);
        }
        return segment;
    }

    private Result run(Path directory) throws IOException {
        RecoveryPoint recoveryPoint = readRecoveryPoint(directory);
        long persistedStart = recoveryPoint == null ? 0 : recoveryPoint.logStartOffset();
        List<Path> files = listAndClean(directory, persistedStart);
        boolean rewrite = false;
        if (restartedAt >= 0) {
            // A full truncation had retired every old segment: the log restarts at its new segment's base offset.
            recoveryPoint = new RecoveryPoint(restartedAt, restartedAt, restartedAt);
            persistedStart = restartedAt;
            rewrite = true;
        }
        // One segment starting at the recovery point: the log that recovery started there when every segment was
        // gone, before its first checkpoint (a crash, or a failed write of the recovery point), or the same loss again.
        boolean restartedAtRecoveryPoint = recoveryPoint != null && files.size() == 1
            && baseOf(files.get(0)) == recoveryPoint.offset();
        if (restartedAtRecoveryPoint && baseOf(files.get(0)) > persistedStart) {
            LOG.error("partition {}: its only segment starts at the recovery point {}, after the log start offset {}: "
                + "records below it are gone (see the previous start's ERROR, or files removed by hand); the log starts "
                + "at {}", partition, recoveryPoint.offset(), persistedStart, recoveryPoint.offset());
        } else if (recoveryPoint != null && !files.isEmpty() && baseOf(files.get(0)) > persistedStart) {
            // Retention persists a new log start before it deletes a segment: a log that starts later lost segments.
            throw LogCorruptedException.missingSegments(partition, files.get(0), persistedStart, baseOf(files.get(0)),
                "the log starts at offset " + persistedStart + " but its first segment, " + files.get(0).getFileName()
                    + ", at " + baseOf(files.get(0)) + "; to accept the loss instead, delete "
                    + directory.resolve(SegmentLayout.RECOVERY_POINT_FILE) + " (the log then starts at offset "
                    + baseOf(files.get(0)) + ")");
        }
        long trustedBelow;
        if (recoveryPoint != null) {
            trustedBelow = recoveryPoint.offset();
        } else if (cleanShutdown) {
            trustedBelow = Long.MAX_VALUE;
        } else {
            trustedBelow = Long.MIN_VALUE;
            if (!files.isEmpty()) {
                LOG.warn("partition {}: unclean shutdown and no valid recovery point: checking every segment",
                    partition);
            }
        }
        List<Segment> segments = new ArrayList<>(files.size());
        try {
            long expectedBase = -1;
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                long base = baseOf(file);
                if (i > 0 && base != expectedBase) {
                    throw LogCorruptedException.missingSegments(partition, file, expectedBase, base,
                        files.get(i - 1).getFileName() + " ends before offset " + expectedBase + " and "
                            + file.getFileName() + " starts at " + base + ", so " + SegmentLayout.fileName(expectedBase)
                            + " is missing");
                }
                Segment segment;
                if (i == files.size() - 1) {
                    segment = recoverActive(file, base,
                        recoveryPoint == null ? Long.MIN_VALUE : recoveryPoint.offset());
                } else if (baseOf(files.get(i + 1)) <= trustedBelow) {
                    segment = openTrusted(file, base);
                } else {
                    segment = openChecked(file, base);
                }
                segments.add(segment);
                expectedBase = segment.nextOffset();
            }
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: a fault on mapped memory (an I/O error, or a hole on a full tmpfs) while reading
            for (Segment segment : segments) {
                releaseAfterFailure(segment, e);
            }
            throw e;
        }
        long logStart = persistedStart;
        if (!segments.isEmpty()) {
            long first = segments.get(0).baseOffset;
            long end = segments.get(segments.size() - 1).nextOffset();
            logStart = Math.max(first, persistedStart);
            if (logStart > end) {
                LOG.warn("partition {}: persisted log start offset {} is past the log end offset {}; starting at {}",
                    partition, logStart, end, end);
                logStart = end;
            }
        } else if (recoveryPoint != null && recoveryPoint.offset() > persistedStart) {
            // Every segment is gone, forced records included. Nothing is left to serve or to restore around, so the
            // new log starts at the recovery point: no offset a consumer or a group may hold is given out again.
            LOG.error("partition {}: every segment file is gone, though records up to offset {} had been forced to "
                + "disk (files removed by hand, or disk damage?): starting an empty log at offset {}", partition,
                recoveryPoint.offset(), recoveryPoint.offset());
            logStart = recoveryPoint.offset();
        }
        String summary = trusted + " sealed segment(s) trusted, " + checked + " checked with CRC32C (" + checkedBytes
            + " bytes), " + (rebuiltIndexes == 0 ? "no index rebuilt"
            : rebuiltIndexes + " index rebuild(s), each explained in a warning above");
        return new Result(segments, logStart, recoveryPoint, summary, rewrite);
    }

    private RecoveryPoint readRecoveryPoint(Path directory) throws IOException {
        try {
            return RecoveryPoint.read(directory);
        } catch (InvalidFileException e) {
            LOG.warn("partition {}: ignoring invalid recovery-point file: {}", partition, e.getMessage());
            return null;
        }
    }

    private static long baseOf(Path segmentFile) {
        return SegmentLayout.parseBaseOffset(segmentFile.getFileName().toString());
    }

    /**
     * The segment files in offset order, after deleting leftovers ({@code *.deleted}, temp files of the metadata
     * files, segments wholly below {@code logStart} (never the last one) and index files without a segment) and
     * finishing or undoing an interrupted truncation ({@link #finishTruncation}).
     */
    private List<Path> listAndClean(Path directory, long logStart) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> indexFiles = new ArrayList<>();
        List<Path> swaps = new ArrayList<>();
        List<Path> fullSwaps = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.endsWith(SegmentLayout.DELETED_SUFFIX)) {
                    LOG.info("partition {}: deleting {}, left by retention or truncation", partition, entry);
                    Files.deleteIfExists(entry);
                } else if (name.equals(SegmentLayout.RECOVERY_POINT_TEMP_FILE)
                    || name.equals(SegmentLayout.LEADER_EPOCH_TEMP_FILE)
                    || name.equals(SegmentLayout.HIGH_WATERMARK_TEMP_FILE)
                    || SegmentLayout.parseBaseOffset(name, SegmentLayout.SNAPSHOT_TEMP_SUFFIX) >= 0) {
                    Files.deleteIfExists(entry);
                } else if (name.equals(SegmentLayout.TOPIC_ID_FILE)
                    || name.equals(SegmentLayout.TOPIC_ID_FILE + ".tmp")) {
                    continue; // the partition manager's (DataDir), not the log's
                } else if (name.equals(SegmentLayout.RECOVERY_POINT_FILE) || name.equals(SegmentLayout.LEADER_EPOCH_FILE)
                    || name.equals(SegmentLayout.HIGH_WATERMARK_FILE)
                    || SegmentLayout.parseBaseOffset(name, SegmentLayout.SNAPSHOT_SUFFIX) >= 0) {
                    continue; // producer snapshots: ProducerStateManager.load checks them
                } else if (SegmentLayout.parseBaseOffset(name) >= 0 && Files.isRegularFile(entry)) {
                    files.add(entry);
                } else if (SegmentLayout.parseBaseOffset(name, SegmentLayout.SWAP_SUFFIX) >= 0) {
                    swaps.add(entry);
                } else if (SegmentLayout.parseBaseOffset(name, SegmentLayout.FULL_SWAP_SUFFIX) >= 0) {
                    fullSwaps.add(entry);
                } else if (SegmentLayout.parseBaseOffset(name, SegmentLayout.INDEX_SUFFIX) >= 0
                    || SegmentLayout.parseBaseOffset(name, SegmentLayout.TIME_INDEX_SUFFIX) >= 0) {
                    indexFiles.add(entry);
                } else {
                    LOG.warn("partition {}: ignoring unexpected file {}", partition, entry);
                }
            }
        }
        if (!swaps.isEmpty() || !fullSwaps.isEmpty()) {
            finishTruncation(directory, files, swaps, fullSwaps);
        }
        files.sort(Comparator.comparingLong(LogRecovery::baseOf));
        int below = 0;
        while (below < files.size() - 1 && baseOf(files.get(below + 1)) <= logStart) {
            below++;
        }
        if (below > 0 && restartedAt < 0) {
            LOG.info("partition {}: deleting {} segment(s) below the log start offset {} (retention was interrupted)",
                partition, below, logStart);
            for (Path file : files.subList(0, below)) {
                Files.deleteIfExists(file);
            }
            files = new ArrayList<>(files.subList(below, files.size()));
        }
        Set<String> segmentNames = new HashSet<>();
        for (Path file : files) {
            segmentNames.add(file.getFileName().toString());
        }
        for (Path indexFile : indexFiles) {
            String name = indexFile.getFileName().toString();
            String segmentName = name.substring(0, SegmentLayout.FILE_NAME_DIGITS) + SegmentLayout.SEGMENT_SUFFIX;
            if (!segmentNames.contains(segmentName)) {
                LOG.info("partition {}: deleting index file {} without a segment", partition, indexFile);
                Files.deleteIfExists(indexFile);
            }
        }
        return files;
    }

    /**
     * A truncation crashed after writing (and forcing) its new segment: it retires old segments newest first, so
     * ({@code STORAGE.md}, "Truncation"):
     * <ul>
     *   <li>{@code <B>.log.swap} replaces {@code <B>.log} and every later segment. While {@code <B>.log} is there
     *       (the last one it retires), the truncation had not reached its commit point: the swap is deleted and the
     *       old segments left (a log that is still whole, or shorter by whole segments at its end). Once it is gone,
     *       the swap is renamed to {@code <B>.log}: the truncation is complete.</li>
     *   <li>{@code <X>.log.fullswap} replaces every segment. While any segment is left it is deleted; when none is,
     *       it becomes {@code <X>.log} and the log restarts at X ({@link #restartedAt}).</li>
     * </ul>
     * Adds an installed file to {@code files}.
     */
    private void finishTruncation(Path directory, List<Path> files, List<Path> swaps, List<Path> fullSwaps)
        throws IOException {
        for (Path swap : swaps) {
            long base = SegmentLayout.parseBaseOffset(swap.getFileName().toString(), SegmentLayout.SWAP_SUFFIX);
            Path target = directory.resolve(SegmentLayout.fileName(base));
            if (Files.exists(target) || !fullSwaps.isEmpty()) {
                LOG.info("partition {}: deleting {}: a truncation to offset {} or later stopped before it retired {}",
                    partition, swap, base, target.getFileName());
                Files.deleteIfExists(swap);
            } else {
                Files.move(swap, target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.syncDirectory(directory);
                files.add(target);
                LOG.info("partition {}: finishing a truncation interrupted by a crash: {} installed as {}", partition,
                    swap.getFileName(), target.getFileName());
            }
        }
        for (Path fullSwap : fullSwaps) {
            long base = SegmentLayout.parseBaseOffset(fullSwap.getFileName().toString(),
                SegmentLayout.FULL_SWAP_SUFFIX);
            if (!files.isEmpty() || restartedAt >= 0) {
                LOG.info("partition {}: deleting {}: a full truncation (restart at offset {}) stopped before it retired "
                    + "every segment", partition, fullSwap, base);
                Files.deleteIfExists(fullSwap);
            } else {
                Path target = directory.resolve(SegmentLayout.fileName(base));
                Files.move(fullSwap, target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.syncDirectory(directory);
                files.add(target);
                restartedAt = base;
                LOG.info("partition {}: finishing a full truncation interrupted by a crash: the log restarts empty at "
                    + "offset {}", partition, base);
            }
        }
    }

    private int sealedSize(Path file) throws IOException {
        long size = Files.size(file);
        if (size < HEADER_LENGTH || size > Integer.MAX_VALUE) {
            throw new LogCorruptedException(partition, file, 0, "sealed segment of " + size + " bytes (header is "
                + HEADER_LENGTH + ", maximum " + Integer.MAX_VALUE + ")");
        }
        return (int) size;
    }

    /** A sealed segment below the recovery point: its index files are used if they pass their checks. */
    private Segment openTrusted(Path file, long base) throws IOException {
        int size = sealedSize(file);
        Segment segment = Segment.openSealed(file, partition, base, size);
        try {
            ByteBuf buf = segment.scanBuffer();
            String headerProblem = headerProblem(buf, base);
            if (headerProblem != null) {
                throw new LogCorruptedException(partition, file, 0, headerProblem);
            }
            String indexProblem = loadIndexes(segment, buf, size);
            if (indexProblem == null) {
                trusted++;
                return segment;
            }
            LOG.warn("partition {}: index files of segment {} are not usable ({}); rebuilding them from the segment",
                partition, file, indexProblem);
            rebuiltIndexes++;
            return checkSealed(segment, buf, size);
        } catch (IOException | RuntimeException | InternalError e) {
            releaseAfterFailure(segment, e);
            throw e;
        }
    }

    /**
     * Maps and checks a trusted segment's index files: entries in order and in bounds, the batches after the last
     * offset index entry well formed up to the end of the file and no newer than the time index's last entry, and
     * that entry naming a batch with exactly its timestamp. Attaches them and publishes the segment.
     *
     * @return why they cannot be used (nothing left mapped), or null
     */
    private String loadIndexes(Segment segment, ByteBuf buf, int size) throws IOException {
        long base = segment.baseOffset;
        OffsetIndex offsets;
        try {
            offsets = OffsetIndex.openSealed(segment.indexFile(), base, size);
        } catch (IndexFile.InvalidException e) {
            return segment.indexFile().getFileName() + ": " + e.getMessage();
        }
        TimeIndex times = null;
        try {
            long last = offsets.lastEntry();
            int from = last < 0 ? HEADER_LENGTH : OffsetIndex.position(last);
            long fromOffset = last < 0 ? base : base + OffsetIndex.relativeOffset(last);
            Walk tail = walk(buf, from, fromOffset, size, Long.MAX_VALUE);
            if (tail.problem != null || tail.position != size || tail.nextOffset == fromOffset) {
                return segment.indexFile().getFileName() + ": batches from its last entry (offset " + fromOffset
                    + ", position " + from + ") do not end at the end of the segment ("
                    + (tail.problem != null ? tail.problem : "they end at " + tail.position) + ")";
            }
            try {
                times = TimeIndex.openSealed(segment.timeIndexFile(), base, tail.nextOffset);
            } catch (IndexFile.InvalidException e) {
                return segment.timeIndexFile().getFileName() + ": " + e.getMessage();
            }
            long largest = times.timestampAt(times.size() - 1);
            if (tail.maxTimestamp > largest) {
                return segment.timeIndexFile().getFileName() + ": last timestamp " + largest + " below the batch "
                    + "max timestamp " + tail.maxTimestamp + " near the end of the segment";
            }
            long holder = times.offsetAt(times.size() - 1);
            long entry = offsets.floorEntry(holder);
            Walk toHolder = walk(buf, entry < 0 ? HEADER_LENGTH : OffsetIndex.position(entry),
                entry < 0 ? base : base + OffsetIndex.relativeOffset(entry), size, holder);
            if (toHolder.problem != null || toHolder.nextOffset != holder || toHolder.position >= size
                || buf.getLong(toHolder.position + BASE_OFFSET_OFFSET) != holder
                || buf.getLong(toHolder.position + MAX_TIMESTAMP_OFFSET) != largest) {
                return segment.timeIndexFile().getFileName() + ": its last entry (" + largest + ", " + holder
                    + ") does not name a batch with that max timestamp";
            }
            segment.attachIndexes(offsets, times);
            segment.trusted(size, tail.nextOffset, largest);
            offsets = null;
            times = null;
            return null;
        } finally {
            if (offsets != null) {
                offsets.release();
            }
            if (times != null) {
                times.release();
            }
        }
    }

    /** Where a header walk stopped. */
    private record Walk(int position, long nextOffset, long maxTimestamp, String problem) {
    }

    /**
     * Walks batch headers (no CRC32C) from {@code position}, whose batch must have base offset {@code offset}, up to
     * {@code limit} or to the first batch whose base offset reaches {@code stopAtOffset}.
     */
    private Walk walk(ByteBuf buf, int position, long offset, int limit, long stopAtOffset) {
        // SegmentReader.batchProblem checks batch headers for recovery and reads alike; it needs a view at the same
        // positions
        ByteBuffer view = buf.nioBuffer(0, buf.capacity());
        long next = offset;
        long max = Segment.NO_TIMESTAMP;
        while (position < limit && next < stopAtOffset) {
            batch.wrap(buf, position, limit);
            String problem = SegmentReader.batchProblem(view, position, limit);
            if (problem == null && batch.baseOffset() != next) {
                problem = "batch base offset " + batch.baseOffset() + ", expected " + next;
            }
            if (problem != null) {
                return new Walk(position, next, max, problem + " at position " + position);
            }
            max = Math.max(max, batch.maxTimestamp());
            next = batch.lastOffset() + 1;
            position += batch.sizeInBytes();
        }
        return new Walk(position, next, max, null);
    }

    /** A sealed segment at or above the recovery point: every batch is checked, CRC32C included. */
    private Segment openChecked(Path file, long base) throws IOException {
        int size = sealedSize(file);
        Segment segment = Segment.openSealed(file, partition, base, size);
        try {
            ByteBuf buf = segment.scanBuffer();
            String headerProblem = headerProblem(buf, base);
            if (headerProblem != null) {
                throw new LogCorruptedException(partition, file, 0, headerProblem);
            }
            return checkSealed(segment, buf, size);
        } catch (IOException | RuntimeException | InternalError e) {
            releaseAfterFailure(segment, e);
            throw e;
        }
    }

    /** Checks every batch of a sealed segment, CRC32C included, writing new index files on the way. */
    private Segment checkSealed(Segment segment, ByteBuf buf, int size) throws IOException {
        Path file = segment.file();
        segment.createIndexes(IndexLayout.maxEntries(size, config.indexIntervalBytes()));
        Scan scan = scan(segment, buf, size);
        if (scan.problem != null) {
            throw new LogCorruptedException(partition, file, scan.stop, scan.problem + " in sealed segment");
        }
        if (scan.nextOffset == segment.baseOffset) {
            throw new LogCorruptedException(partition, file, HEADER_LENGTH, "sealed segment holds no batch");
        }
        segment.recovered(scan.stop, scan.nextOffset, SegmentReader.ALL_VERIFIED);
        segment.sealRebuiltIndexes();
        checked++;
        checkedBytes += size;
        return segment;
    }

    /**
     * @param forcedBelow the recovery point: records below it had been forced, so a walk that ends below it means
     *                    damage, and the segment is refused before anything in it is changed (the operator may still
     *                    restore it); {@link Long#MIN_VALUE} when there is no recovery point (the loss was accepted)
     */
    private Segment recoverActive(Path file, long base, long forcedBelow) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE) {
            throw new LogCorruptedException(partition, file, Integer.MAX_VALUE, "segment of " + size + " bytes");
        }
        int limit = (int) size;
        int capacity = Math.max(config.segmentBytes(), limit);
        Segment segment = Segment.openActive(file, partition, base, capacity);
        try {
            ByteBuf buf = segment.scanBuffer();
            // the header through the file: a crash of an older broker could leave a hole under it
            ByteBuf header = segment.headerThroughFile();
            String headerProblem = limit < HEADER_LENGTH ? "file of " + limit + " bytes" : headerProblem(header, base);
            if (headerProblem != null) {
                if (lastNonZero(header, 0, Math.min(limit, HEADER_LENGTH)) >= 0) {
                    throw new LogCorruptedException(partition, file, 0, headerProblem);
                }
                // Created but its header never reached the disk: nothing can follow a header that is not there.
                LOG.warn("partition {}: active segment {} has no header ({}); writing it", partition, file,
                    headerProblem);
                segment.writeMissingHeader();
                limit = Math.max(limit, HEADER_LENGTH);
            }
            segment.createIndexes(IndexLayout.maxEntries(capacity, config.indexIntervalBytes()));
            Scan scan = scan(segment, buf, limit);
            if (scan.nextOffset < forcedBelow) {
                // Records below the recovery point had been forced to disk: a crash cannot take them. Serving the
                // log would hand their offsets to new records, and a consumer past them would skip those.
                throw LogCorruptedException.forcedRecordsGone(partition, file, scan.nextOffset, forcedBelow,
                    file.resolveSibling(SegmentLayout.RECOVERY_POINT_FILE));
            }
            int lastNonZero = segment.lastNonZero(scan.stop, limit);
            if (lastNonZero >= 0) {
                int removed = lastNonZero + 1 - scan.stop;
                LOG.warn("partition {}: truncating active segment {} at position {} ({}): dropped {} bytes at "
                        + "positions [{}, {}), offsets from {} on ({}); log end offset is now {}", partition, file,
                    scan.stop, scan.problem, removed, scan.stop, lastNonZero + 1, scan.nextOffset,
                    droppedOffsets(buf, scan.stop, lastNonZero + 1), scan.nextOffset);
                segment.zeroAndForce(scan.stop, removed);
            }
            segment.recovered(scan.stop, scan.nextOffset, SegmentReader.ALL_VERIFIED);
            segment.truncateToEnd();
            if (scan.stop > HEADER_LENGTH) {
                long firstBatchTimestamp = buf.getLong(HEADER_LENGTH + MAX_TIMESTAMP_OFFSET);
                segment.rollBaseMs(firstBatchTimestamp < 0 ? nowMs : Math.min(firstBatchTimestamp, nowMs));
            }
            checked++;
            checkedBytes += scan.stop;
            return segment;
        } catch (IOException | RuntimeException | InternalError e) {
            releaseAfterFailure(segment, e);
            throw e;
        }
    }

    /** Why a segment header is not this segment's, or null when it is. */
    private static String headerProblem(ByteBuf buf, long base) {
        int magic = buf.getInt(SegmentLayout.MAGIC_OFFSET);
        if (magic != SegmentLayout.MAGIC) {
            return "segment magic 0x" + Integer.toHexString(magic) + " != 0x"
                + Integer.toHexString(SegmentLayout.MAGIC);
        }
        short version = buf.getShort(SegmentLayout.FORMAT_VERSION_OFFSET);
        if (version != SegmentLayout.FORMAT_VERSION) {
            return "segment format version " + version + ", this broker reads " + SegmentLayout.FORMAT_VERSION;
        }
        long headerBase = buf.getLong(SegmentLayout.BASE_OFFSET_OFFSET);
        if (headerBase != base) {
            return "header base offset " + headerBase + " != file name base offset " + base;
        }
        return null;
    }

    /** Where a scan stopped: {@code problem} is null when the batches ended exactly at the limit. */
    private record Scan(int stop, long nextOffset, String problem) {
    }

    /**
     * Walks the batches from the header on, checking each one in full (CRC32C included) and indexing it, up to the
     * first that fails a check.
     */
    private Scan scan(Segment segment, ByteBuf buf, int limit) {
        int position = HEADER_LENGTH;
        long next = segment.baseOffset;
        while (position < limit) {
            if (limit - position < LOG_OVERHEAD) {
                return new Scan(position, next, "partial batch of " + (limit - position) + " bytes at the end");
            }
            if (buf.getInt(position + BATCH_LENGTH_OFFSET) == 0) {
                return new Scan(position, next, "batch length 0");
            }
            batch.wrap(buf, position, limit);
            String problem = validate();
            if (problem == null && batch.baseOffset() != next) {
                problem = "batch base offset " + batch.baseOffset() + ", expected " + next;
            }
            if (problem != null) {
                return new Scan(position, next, problem);
            }
            int size = batch.sizeInBytes();
            segment.indexBatch(next, position, size, batch.maxTimestamp(), config.indexIntervalBytes());
            next = batch.lastOffset() + 1;
            position += size;
        }
        return new Scan(position, next, null);
    }

    private String validate() {
        try {
            batch.validate();
            return null;
        } catch (WireException e) {
            return e.getMessage();
        }
    }

    /** What the first dropped batch's header claims, for the warning; it failed a check, so it is only a hint. */
    private static String droppedOffsets(ByteBuf buf, int from, int to) {
        if (to - from < LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH) {
            return "no readable batch header";
        }
        int length = buf.getInt(from + BATCH_LENGTH_OFFSET);
        long base = buf.getLong(from + BASE_OFFSET_OFFSET);
        int lastOffsetDelta = buf.getInt(from + LAST_OFFSET_DELTA_OFFSET);
        if (length < MIN_BATCH_LENGTH || base < 0 || lastOffsetDelta < 0) {
            return "no plausible batch header";
        }
        return "first dropped batch header claims offsets " + base + ".." + (base + lastOffsetDelta);
    }

    /** Position of the last non-zero byte in {@code [from, to)}, or -1 when they are all zero. */
    static int lastNonZero(ByteBuf buf, int from, int to) {
        int position = to;
        while (position - from >= Long.BYTES) {
            if (buf.getLong(position - Long.BYTES) != 0) {
                break;
            }
            position -= Long.BYTES;
        }
        while (position > from) {
            position--;
            if (buf.getByte(position) != 0) {
                return position;
            }
        }
        return -1;
    }

    private void releaseAfterFailure(Segment segment, Throwable failure) {
        try {
            segment.release();
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                LOG.warn("partition {}: releasing {} failed", partition, segment, e);
            } else {
                failure.addSuppressed(e);
            }
        }
    }
}
