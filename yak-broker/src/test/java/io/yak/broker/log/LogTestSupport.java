package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.record.RecordCursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Builds batches, decodes reads and manipulates segment files for the log tests. */
public final class LogTestSupport {
    static final long TIMESTAMP = 1_700_000_000_000L;

    private LogTestSupport() {
    }

    /** One batch (heap buffer, base offset 0 and epoch -1 as a producer sends it) holding these values. */
    static ByteBuf batch(byte[]... values) {
        ByteBuf out = Unpooled.buffer();
        appendBatch(out, values);
        return out;
    }

    /** Writes one batch of these values at the writer index of {@code out}; returns its size. */
    static int appendBatch(ByteBuf out, byte[]... values) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        builder.begin(out, TIMESTAMP, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
            RecordBatchLayout.NO_SEQUENCE);
        for (int i = 0; i < values.length; i++) {
            builder.append(TIMESTAMP + i, key(i), values[i]);
        }
        return builder.finish();
    }

    /**
     * Writes one batch of these values at the writer index of {@code out} as a leader's log holds it: base offset
     * {@code baseOffset} and leader epoch {@code epoch} (both outside the CRC32C), for follower appends; returns its
     * size.
     */
    static int appendLeaderBatch(ByteBuf out, long baseOffset, int epoch, byte[]... values) {
        int index = out.writerIndex();
        int size = appendBatch(out, values);
        RecordBatchFlyweight batch = new RecordBatchFlyweight().wrap(out, index, out.writerIndex());
        batch.baseOffset(baseOffset);
        batch.partitionLeaderEpoch(epoch);
        return size;
    }

    /** Writes one batch whose records all carry {@code timestamp} (so does the batch's max timestamp). */
    static int appendTimedBatch(ByteBuf out, long timestamp, byte[]... values) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        builder.begin(out, timestamp, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
            RecordBatchLayout.NO_SEQUENCE);
        for (int i = 0; i < values.length; i++) {
            builder.append(timestamp, key(i), values[i]);
        }
        return builder.finish();
    }

    /**
     * Appends one batch of {@code count} records valued "v<offset>", all stamped {@code timestamp}; returns its base
     * offset.
     */
    static long appendTimed(PartitionLog log, long timestamp, int count) throws IOException {
        ByteBuf batch = Unpooled.buffer();
        try {
            appendTimedBatch(batch, timestamp, values(log.logEndOffset(), count));
            return log.append(batch, 3);
        } finally {
            batch.release();
        }
    }

    /** Files of a directory whose names end with {@code suffix}, sorted. */
    static List<Path> filesEndingWith(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** A manual clock for tests: milliseconds, set or advanced by hand. */
    static final class ManualClock implements java.util.function.LongSupplier {
        private long nowMs;

        ManualClock(long nowMs) {
            this.nowMs = nowMs;
        }

        @Override
        public long getAsLong() {
            return nowMs;
        }

        void advance(long ms) {
            nowMs += ms;
        }

        void set(long ms) {
            nowMs = ms;
        }
    }

    static byte[] key(int i) {
        return ("k" + i).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Values "v<first>".."v<first+count-1>". */
    static byte[][] values(long first, int count) {
        byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++) {
            values[i] = value("v" + (first + i));
        }
        return values;
    }

    /** Appends one batch of {@code count} records valued "v<offset>" and checks the base offset it got. */
    static long appendNumbered(PartitionLog log, int count) throws IOException {
        long expected = log.logEndOffset();
        ByteBuf batch = batch(values(expected, count));
        try {
            long base = log.append(batch, 7);
            assertThat(base).isEqualTo(expected);
            return base;
        } finally {
            batch.release();
        }
    }

    /** A record read back: its offset, its value, the leader epoch of its batch. */
    record Read(long offset, byte[] value, int leaderEpoch) {
        String text() {
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    }

    /**
     * Decodes a buffer returned by {@link PartitionLog#read}: every batch must pass the full validation (CRC32C
     * included; the stamped fields are outside it) and the records' offsets must be contiguous. Validates a heap copy
     * of the bytes: what is checked is what the log stored, whatever kind of buffer views it.
     */
    static List<Read> decode(ByteBuf buf) {
        ByteBuf copy = Unpooled.copiedBuffer(buf);
        try {
            return decodeCopy(copy);
        } finally {
            copy.release();
        }
    }

    private static List<Read> decodeCopy(ByteBuf buf) {
        List<Read> records = new ArrayList<>();
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        RecordCursor cursor = new RecordCursor();
        int index = buf.readerIndex();
        while (index < buf.writerIndex()) {
            batch.wrap(buf, index, buf.writerIndex()).validateDeep(cursor);
            cursor.wrap(batch);
            while (cursor.next()) {
                if (!records.isEmpty()) {
                    assertThat(cursor.offset()).isEqualTo(records.get(records.size() - 1).offset() + 1);
                }
                records.add(new Read(cursor.offset(), cursor.valueBytes(), batch.partitionLeaderEpoch()));
            }
            index += batch.sizeInBytes();
        }
        return records;
    }

    /** Sizes of the batches in a read, in order. */
    static List<Integer> batchSizes(ByteBuf buf) {
        List<Integer> sizes = new ArrayList<>();
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        int index = buf.readerIndex();
        while (index < buf.writerIndex()) {
            int size = batch.wrap(buf, index, buf.writerIndex()).sizeInBytes();
            sizes.add(size);
            index += size;
        }
        return sizes;
    }

    /** Reads everything from {@code from} to the log end, read after read, checking offsets as it goes. */
    static List<Read> readAll(PartitionLog log, long from, int maxBytes) {
        List<Read> all = new ArrayList<>();
        long next = from;
        while (next < log.logEndOffset()) {
            ByteBuf buf = log.read(next, maxBytes);
            try {
                List<Read> records = decode(buf);
                assertThat(records).isNotEmpty();
                assertThat(records.get(0).offset()).isLessThanOrEqualTo(next);
                for (Read r : records) {
                    if (r.offset() >= next) {
                        assertThat(r.offset()).isEqualTo(next);
                        all.add(r);
                        next++;
                    }
                }
            } finally {
                buf.release();
            }
        }
        return all;
    }

    static void assertNumbered(List<Read> records, long from, long to) {
        assertThat(records).hasSize((int) (to - from));
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).offset()).isEqualTo(from + i);
            assertThat(records.get(i).text()).isEqualTo("v" + (from + i));
        }
    }

    static Path segmentFile(Path dir, long baseOffset) {
        return dir.resolve(SegmentLayout.fileName(baseOffset));
    }

    static List<Path> segmentFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> SegmentLayout.parseBaseOffset(f.getFileName().toString()) >= 0).sorted().toList();
        }
    }

    /** Copies every file of a live log's directory: what a crash of the process would leave (the page cache). */
    static Path copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        return to;
    }

    static void deleteDirectory(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    static void writeAt(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    static byte readByteAt(Path file, long position) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, position);
            return one.get(0);
        }
    }

    /** Damages one byte (XOR 0x5A); the same call again restores it. */
    public static void flipByte(Path file, long position) throws IOException {
        writeAt(file, position, new byte[] {(byte) (readByteAt(file, position) ^ 0x5A)});
    }

    static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    /** Captures the log package's log events while it is attached. */
    /** The shared capture ({@link io.yak.wire.testing.CapturedLogs}) of this package's loggers, as lines. */
    static final class CapturedLogs extends io.yak.wire.testing.CapturedLogs {
        CapturedLogs() {
            super("io.yak.broker.log");
        }

        List<String> infos() {
            return at(ch.qos.logback.classic.Level.INFO);
        }

        List<String> errors() {
            return at(ch.qos.logback.classic.Level.ERROR);
        }

        List<String> warnings() {
            return events().stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
        }
    }

    /** For tests that need a map from offset to expected value. */
    static void put(Map<Long, byte[]> model, long base, byte[][] values) {
        for (int i = 0; i < values.length; i++) {
            model.put(base + i, values[i]);
        }
    }
}
