package io.yak.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Fixtures the benchmarks share: record batches as a producer builds them, scratch directories. */
final class Batches {
    /** The producer's default {@code batch.size}: a full batch is at most this big. */
    static final int BATCH_BYTES = 16_384;
    static final long TIMESTAMP = 1_764_000_000_000L;

    private Batches() {
    }

    /** Records of {@code valueBytes} (no key) that fit one batch of at most {@code batchBytes}. */
    static int recordsPerBatch(int valueBytes, int batchBytes) {
        int size = RecordBatchLayout.RECORDS_OFFSET;
        int n = 0;
        while (size + RecordBatchBuilder.recordSize(n, 0, -1, valueBytes) <= batchBytes) {
            size += RecordBatchBuilder.recordSize(n, 0, -1, valueBytes);
            n++;
        }
        return Math.max(1, n);
    }

    static byte[] value(int bytes) {
        byte[] v = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            v[i] = (byte) ('A' + i % 26);
        }
        return v;
    }

    /** A pooled direct buffer holding one batch of {@code records} records of {@code value}; the caller releases. */
    static ByteBuf batch(byte[] value, int records) {
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(BATCH_BYTES * 2);
        RecordBatchBuilder b = new RecordBatchBuilder().begin(out, TIMESTAMP, RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
        for (int i = 0; i < records; i++) {
            b.append(TIMESTAMP, null, value);
        }
        b.finish();
        return out;
    }

    /** A fresh directory under {@code -Dyak.bench.dir} (default: java.io.tmpdir). */
    static Path scratchDirectory(String prefix) throws IOException {
        Path parent = Path.of(System.getProperty("yak.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, prefix);
    }

    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
