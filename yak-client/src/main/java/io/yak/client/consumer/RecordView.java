package io.yak.client.consumer;

import io.netty.buffer.ByteBuf;
import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.wire.record.RecordCursor;

/**
 * One record handed to a {@link RecordHandler}: a reusable window on the fetched response, nothing copied. Key and
 * value are read in place ({@link #getValue}, {@link #valueLong}) or copied out ({@link #value()},
 * {@link #toRecord()}, which allocate). Valid only during {@link RecordHandler#onRecord}.
 */
public final class RecordView {
    private TopicPartition tp;
    private long offset;
    private long timestamp;
    private ByteBuf buf;
    private int keyIndex;
    private int keyLength;
    private int valueIndex;
    private int valueLength;

    RecordView() {
    }

    /** Points the view at the cursor's current record. */
    RecordView set(TopicPartition tp, RecordCursor c) {
        this.tp = tp;
        this.offset = c.offset();
        this.timestamp = c.timestamp();
        this.buf = c.buffer();
        this.keyIndex = c.keyIndex();
        this.keyLength = c.keyLength();
        this.valueIndex = c.valueIndex();
        this.valueLength = c.valueLength();
        return this;
    }

    /** Drops the reference to the buffer once the handler returned. */
    void clear() {
        buf = null;
    }

    public String topic() {
        return tp.topic();
    }

    public int partition() {
        return tp.partition();
    }

    public TopicPartition topicPartition() {
        return tp;
    }

    public long offset() {
        return offset;
    }

    /** Epoch milliseconds. */
    public long timestamp() {
        return timestamp;
    }

    /** Length of the key, -1 when it is null. */
    public int keyLength() {
        return keyLength;
    }

    /** Length of the value, -1 when it is null. */
    public int valueLength() {
        return valueLength;
    }

    /** Copies {@code length} key bytes from {@code index} of the key into {@code dst} at {@code dstIndex}. */
    public void getKey(int index, byte[] dst, int dstIndex, int length) {
        ByteBuf b = buffer();
        check(index, length, keyLength, "key");
        b.getBytes(keyIndex + index, dst, dstIndex, length);
    }

    /** Copies {@code length} value bytes from {@code index} of the value into {@code dst} at {@code dstIndex}. */
    public void getValue(int index, byte[] dst, int dstIndex, int length) {
        ByteBuf b = buffer();
        check(index, length, valueLength, "value");
        b.getBytes(valueIndex + index, dst, dstIndex, length);
    }

    /** The big-endian long at {@code index} of the value. */
    public long valueLong(int index) {
        ByteBuf b = buffer();
        check(index, Long.BYTES, valueLength, "value");
        return b.getLong(valueIndex + index);
    }

    /** A copy of the key, or null. Allocates. */
    public byte[] key() {
        return copy(keyIndex, keyLength);
    }

    /** A copy of the value, or null. Allocates. */
    public byte[] value() {
        return copy(valueIndex, valueLength);
    }

    /** A {@link ConsumerRecord} with copies of key and value, to keep beyond the handler. Allocates. */
    public ConsumerRecord toRecord() {
        return new ConsumerRecord(tp.topic(), tp.partition(), offset, timestamp, key(), value());
    }

    @Override
    public String toString() {
        return buf == null ? "RecordView[not valid outside RecordHandler.onRecord]"
            : "RecordView[" + tp + "@" + offset + ", key " + keyLength + " B, value " + valueLength + " B]";
    }

    private ByteBuf buffer() {
        ByteBuf b = buf;
        if (b == null) {
            throw new IllegalStateException("a RecordView is valid only during RecordHandler.onRecord");
        }
        return b;
    }

    private byte[] copy(int index, int length) {
        ByteBuf b = buffer();
        if (length < 0) {
            return null;
        }
        byte[] out = new byte[length];
        b.getBytes(index, out);
        return out;
    }

    private static void check(int index, int length, int fieldLength, String field) {
        if (index < 0 || length < 0 || fieldLength < 0 || index > fieldLength - length) {
            throw new IndexOutOfBoundsException(length + " bytes at " + index + " of a " + field + " of "
                + (fieldLength < 0 ? "null" : fieldLength + " bytes"));
        }
    }
}
