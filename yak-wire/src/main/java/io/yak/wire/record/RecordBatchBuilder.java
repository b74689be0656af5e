package io.yak.wire.record;

import static io.yak.wire.record.RecordBatchLayout.*;

import io.netty.buffer.ByteBuf;

/**
 * Writes one record batch into a caller's buffer: {@link #begin}, {@link #append} per record, {@link #finish}.
 * The base offset is written as 0 and the leader epoch as -1: the broker stamps both. Reusable, allocation-free,
 * not thread-safe (one per producer sender thread).
 */
public final class RecordBatchBuilder {
    private ByteBuf out;
    private int start;
    private long baseTimestamp;
    private long maxTimestamp;
    private int count;

    /** Reserves the batch header at the buffer's writer index. */
    public RecordBatchBuilder begin(ByteBuf out, long baseTimestamp, long producerId, short producerEpoch,
                                    int baseSequence) {
        this.out = out;
        this.start = out.writerIndex();
        this.baseTimestamp = baseTimestamp;
        this.maxTimestamp = Long.MIN_VALUE; // the header's max_timestamp is the largest record timestamp
        this.count = 0;
        out.writeLong(0L);
        out.writeInt(0);
        out.writeInt(NO_PARTITION_LEADER_EPOCH);
        out.writeByte(MAGIC_V2);
        out.writeInt(0);
        out.writeShort(0);
        out.writeInt(0);
        out.writeLong(baseTimestamp);
        out.writeLong(baseTimestamp);
        out.writeLong(producerId);
        out.writeShort(producerEpoch);
        out.writeInt(baseSequence);
        out.writeInt(0);
        return this;
    }

    /** Bytes one record takes, length prefix included. */
    public static int recordSize(int offsetDelta, long timestampDelta, int keyLength, int valueLength) {
        int body = bodySize(offsetDelta, timestampDelta, keyLength, valueLength);
        return Varint.sizeOfVarint(body) + body;
    }

    /** Upper bound of the size of a batch holding one record of these sizes. */
    public static int batchSizeBound(int keyLength, int valueLength) {
        return RECORDS_OFFSET + recordSize(Integer.MAX_VALUE, Long.MAX_VALUE, keyLength, valueLength);
    }

    /** Appends a record with the given key and value byte arrays (either may be null). */
    public void append(long timestamp, byte[] key, byte[] value) {
        int keyLength = key == null ? -1 : key.length;
        int valueLength = value == null ? -1 : value.length;
        writeRecordHead(timestamp, keyLength, valueLength);
        if (key != null) {
            out.writeBytes(key);
        }
        Varint.writeVarint(out, valueLength);
        if (value != null) {
            out.writeBytes(value);
        }
        Varint.writeVarint(out, 0);
    }

    /** Appends a record whose key and value are byte ranges of {@code src} (length -1 for null). */
    public void append(long timestamp, ByteBuf src, int keyIndex, int keyLength, int valueIndex, int valueLength) {
        writeRecordHead(timestamp, keyLength, valueLength);
        if (keyLength > 0) {
            out.writeBytes(src, keyIndex, keyLength);
        }
        Varint.writeVarint(out, valueLength);
        if (valueLength > 0) {
            out.writeBytes(src, valueIndex, valueLength);
        }
        Varint.writeVarint(out, 0);
    }

    private void writeRecordHead(long timestamp, int keyLength, int valueLength) {
        long timestampDelta = timestamp - baseTimestamp;
        int body = bodySize(count, timestampDelta, keyLength, valueLength);
        Varint.writeVarint(out, body);
        out.writeByte(0);
        Varint.writeVarlong(out, timestampDelta);
        Varint.writeVarint(out, count);
        Varint.writeVarint(out, keyLength);
        if (timestamp > maxTimestamp) {
            maxTimestamp = timestamp;
        }
        count++;
    }

    private static int bodySize(int offsetDelta, long timestampDelta, int keyLength, int valueLength) {
        return 1 + Varint.sizeOfVarlong(timestampDelta) + Varint.sizeOfVarint(offsetDelta)
            + Varint.sizeOfVarint(keyLength) + Math.max(keyLength, 0)
            + Varint.sizeOfVarint(valueLength) + Math.max(valueLength, 0) + Varint.sizeOfVarint(0);
    }

    public int recordCount() {
        return count;
    }

    /** Bytes written so far, header included. */
    public int sizeInBytes() {
        return out.writerIndex() - start;
    }

    /**
     * Completes the header: length, last offset delta, max timestamp, count, then the CRC32C last.
     *
     * @return the batch size in bytes
     */
    public int finish() {
        if (count == 0) {
            throw new IllegalStateException("a record batch needs at least one record");
        }
        int size = out.writerIndex() - start;
        out.setInt(start + BATCH_LENGTH_OFFSET, size - LOG_OVERHEAD);
        out.setInt(start + LAST_OFFSET_DELTA_OFFSET, count - 1);
        out.setLong(start + MAX_TIMESTAMP_OFFSET, maxTimestamp);
        out.setInt(start + RECORDS_COUNT_OFFSET, count);
        int crc = RecordBatchFlyweight.computeCrc(out, start + ATTRIBUTES_OFFSET, size - ATTRIBUTES_OFFSET);
        out.setInt(start + CRC_OFFSET, crc);
        out = null;
        return size;
    }
}
