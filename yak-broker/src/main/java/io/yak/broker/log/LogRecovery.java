package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_V2;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_OFFSET;

import io.netty.buffer.ByteBuf;
import io.yak.wire.WireException;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory's segments and checks them ({@code STORAGE.md}, "Recovery"): every segment but the
 * last is sealed and must be intact (any damage is a {@link LogCorruptedException}); the last one is the active
 * segment and is truncated at its first bad, torn or zero batch. Rebuilds each segment's offset index on the way.
 * Runs on the thread that opens the log, before the log is shared; one instance per open.
 */
final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);

    private final String partition;
    private final LogConfig config;
    private final boolean cleanShutdown;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();

    private LogRecovery(String partition, LogConfig config, boolean cleanShutdown) {
        this.partition = partition;
        this.config = config;
        this.cleanShutdown = cleanShutdown;
    }

    /**
     * Opens and checks every segment file of {@code directory} in offset order; the last one comes back mapped
     * read-write, ready for appends. Returns an empty list when there is no segment file. On failure releases
     * whatever it mapped.
     *
     * @param cleanShutdown the last run closed the log and left its marker: sealed segments are walked (lengths,
     *                      magic, offsets) without checking their CRC32C; the active segment is always fully checked
     */
    static List<Segment> recover(Path directory, String partition, LogConfig config, boolean cleanShutdown)
        throws IOException {
        return new LogRecovery(partition, config, cleanShutdown).run(segmentFiles(directory, partition));
    }

    private List<Segment> run(List<Path> files) throws IOException {
        List<Segment> segments = new ArrayList<>(files.size());
        try {
            long expectedBase = -1;
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                long base = SegmentLayout.parseBaseOffset(file.getFileName().toString());
                if (i > 0 && base != expectedBase) {
                    throw new LogCorruptedException(partition, file, 0, "segment base offset " + base
                        + " does not continue the previous segment, which ends before offset " + expectedBase);
                }
                Segment segment = i == files.size() - 1 ? recoverActive(file, base) : recoverSealed(file, base);
                segments.add(segment);
                expectedBase = segment.nextOffset();
            }
        } catch (IOException | RuntimeException e) {
            for (Segment segment : segments) {
                releaseAfterFailure(segment, e);
            }
            throw e;
        }
        return segments;
    }

    private static List<Path> segmentFiles(Path directory, String partition) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (SegmentLayout.parseBaseOffset(name) >= 0 && Files.isRegularFile(entry)) {
                    files.add(entry);
                } else {
                    LOG.warn("partition {}: ignoring unexpected file {}", partition, entry);
                }
            }
        }
        files.sort(Comparator.comparingLong(f -> SegmentLayout.parseBaseOffset(f.getFileName().toString())));
        return files;
    }

    private Segment recoverSealed(Path file, long base) throws IOException {
        long size = Files.size(file);
        if (size < HEADER_LENGTH || size > Integer.MAX_VALUE) {
            throw new LogCorruptedException(partition, file, 0, "sealed segment of " + size + " bytes (header is "
                + HEADER_LENGTH + ", maximum " + Integer.MAX_VALUE + ")");
        }
        Segment segment = Segment.openSealed(file, base, (int) size);
        try {
            ByteBuf buf = segment.scanBuffer();
            String headerProblem = headerProblem(buf, base);
            if (headerProblem != null) {
                throw new LogCorruptedException(partition, file, 0, headerProblem);
            }
            Scan scan = scan(segment, buf, (int) size, !cleanShutdown);
            if (scan.problem != null) {
                throw new LogCorruptedException(partition, file, scan.stop, scan.problem + " in sealed segment"
                    + (cleanShutdown ? " (CRC32C not checked: clean shutdown)" : ""));
            }
            if (scan.nextOffset == base) {
                throw new LogCorruptedException(partition, file, HEADER_LENGTH, "sealed segment holds no batch");
            }
            segment.recovered(scan.stop, scan.nextOffset);
            return segment;
        } catch (IOException | RuntimeException e) {
            releaseAfterFailure(segment, e);
            throw e;
        }
    }

    private Segment recoverActive(Path file, long base) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE) {
            throw new LogCorruptedException(partition, file, Integer.MAX_VALUE, "segment of " + size + " bytes");
        }
        int limit = (int) size;
        Segment segment = Segment.openActive(file, base, Math.max(config.segmentBytes(), limit));
        try {
            ByteBuf buf = segment.scanBuffer();
            String headerProblem = limit < HEADER_LENGTH ? "file of " + limit + " bytes" : headerProblem(buf, base);
            if (headerProblem != null) {
                if (lastNonZero(buf, 0, Math.min(limit, HEADER_LENGTH)) >= 0) {
                    throw new LogCorruptedException(partition, file, 0, headerProblem);
                }
                // Created but its header never reached the disk: nothing can follow a header that is not there.
                LOG.warn("partition {}: active segment {} has no header ({}); writing it", partition, file,
                    headerProblem);
                segment.writeHeader();
                limit = Math.max(limit, HEADER_LENGTH);
            }
            Scan scan = scan(segment, buf, limit, true);
            int lastNonZero = lastNonZero(buf, scan.stop, limit);
            if (lastNonZero >= 0) {
                int removed = lastNonZero + 1 - scan.stop;
                LOG.warn("partition {}: truncating active segment {} at position {} ({}): dropped {} bytes at "
                        + "positions [{}, {}), offsets from {} on ({}); log end offset is now {}", partition, file,
                    scan.stop, scan.problem, removed, scan.stop, lastNonZero + 1, scan.nextOffset,
                    droppedOffsets(buf, scan.stop, lastNonZero + 1), scan.nextOffset);
                segment.zeroAndForce(scan.stop, removed);
            }
            segment.recovered(scan.stop, scan.nextOffset);
            return segment;
        } catch (IOException | RuntimeException e) {
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

    /** Walks the batches from the header on, indexing each good one, up to the first that fails a check. */
    private Scan scan(Segment segment, ByteBuf buf, int limit, boolean checkCrc) {
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
            String problem = checkCrc ? validate() : checkHeader(limit);
            if (problem == null && batch.baseOffset() != next) {
                problem = "batch base offset " + batch.baseOffset() + ", expected " + next;
            }
            if (problem != null) {
                return new Scan(position, next, problem);
            }
            int size = batch.sizeInBytes();
            segment.indexBatch(next, position, size, config.indexIntervalBytes());
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

    /** {@link RecordBatchFlyweight#validate()} without the CRC32C: lengths, magic, record count. */
    private String checkHeader(int limit) {
        int position = batch.index();
        if (!batch.headerFits()) {
            return "batch header needs " + RECORDS_OFFSET + " bytes, " + (limit - position) + " left";
        }
        int length = batch.batchLength();
        if (length < MIN_BATCH_LENGTH || length > limit - position - LOG_OVERHEAD) {
            return "batch length " + length + " outside " + MIN_BATCH_LENGTH + ".." + (limit - position - LOG_OVERHEAD);
        }
        if (batch.magic() != MAGIC_V2) {
            return "batch magic " + batch.magic() + " != " + MAGIC_V2;
        }
        int count = batch.recordCount();
        if (count <= 0 || batch.lastOffsetDelta() != count - 1) {
            return "record count " + count + " with last offset delta " + batch.lastOffsetDelta();
        }
        return null;
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

    private void releaseAfterFailure(Segment segment, Exception failure) {
        try {
            segment.release();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
