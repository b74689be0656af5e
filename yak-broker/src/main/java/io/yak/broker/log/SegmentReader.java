package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.ATTRIBUTES_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BASE_OFFSET_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.CRC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_V2;
import static io.yak.wire.record.RecordBatchLayout.MAX_TIMESTAMP_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_COUNT_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_OFFSET;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and checks the batches of one segment through a view of its mapping ({@code STORAGE.md}, "Reads"): finds
 * the batch holding an offset (from an index entry, else from the first batch), serves whole batches, answers
 * timestamp lookups, walks leader epochs, checks batch headers and CRC32Cs. Every method reads only the view it is
 * given, below the {@code limit} it is given (the published end the caller read first), and writes nothing but this
 * class's own state: the verified prefix ({@link #verifiedEnd}), whether the index was found wrong, and whether a
 * corruption was reported.
 *
 * <p>Verification: batches appended in this run, or CRC32C-checked by recovery, are trusted
 * ({@link #ALL_VERIFIED}). A segment that recovery trusted without reading it (below the recovery point) starts
 * unverified: a read checks the CRC32C of each batch it serves the first time, tracking a verified prefix, and never
 * serves a batch that fails.
 *
 * <p>Any thread, no lock; allocates only the returned read buffer, and when it finds a problem.
 */
final class SegmentReader {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentReader.class);
    private static final VarHandle VERIFIED_END;
    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);
    /** {@link #verifiedEnd} of a segment whose every batch is known good. */
    static final int ALL_VERIFIED = Integer.MAX_VALUE;
    /** {@link #locate}: the published batches end before the offset looked for. */
    static final int NOT_FOUND = -2;
    /** A lookup that started from an index entry found bytes that do not match it. */
    private static final long INDEX_MISMATCH = Long.MIN_VALUE;

    static {
        try {
            VERIFIED_END = MethodHandles.lookup().findVarHandle(SegmentReader.class, "verifiedEnd", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String partition;
    private final long baseOffset;
    /** The segment file's current name, for messages (it changes when retention renames the file). */
    private final Supplier<Path> file;

    /** Batches that end at or before this position passed a CRC32C check (or were appended in this run). */
    private volatile int verifiedEnd;
    /** A lookup found the index files wrong: lookups scan from the first batch; close deletes the files. */
    private volatile boolean indexSuspect;
    private volatile boolean corruptionReported;

    /**
     * @param file the segment file's current name, for messages; called only when something is wrong
     */
    SegmentReader(String partition, long baseOffset, Supplier<Path> file) {
        this.partition = partition;
        this.baseOffset = baseOffset;
        this.file = file;
    }

    int verifiedEnd() {
        return verifiedEnd;
    }

    /** Writer or recovery, before the batches are published: they are verified up to {@code position}. */
    void verifiedEnd(int position) {
        verifiedEnd = position;
    }

    boolean indexSuspect() {
        return indexSuspect;
    }

    boolean corruptionReported() {
        return corruptionReported;
    }

    /**
     * Whole batches of {@code view} from the one containing {@code offset}, as {@link Segment#read} describes;
     * {@code index} is the segment's offset index and {@code limit} its published end, read before {@code view}.
     *
     * @return the batches; {@link Unpooled#EMPTY_BUFFER} when the first one ends at or after {@code maxOffset}; null
     *         when {@code offset} is past the batches below {@code limit}
     * @throws CorruptBatchException when the batch containing {@code offset} (or one before it) fails its checks
     */
    ByteBuf read(ByteBuffer view, int limit, OffsetIndex index, long offset, int maxBytes, long maxOffset) {
        int position = locate(view, limit, index, offset);
        if (position == NOT_FOUND) {
            return null;
        }
        long last = view.getLong(position + BASE_OFFSET_OFFSET) + view.getInt(position + LAST_OFFSET_DELTA_OFFSET);
        if (last >= maxOffset) {
            return Unpooled.EMPTY_BUFFER;
        }
        int stop = position + LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        while (stop < limit && batchProblem(view, stop, limit) == null
            && view.getLong(stop + BASE_OFFSET_OFFSET) == last + 1) {
            int next = LOG_OVERHEAD + view.getInt(stop + BATCH_LENGTH_OFFSET);
            long nextLast = last + view.getInt(stop + LAST_OFFSET_DELTA_OFFSET) + 1;
            if ((long) stop + next - position > maxBytes || nextLast >= maxOffset) {
                break;
            }
            last = nextLast;
            stop += next;
        }
        if (verifiedEnd < stop) {
            stop = verify(view, position, stop);
        }
        return Unpooled.wrappedBuffer(view.slice(position, stop - position));
    }

    /**
     * Position of the batch containing {@code offset}: from the entry of {@code index} below it, else from the first
     * batch; {@link #NOT_FOUND} when the batches below {@code limit} end before it.
     *
     * @throws CorruptBatchException when a batch on the way from the first batch fails its checks
     */
    int locate(ByteBuffer view, int limit, OffsetIndex index, long offset) {
        if (!indexSuspect) {
            long entry = index.floorEntry(offset);
            if (entry >= 0) {
                int position = walkTo(view, limit, offset, OffsetIndex.position(entry),
                    baseOffset + OffsetIndex.relativeOffset(entry), false);
                if (position >= 0 || position == NOT_FOUND) {
                    return position;
                }
                position = walkTo(view, limit, offset, HEADER_LENGTH, baseOffset, true);
                suspectIndex("entry for offset " + (baseOffset + OffsetIndex.relativeOffset(entry)) + " at position "
                    + OffsetIndex.position(entry) + " does not match the segment");
                return position;
            }
        }
        return walkTo(view, limit, offset, HEADER_LENGTH, baseOffset, true);
    }

    /**
     * Walks batches from {@code position} (whose base offset must be {@code expected}) to the one containing
     * {@code offset}; {@link #NOT_FOUND} when every batch up to {@code limit} passed and none contains it. On a failed
     * check: throws when {@code strict}, else returns -1 (the start came from the index).
     */
    private int walkTo(ByteBuffer view, int limit, long offset, int position, long expected, boolean strict) {
        while (true) {
            if (position == limit) {
                return NOT_FOUND;
            }
            String problem = position > limit ? "offset " + offset + " not found before position " + limit
                : batchProblem(view, position, limit);
            if (problem == null && view.getLong(position + BASE_OFFSET_OFFSET) != expected) {
                problem = "batch base offset " + view.getLong(position + BASE_OFFSET_OFFSET) + ", expected "
                    + expected;
            }
            if (problem != null) {
                if (strict) {
                    throw corrupt(position, problem);
                }
                return -1;
            }
            long last = expected + view.getInt(position + LAST_OFFSET_DELTA_OFFSET);
            if (last >= offset) {
                return position;
            }
            expected = last + 1;
            position += LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        }
    }

    /**
     * Writer thread, truncation: checks the CRC32C of the batches of {@code view} before {@code upTo} that no one
     * verified yet (a segment recovery trusted without reading), so a damaged batch is never copied into a segment
     * that is trusted as written in this run.
     *
     * @throws CorruptBatchException naming the first batch that fails
     */
    void verifyUpTo(ByteBuffer view, int upTo) {
        if (verifiedEnd < upTo) {
            int good = verify(view, HEADER_LENGTH, upTo);
            if (good < upTo) {
                throw corrupt(good, "CRC32C mismatch");
            }
        }
    }

    /** Sees the header of each batch a walk passes ({@link #walkBatches}): absolute gets on {@code view}. */
    interface BatchVisitor {
        void batch(ByteBuffer view, int position);
    }

    /**
     * Passes each batch header below {@code limit} to {@code visitor}, oldest first; stops at the first batch header
     * that fails its checks (reads report that one).
     *
     * @return null, or why the walk stopped early
     */
    String walkBatches(ByteBuffer view, int limit, BatchVisitor visitor) {
        int position = HEADER_LENGTH;
        while (position < limit) {
            String problem = batchProblem(view, position, limit);
            if (problem != null) {
                return problem + " at position " + position + " of " + file.get();
            }
            visitor.batch(view, position);
            position += LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        }
        return null;
    }

    /**
     * Why the batch header at {@code position} is not plausible (length outside its bounds or past
     * {@code limit}, magic, record count), or null. Allocates only when it finds a problem.
     */
    static String batchProblem(ByteBuffer view, int position, int limit) {
        if (limit - position < RECORDS_OFFSET) {
            return "partial batch header of " + (limit - position) + " bytes";
        }
        int length = view.getInt(position + BATCH_LENGTH_OFFSET);
        if (length < MIN_BATCH_LENGTH || length > limit - position - LOG_OVERHEAD) {
            int left = limit - position - LOG_OVERHEAD;
            return "batch length " + length + " outside " + MIN_BATCH_LENGTH + ".." + left + (length > left
                ? ": longer than the " + left + " bytes left (a write cut short, or damage)"
                : ": below the smallest batch");
        }
        byte magic = view.get(position + MAGIC_OFFSET);
        if (magic != MAGIC_V2) {
            return "batch magic " + magic + " != " + MAGIC_V2;
        }
        int count = view.getInt(position + RECORDS_COUNT_OFFSET);
        int lastOffsetDelta = view.getInt(position + LAST_OFFSET_DELTA_OFFSET);
        if (count <= 0 || lastOffsetDelta != count - 1) {
            return "record count " + count + " with last offset delta " + lastOffsetDelta;
        }
        return null;
    }

    /**
     * Checks the CRC32C of the batches in {@code [position, stop)} not verified yet; returns where the good ones end.
     * Advances the verified prefix when the range continues it.
     */
    private int verify(ByteBuffer view, int position, int stop) {
        int verified = verifiedEnd;
        CRC32C crc = CRC.get();
        ByteBuffer range = null;
        int at = position;
        while (at < stop) {
            int size = LOG_OVERHEAD + view.getInt(at + BATCH_LENGTH_OFFSET);
            if (at + size > verified) {
                if (range == null) {
                    range = view.duplicate();
                }
                range.limit(at + size).position(at + ATTRIBUTES_OFFSET);
                crc.reset();
                crc.update(range);
                int computed = (int) crc.getValue();
                int stored = view.getInt(at + CRC_OFFSET);
                if (computed != stored) {
                    if (at == position) {
                        throw corrupt(at, "CRC32C mismatch: stored " + Integer.toHexString(stored) + ", computed "
                            + Integer.toHexString(computed));
                    }
                    break;
                }
            }
            at += size;
        }
        int current;
        while ((current = verifiedEnd) >= position && current < at) {
            if (VERIFIED_END.compareAndSet(this, current, at)) {
                break;
            }
        }
        return at;
    }

    /**
     * Base offset of the first batch (in offset order) below {@code limit} whose max timestamp is at least
     * {@code timestamp}, or -1 when none has one. Starts from the entry of {@code timeIndex} below the timestamp and
     * the entry of {@code index} below that; falls back to a scan from the first batch when the entries do not match
     * the segment.
     *
     * @throws CorruptBatchException when a batch on the way fails its checks
     */
    long offsetForTimestamp(ByteBuffer view, int limit, OffsetIndex index, TimeIndex timeIndex, long timestamp) {
        if (!indexSuspect) {
            int slot = timeIndex.lastSlotBefore(timestamp);
            if (slot >= 0) {
                long holder = timeIndex.offsetAt(slot);
                long entry = index.floorEntry(holder);
                int position = entry < 0 ? HEADER_LENGTH : OffsetIndex.position(entry);
                long expected = entry < 0 ? baseOffset : baseOffset + OffsetIndex.relativeOffset(entry);
                long found = scanForTimestamp(view, limit, position, expected, timestamp, holder,
                    timeIndex.timestampAt(slot));
                if (found != INDEX_MISMATCH) {
                    return found;
                }
                found = scanForTimestamp(view, limit, HEADER_LENGTH, baseOffset, timestamp, -1, 0);
                suspectIndex("time index entry (" + timeIndex.timestampAt(slot) + ", " + holder
                    + ") does not match the segment");
                return found;
            }
        }
        return scanForTimestamp(view, limit, HEADER_LENGTH, baseOffset, timestamp, -1, 0);
    }

    /**
     * Walks from {@code position} for the first batch with a max timestamp of at least {@code timestamp}. With a
     * {@code holder} (from the time index, else -1) checks that batch has exactly {@code holderTimestamp} and that
     * no batch up to it is new enough, returning {@link #INDEX_MISMATCH} otherwise; without one, throws on a batch
     * that fails its checks.
     */
    private long scanForTimestamp(ByteBuffer view, int limit, int position, long expected, long timestamp,
                                  long holder, long holderTimestamp) {
        boolean strict = holder < 0;
        boolean holderSeen = strict;
        while (position < limit) {
            String problem = batchProblem(view, position, limit);
            long base = problem == null ? view.getLong(position + BASE_OFFSET_OFFSET) : -1;
            if (problem == null && base != expected) {
                problem = "batch base offset " + base + ", expected " + expected;
            }
            if (problem != null) {
                if (strict) {
                    throw corrupt(position, problem);
                }
                return INDEX_MISMATCH;
            }
            long batchMaxTimestamp = view.getLong(position + MAX_TIMESTAMP_OFFSET);
            if (!holderSeen) {
                if (base > holder || base == holder && batchMaxTimestamp != holderTimestamp
                    || batchMaxTimestamp >= timestamp && base < holder) {
                    return INDEX_MISMATCH;
                }
                holderSeen = base == holder;
            }
            if (batchMaxTimestamp >= timestamp) {
                return base;
            }
            expected = base + view.getInt(position + LAST_OFFSET_DELTA_OFFSET) + 1;
            position += LOG_OVERHEAD + view.getInt(position + BATCH_LENGTH_OFFSET);
        }
        return holderSeen ? -1 : INDEX_MISMATCH;
    }

    private void suspectIndex(String reason) {
        if (!indexSuspect) {
            indexSuspect = true;
            LOG.warn("partition {}: index of segment {} is wrong ({}); lookups in it scan the segment from now on "
                + "and its index files are rebuilt at the next open", partition, file.get(), reason);
        }
    }

    private CorruptBatchException corrupt(int position, String reason) {
        CorruptBatchException e = new CorruptBatchException(partition, file.get(), position, reason);
        if (!corruptionReported) {
            corruptionReported = true;
            LOG.error("{}", e.getMessage());
        }
        return e;
    }
}
