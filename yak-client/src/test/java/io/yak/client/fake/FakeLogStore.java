package io.yak.client.fake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordCursor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * In-memory partition logs, shared by the fake brokers (as if replicated, so a leader move keeps the data).
 * Batches are kept as byte arrays with their base offset stamped. Thread-safe (synchronized).
 */
public final class FakeLogStore {
    /** One stored batch. */
    public record StoredBatch(long baseOffset, int records, byte[] bytes) {
    }

    /** One stored record, decoded. */
    public record StoredRecord(long offset, long timestamp, byte[] key, byte[] value) {
    }

    private final Map<String, Log> logs = new HashMap<>();
    private final Map<String, List<Consumer<String>>> appendListeners = new HashMap<>();

    private static final class Log {
        final List<StoredBatch> batches = new ArrayList<>();
        long start;
        long end;
    }

    private static String key(String topic, int partition) {
        return topic + "-" + partition;
    }

    private Log log(String topic, int partition) {
        return logs.computeIfAbsent(key(topic, partition), k -> new Log());
    }

    /**
     * Appends the batches in {@code records} (readable bytes; borrowed), stamping base offsets.
     *
     * @return the base offset of the first batch
     */
    public long append(String topic, int partition, ByteBuf records) {
        List<Consumer<String>> wake;
        long first;
        synchronized (this) {
            Log log = log(topic, partition);
            first = log.end;
            RecordBatchFlyweight fw = new RecordBatchFlyweight();
            int index = records.readerIndex();
            int limit = records.writerIndex();
            List<StoredBatch> add = new ArrayList<>();
            long next = log.end;
            while (index < limit) {
                fw.wrap(records, index, limit);
                fw.validateDeep(new RecordCursor());
                byte[] bytes = new byte[fw.sizeInBytes()];
                records.getBytes(index, bytes);
                ByteBuf view = Unpooled.wrappedBuffer(bytes);
                new RecordBatchFlyweight().wrap(view, 0, bytes.length).baseOffset(next);
                add.add(new StoredBatch(next, fw.recordCount(), bytes));
                next += fw.recordCount();
                index += fw.sizeInBytes();
            }
            log.batches.addAll(add);
            log.end = next;
            wake = new ArrayList<>(appendListeners.getOrDefault(key(topic, partition), List.of()));
        }
        for (Consumer<String> w : wake) {
            w.accept(key(topic, partition));
        }
        return first;
    }

    /** Appends records as batches of up to {@code perBatch} records (test data set-up). */
    public void appendValues(String topic, int partition, List<String> values, int perBatch) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (int i = 0; i < values.size(); i += perBatch) {
            ByteBuf buf = Unpooled.buffer();
            b.begin(buf, 1000 + i, -1, (short) -1, -1);
            for (int j = i; j < Math.min(values.size(), i + perBatch); j++) {
                b.append(1000 + j, ("k" + j).getBytes(), values.get(j).getBytes());
            }
            b.finish();
            append(topic, partition, buf);
        }
    }

    /** Appends one batch whose i-th record has value {@code values[i]} and create time {@code timestamps[i]}. */
    public void appendBatch(String topic, int partition, List<String> values, List<Long> timestamps) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        ByteBuf buf = Unpooled.buffer();
        b.begin(buf, timestamps.get(0), -1, (short) -1, -1);
        for (int i = 0; i < values.size(); i++) {
            b.append(timestamps.get(i), null, values.get(i).getBytes());
        }
        b.finish();
        append(topic, partition, buf);
    }

    /**
     * LIST_OFFSETS for a timestamp {@code >= 0}, as {@code WIRE.md} specifies it: the base offset of the first
     * batch, in offset order, whose max timestamp is at or after {@code timestamp}; the log end when none is.
     */
    public synchronized long offsetForTimestamp(String topic, int partition, long timestamp) {
        Log log = log(topic, partition);
        RecordBatchFlyweight fw = new RecordBatchFlyweight();
        for (StoredBatch b : log.batches) {
            fw.wrap(Unpooled.wrappedBuffer(b.bytes()), 0, b.bytes().length);
            if (fw.maxTimestamp() >= timestamp) {
                return Math.max(b.baseOffset(), log.start);
            }
        }
        return log.end;
    }

    public synchronized void onAppend(String topic, int partition, Consumer<String> listener) {
        appendListeners.computeIfAbsent(key(topic, partition), k -> new ArrayList<>()).add(listener);
    }

    public synchronized void removeListener(String topic, int partition, Consumer<String> listener) {
        List<Consumer<String>> l = appendListeners.get(key(topic, partition));
        if (l != null) {
            l.remove(listener);
        }
    }

    public synchronized long start(String topic, int partition) {
        return log(topic, partition).start;
    }

    public synchronized long end(String topic, int partition) {
        return log(topic, partition).end;
    }

    /** Drops whole batches below {@code offset} (retention). */
    public synchronized void deleteBefore(String topic, int partition, long offset) {
        Log log = log(topic, partition);
        log.batches.removeIf(b -> b.baseOffset() + b.records() <= offset);
        log.start = log.batches.isEmpty() ? log.end : log.batches.get(0).baseOffset();
    }

    /** Batches from the one containing {@code offset}, up to {@code maxBytes} but at least one. */
    public synchronized List<StoredBatch> read(String topic, int partition, long offset, int maxBytes) {
        List<StoredBatch> out = new ArrayList<>();
        int bytes = 0;
        for (StoredBatch b : log(topic, partition).batches) {
            if (b.baseOffset() + b.records() <= offset) {
                continue;
            }
            if (!out.isEmpty() && bytes + b.bytes().length > maxBytes) {
                break;
            }
            out.add(b);
            bytes += b.bytes().length;
        }
        return out;
    }

    /** Every record of the partition, decoded. */
    public synchronized List<StoredRecord> records(String topic, int partition) {
        List<StoredRecord> out = new ArrayList<>();
        RecordBatchFlyweight fw = new RecordBatchFlyweight();
        RecordCursor c = new RecordCursor();
        for (StoredBatch b : log(topic, partition).batches) {
            ByteBuf buf = Unpooled.wrappedBuffer(b.bytes());
            fw.wrap(buf, 0, b.bytes().length);
            fw.validate();
            c.wrap(fw);
            while (c.next()) {
                out.add(new StoredRecord(c.offset(), c.timestamp(), c.keyBytes(), c.valueBytes()));
            }
        }
        return out;
    }

    /** Flips one byte inside the records of stored batch {@code batchIndex}, so its CRC no longer matches. */
    public synchronized void corrupt(String topic, int partition, int batchIndex) {
        byte[] bytes = log(topic, partition).batches.get(batchIndex).bytes();
        bytes[bytes.length - 2] ^= 0x5a;
    }

    public synchronized List<StoredBatch> batches(String topic, int partition) {
        return new ArrayList<>(log(topic, partition).batches);
    }
}
