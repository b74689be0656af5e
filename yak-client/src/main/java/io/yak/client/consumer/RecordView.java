package io.yak.client.consumer;

import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.wire.record.RecordCursor;

/**
 * One record handed to a {@link RecordHandler}: a reusable window on the consumer's cursor over the fetched
 * response, nothing copied. Key and value are read in place ({@link #getValue}, {@link #valueLong}) or copied out
 * ({@link #value()}, {@link #toRecord()}, which allocate). Valid only during {@link RecordHandler#onRecord}.
 */
public final class RecordView {
    private TopicPartition tp;
    /** The consumer's cursor, on this record while the handler runs; null otherwise. */
    private RecordCursor cursor;

    RecordView() {
    }

    /** Points the view at the cursor's current record. */
    RecordView set(TopicPartition tp, RecordCursor c) {
        this.tp = tp;
        this.cursor = c;
        return this;
    }

    /** Ends the view's validity once the handler returned. */
    void clear() {
        cursor = null;
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
        return cursor().offset();
    }

    /** Epoch milliseconds. */
    public long timestamp() {
        return cursor().timestamp();
    }

    /** Length of the key, -1 when it is null. */
    public int keyLength() {
        return cursor().keyLength();
    }

    /** Length of the value, -1 when it is null. */
    public int valueLength() {
        return cursor().valueLength();
    }

    /** Copies {@code length} key bytes from {@code index} of the key into {@code dst} at {@code dstIndex}. */
    public void getKey(int index, byte[] dst, int dstIndex, int length) {
        RecordCursor c = cursor();
        check(index, length, c.keyLength(), "key");
        c.buffer().getBytes(c.keyIndex() + index, dst, dstIndex, length);
    }

    /** Copies {@code length} value bytes from {@code index} of the value into {@code dst} at {@code dstIndex}. */
    public void getValue(int index, byte[] dst, int dstIndex, int length) {
        RecordCursor c = cursor();
        check(index, length, c.valueLength(), "value");
        c.buffer().getBytes(c.valueIndex() + index, dst, dstIndex, length);
    }

    /** The big-endian long at {@code index} of the value. */
    public long valueLong(int index) {
        RecordCursor c = cursor();
        check(index, Long.BYTES, c.valueLength(), "value");
        return c.buffer().getLong(c.valueIndex() + index);
    }

    /** A copy of the key, or null. Allocates. */
    public byte[] key() {
        return cursor().keyBytes();
    }

    /** A copy of the value, or null. Allocates. */
    public byte[] value() {
        return cursor().valueBytes();
    }

    /** A {@link ConsumerRecord} with copies of key and value, to keep beyond the handler. Allocates. */
    public ConsumerRecord toRecord() {
        RecordCursor c = cursor();
        return new ConsumerRecord(tp.topic(), tp.partition(), c.offset(), c.timestamp(), c.keyBytes(),
            c.valueBytes());
    }

    @Override
    public String toString() {
        RecordCursor c = cursor;
        return c == null ? "RecordView[not valid outside RecordHandler.onRecord]"
            : "RecordView[" + tp + "@" + c.offset() + ", key " + c.keyLength() + " B, value " + c.valueLength() + " B]";
    }

    private RecordCursor cursor() {
        RecordCursor c = cursor;
        if (c == null) {
            throw new IllegalStateException("a RecordView is valid only during RecordHandler.onRecord");
        }
        return c;
    }

    private static void check(int index, int length, int fieldLength, String field) {
        if (index < 0 || length < 0 || fieldLength < 0 || index > fieldLength - length) {
            throw new IndexOutOfBoundsException(length + " bytes at " + index + " of a " + field + " of "
                + (fieldLength < 0 ? "null" : fieldLength + " bytes"));
        }
    }
}
