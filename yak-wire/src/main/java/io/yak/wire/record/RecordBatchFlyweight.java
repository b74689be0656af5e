package io.yak.wire.record;

import static io.yak.wire.record.RecordBatchLayout.*;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.util.zip.CRC32C;

/**
 * A reusable view of one record batch inside a buffer ({@code WIRE.md}, section "Record batch"). Wrap, check
 * {@link #validate}, then read with absolute gets. Keeps no reference beyond the current wrap; not thread-safe:
 * one instance per thread or channel.
 */
public final class RecordBatchFlyweight {
    private ByteBuf buf;
    private int index;
    private int limit;

    /**
     * Views the batch starting at {@code index}; {@code limit} is the first byte that may not be read.
     *
     * @return this
     */
    public RecordBatchFlyweight wrap(ByteBuf buf, int index, int limit) {
        this.buf = buf;
        this.index = index;
        this.limit = limit;
        return this;
    }

    /** Whether the whole header and the length field fit before the limit. */
    public boolean headerFits() {
        return limit - index >= RECORDS_OFFSET;
    }

    public int index() {
        return index;
    }

    public long baseOffset() {
        return buf.getLong(index + BASE_OFFSET_OFFSET);
    }

    public void baseOffset(long offset) {
        buf.setLong(index + BASE_OFFSET_OFFSET, offset);
    }

    public int batchLength() {
        return buf.getInt(index + BATCH_LENGTH_OFFSET);
    }

    /** Whole batch size in bytes, base offset and length field included. */
    public int sizeInBytes() {
        return LOG_OVERHEAD + batchLength();
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(index + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public void partitionLeaderEpoch(int epoch) {
        buf.setInt(index + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    public byte magic() {
        return buf.getByte(index + MAGIC_OFFSET);
    }

    public int crc() {
        return buf.getInt(index + CRC_OFFSET);
    }

    public short attributes() {
        return buf.getShort(index + ATTRIBUTES_OFFSET);
    }

    public int lastOffsetDelta() {
        return buf.getInt(index + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public long baseTimestamp() {
        return buf.getLong(index + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(index + MAX_TIMESTAMP_OFFSET);
    }

    public long producerId() {
        return buf.getLong(index + PRODUCER_ID_OFFSET);
    }

    public short producerEpoch() {
        return buf.getShort(index + PRODUCER_EPOCH_OFFSET);
    }

    public int baseSequence() {
        return buf.getInt(index + BASE_SEQUENCE_OFFSET);
    }

    /**
     * The records of the whole batches in {@code buf[from, to)}, read from their headers without wrapping them (any
     * thread, no allocation); a batch that does not fit ends the count.
     */
    public static long recordCount(ByteBuf buf, int from, int to) {
        long records = 0;
        int index = from;
        while (to - index >= RecordBatchLayout.RECORDS_OFFSET) {
            int size = buf.getInt(index + RecordBatchLayout.BATCH_LENGTH_OFFSET) + RecordBatchLayout.LOG_OVERHEAD;
            if (size < RecordBatchLayout.RECORDS_OFFSET || size > to - index) {
                break;
            }
            records += buf.getInt(index + RecordBatchLayout.RECORDS_COUNT_OFFSET);
            index += size;
        }
        return records;
    }

    public int recordCount() {
        return buf.getInt(index + RECORDS_COUNT_OFFSET);
    }

    /** CRC32C over the checksummed part of the batch as it is now in the buffer. */
    public int computeCrc() {
        return computeCrc(buf, index + ATTRIBUTES_OFFSET, sizeInBytes() - ATTRIBUTES_OFFSET);
    }

    static int computeCrc(ByteBuf buf, int from, int length) {
        CRC32C crc = new CRC32C();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + from, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(from, length));
        } else {
            for (java.nio.ByteBuffer b : buf.nioBuffers(from, length)) {
                crc.update(b);
            }
        }
        return (int) crc.getValue();
    }

    /**
     * Checks everything a receiver must trust before storing or serving the batch: that the length fits the
     * limit, the magic, the CRC32C, and the record count against the offset delta. Does not walk the records.
     *
     * @throws WireException CORRUPT_RECORD_BATCH naming the bad field and its value
     */
    public void validate() {
        if (!headerFits()) {
            throw corrupt("batch header needs " + RECORDS_OFFSET + " bytes, " + (limit - index) + " left");
        }
        int length = batchLength();
        if (length < MIN_BATCH_LENGTH || length > limit - index - LOG_OVERHEAD) {
            throw corrupt("batch length " + length + " outside " + MIN_BATCH_LENGTH + ".." + (limit - index - LOG_OVERHEAD));
        }
        if (magic() != MAGIC_V2) {
            throw corrupt("magic " + magic() + " != " + MAGIC_V2);
        }
        int stored = crc();
        int computed = computeCrc();
        if (stored != computed) {
            throw corrupt("CRC32C mismatch: stored " + Integer.toHexString(stored) + ", computed "
                + Integer.toHexString(computed));
        }
        int count = recordCount();
        if (count <= 0 || lastOffsetDelta() != count - 1) {
            throw corrupt("record count " + count + " with last offset delta " + lastOffsetDelta());
        }
    }

    /**
     * {@link #validate()} plus a walk over every record, checking that each one's fields stay inside its length,
     * that offset deltas run 0..count-1 and that the records end exactly at the batch end.
     */
    public void validateDeep(RecordCursor cursor) {
        validate();
        cursor.wrap(this);
        int expected = 0;
        while (cursor.next()) {
            if (cursor.offsetDelta() != expected) {
                throw corrupt("record " + expected + " has offset delta " + cursor.offsetDelta());
            }
            expected++;
        }
        if (expected != recordCount()) {
            throw corrupt("batch declares " + recordCount() + " records, holds " + expected);
        }
        // The cursor stops after recordCount() records; bytes left behind mean the count is too small.
        int end = index + sizeInBytes();
        if (cursor.position() != end) {
            throw corrupt("batch declares " + recordCount() + " records, which end at index " + cursor.position()
                + ", " + (end - cursor.position()) + " bytes before the batch end " + end);
        }
    }

    ByteBuf buffer() {
        return buf;
    }

    private WireException corrupt(String what) {
        return new WireException(ErrorCode.CORRUPT_RECORD_BATCH, "record batch at index " + index + ": " + what);
    }
}
