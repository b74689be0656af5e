package io.yak.wire.record;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;

/**
 * Walks the records of one batch without allocating: after {@link #next()} returns true, the accessors describe
 * the current record and key and value are byte ranges of the underlying buffer ({@code -1} length for null).
 * Reusable; one instance per thread.
 */
public final class RecordCursor {
    private final Varint.Cursor pos = new Varint.Cursor();
    /** View of the current batch (index 0 = batch start) when the buffer has a single NIO view, else null. */
    private java.nio.ByteBuffer nio;
    private int nioBase;
    private ByteBuf buf;
    private int end;
    private long baseOffset;
    private long baseTimestamp;
    private int remaining;

    private int offsetDelta;
    private long timestamp;
    private int keyIndex;
    private int keyLength;
    private int valueIndex;
    private int valueLength;
    private int headerCount;

    /** Starts before the first record of the (already validated) batch. */
    public RecordCursor wrap(RecordBatchFlyweight batch) {
        this.buf = batch.buffer();
        this.end = batch.index() + batch.sizeInBytes();
        this.baseOffset = batch.baseOffset();
        this.baseTimestamp = batch.baseTimestamp();
        this.remaining = batch.recordCount();
        this.pos.position = batch.index() + RecordBatchLayout.RECORDS_OFFSET;
        if (buf.nioBufferCount() == 1) {
            // Absolute gets on one NIO view skip the per-byte reference-count checks of ByteBuf.getByte.
            // slice(): some views return a duplicate positioned at the index rather than at 0.
            this.nio = buf.nioBuffer(batch.index(), batch.sizeInBytes()).slice();
            this.nioBase = batch.index();
        } else {
            this.nio = null;
        }
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

    private byte at(int index) {
        java.nio.ByteBuffer b = nio;
        return b != null ? b.get(index - nioBase) : buf.getByte(index);
    }

    private int readVarint(int limit) {
        int raw = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            if (pos.position >= limit) {
                throw corrupt("varint runs past the end of its record");
            }
            int b = at(pos.position++);
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw corrupt("varint longer than 5 bytes");
    }

    private long readVarlong(int limit) {
        long raw = 0;
        for (int shift = 0; shift <= 63; shift += 7) {
            if (pos.position >= limit) {
                throw corrupt("varlong runs past the end of its record");
            }
            long b = at(pos.position++);
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw corrupt("varlong longer than 10 bytes");
    }

    private void skip(int bytes, int limit) {
        if (bytes > limit - pos.position) {
            throw corrupt("field of " + bytes + " bytes runs past its record");
        }
        pos.position += bytes;
    }

    /** Index of the first byte after the current record (the batch's first record before {@link #next()}). */
    int position() {
        return pos.position;
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

    public int keyIndex() {
        return keyIndex;
    }

    /** -1 for a null key. */
    public int keyLength() {
        return keyLength;
    }

    public int valueIndex() {
        return valueIndex;
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
        if (nio != null) {
            nio.get(index - nioBase, out);
        } else {
            buf.getBytes(index, out);
        }
        return out;
    }

    private static WireException corrupt(String what) {
        return new WireException(ErrorCode.CORRUPT_RECORD_BATCH, what);
    }
}
