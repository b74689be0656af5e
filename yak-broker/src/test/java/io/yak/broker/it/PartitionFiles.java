package io.yak.broker.it;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads a partition directory's files as {@code yak-broker/STORAGE.md} describes them, without the broker's code:
 * segment files ({@code <base offset>.log}: a 16-byte header, then record batches back to back) and the
 * {@code high-watermark} file. Tests use it to compare replicas byte for byte and to cut a segment's tail.
 */
final class PartitionFiles {
    /** STORAGE.md, "Segment header". */
    static final int SEGMENT_HEADER_BYTES = 16;
    /** STORAGE.md, "High-watermark file": the value's position. */
    private static final int HIGH_WATERMARK_POSITION = 8;

    /** One batch as stored: where it is and its bytes. */
    record Batch(long baseOffset, long lastOffset, int leaderEpoch, Path segment, int position, byte[] bytes) {
        int end() {
            return position + bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Batch b && b.baseOffset == baseOffset && Arrays.equals(b.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(baseOffset) * 31 + Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "batch " + baseOffset + ".." + lastOffset + " (epoch " + leaderEpoch + ", " + bytes.length
                + " bytes at " + segment.getFileName() + ":" + position + ")";
        }
    }

    private PartitionFiles() {
    }

    /** The live segment files ({@code *.log}, not retired {@code *.deleted} nor {@code *.swap}), oldest first. */
    static List<Path> segments(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    static Path newestSegment(Path partitionDir) throws IOException {
        List<Path> s = segments(partitionDir);
        if (s.isEmpty()) {
            throw new IllegalStateException("no segment in " + partitionDir);
        }
        return s.get(s.size() - 1);
    }

    /** Every batch of every segment, in offset order. */
    static List<Batch> batches(Path partitionDir) throws IOException {
        List<Batch> out = new ArrayList<>();
        for (Path segment : segments(partitionDir)) {
            out.addAll(batchesOf(segment));
        }
        return out;
    }

    /**
     * The batches of one segment file, up to the first that is not whole (a zeroed or cut tail, or one being
     * written: a batch's length is written last). Checks the header only, not the CRC.
     */
    static List<Batch> batchesOf(Path segment) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        List<Batch> out = new ArrayList<>();
        int position = SEGMENT_HEADER_BYTES;
        while (position + RecordBatchLayout.RECORDS_OFFSET <= bytes.length) {
            batch.wrap(buf, position, bytes.length);
            if (batch.batchLength() < RecordBatchLayout.MIN_BATCH_LENGTH
                || position + batch.sizeInBytes() > bytes.length || batch.magic() != RecordBatchLayout.MAGIC_V2) {
                break;
            }
            out.add(new Batch(batch.baseOffset(), batch.lastOffset(), batch.partitionLeaderEpoch(), segment, position,
                Arrays.copyOfRange(bytes, position, position + batch.sizeInBytes())));
            position += batch.sizeInBytes();
        }
        return out;
    }

    /** The offset after the last whole batch of the newest segment (its base offset when it holds none). */
    static long logEndOffset(Path partitionDir) throws IOException {
        Path newest = newestSegment(partitionDir);
        List<Batch> b = batchesOf(newest);
        if (!b.isEmpty()) {
            return b.get(b.size() - 1).lastOffset() + 1;
        }
        return Long.parseLong(newest.getFileName().toString().replace(".log", ""));
    }

    /** The batches whose records are all below {@code offset}. */
    static List<Batch> below(List<Batch> batches, long offset) {
        return batches.stream().filter(b -> b.lastOffset() < offset).toList();
    }

    /** The checkpointed high watermark, -1 without a file. */
    static long highWatermark(Path partitionDir) throws IOException {
        Path file = partitionDir.resolve("high-watermark");
        if (!Files.exists(file)) {
            return -1;
        }
        return ByteBuffer.wrap(Files.readAllBytes(file)).getLong(HIGH_WATERMARK_POSITION);
    }
}
