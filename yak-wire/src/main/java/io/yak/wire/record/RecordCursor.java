package io.yak.wire.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.nio.ByteBuffer;

/**
 * Walks the records of one batch without allocating: after {@link #next()} returns true, the accessors describe
 * the current record and key and value are byte ranges of the underlying buffer ({@code -1} length for null).
 * Reusable; one instance per thread.
 */
public final class RecordCursor {
    /** Read position, relative to the batch start. */
    private final Varint.Cursor pos = new Varint.Cursor();
    /** The current batch (index 0 = batch start), read with absolute gets. */
    private ByteBuffer nio;
    /** Index of the batch start in {@link #buf}. */
    private int nioBase;
    private ByteBuf buf;
    private int end;
    private long baseOffset;
    private long baseTimestamp;
    private int remaining;

    private int offsetDelta;
    private long timestamp;
    /** Relative to the batch start, like every position kept here. */
    private int keyIndex;
    private int keyLength;
    private int valueIndex;
    private int valueLength;
    private int headerCount;

    /** Starts before the first record of the (already validated) batch. */
    public RecordCursor wrap(RecordBatchFlyweight batch) {
        this.buf = batch.buffer();
        int size = batch.sizeInBytes();
        this.end = size;
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.remaining = batch.recordCount();
        this.pos.position = RecordBatchLayout.RECORDS_OFFSET;
        this.nioBase = batch.index();
        // slice(): some views return a duplicate positioned at the index rather than at 0. A batch spread over
        // several components (rare: decoders merge their input) is copied once.
        this.nio = buf.nioBufferCount() == 1 ? buf.nioBuffer(nioBase, size).slice()
            : ByteBuffer.wrap(ByteBufUtil.getBytes(buf, nioBase, size));
        return this;
    }

    /**
     * Moves to the next record.
     *
     * @return false after the last record
     * @throws WireException CORRUPT_RECORD_BATCH when a record does not fit its declared length or the batch
     */
    public boolean next() {
        if (remaining == 0 || pos.position >= end) {
            return false;
        }
        int length = readVarint(end);
        int recordStart = pos.position;
        int recordEnd = recordStart + length;
        if (length < 0 || recordEnd > end || recordEnd < recordStart) {
            throw corrupt("record length " + length + " runs past the batch end");
        }
        if (recordStart >= recordEnd) {
            throw corrupt("empty record");
        }
        pos.position++; // attributes, unused in v2 records
        timestamp = baseTimestamp + readVarlong(recordEnd);
        offsetDelta = readVarint(recordEnd);
        keyLength = readVarint(recordEnd);
        keyIndex = pos.position;
        if (keyLength > 0) {
            skip(keyLength, recordEnd);
        } else if (keyLength < -1) {
            throw corrupt("key length " + keyLength);
        }
        valueLength = readVarint(recordEnd);
        valueIndex = pos.position;
        if (valueLength > 0) {
            skip(valueLength, recordEnd);
        } else if (valueLength < -1) {
            throw corrupt("value length " + valueLength);
        }
        headerCount = readVarint(recordEnd);
        if (headerCount < 0) {
            throw corrupt("header count " + headerCount);
        }
        for (int h = 0; h < headerCount; h++) {
            int kl = readVarint(recordEnd);
            if (kl < 0) {
                throw corrupt("header key length " + kl);
            }
            skip(kl, recordEnd);
            int vl = readVarint(recordEnd);
            if (vl > 0) {
                skip(vl, recordEnd);
            } else if (vl < -1) {
                throw corrupt("header value length " + vl);
            }
        }
        if (pos.position != recordEnd) {
            throw corrupt("record fields end at " + pos.position + ", record at " + recordEnd);
        }
        remaining--;
        return true;
    }

    private int readVarint(int limit) {
        return Varint.readVarint(nio, pos, limit);
    }

    private long readVarlong(int limit) {
        return Varint.readVarlong(nio, pos, limit);
    }

    private void skip(int bytes, int limit) {
        if (bytes > limit - pos.position) {
            throw corrupt("field of " + bytes + " bytes runs past its record");
        }
        pos.position += bytes;
    }

    /** Index in the buffer of the first byte after the current record (the first record before next()). */
    int position() {
        return nioBase + pos.position;
    }

    public int offsetDelta() {
        return offsetDelta;
    }

    public long offset() {
        return baseOffset + offsetDelta;
    }

    public long timestamp() {
        return timestamp;
    }

    public int headerCount() {
        return headerCount;
    }

    public ByteBuf buffer() {
        return buf;
    }

    /** Index of the key in {@link #buffer()}. */
    public int keyIndex() {
        return nioBase + keyIndex;
    }

    /** -1 for a null key. */
    public int keyLength() {
        return keyLength;
    }

    /** Index of the value in {@link #buffer()}. */
    public int valueIndex() {
        return nioBase + valueIndex;
    }

    /** -1 for a null value. */
    public int valueLength() {
        return valueLength;
    }

    /** Copies the key out, or null. Allocates: for the consumer API, not the broker. */
    public byte[] keyBytes() {
        return copy(keyIndex, keyLength);
    }

    /** Copies the value out, or null. Allocates: for the consumer API, not the broker. */
    public byte[] valueBytes() {
        return copy(valueIndex, valueLength);
    }

    private byte[] copy(int index, int length) {
        if (length < 0) {
            return null;
        }
        byte[] out = new byte[length];
        nio.get(index, out);
        return out;
    }

    private static WireException corrupt(String what) {
        return new WireException(ErrorCode.CORRUPT_RECORD_BATCH, what);
    }
}
