package io.yak.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordCursor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads from one 64 MiB segment holding about 48 MiB of 16 KiB batches. {@code readAtRandomOffset}: one
 * {@link PartitionLog#read} at a random offset (segment lookup, sparse offset index, walk to the batch), returning
 * the batch that holds it; score = lookups/s. {@code scanSegment}: reads the whole log from its first offset in
 * 1 MiB reads, as a consumer fetches, and walks every record with a {@link RecordCursor} (no CRC check, no copy);
 * one operation is the whole scan, the secondary results {@code records} and {@code bytes} are its rates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.EXPORT_MISC, Flags.EXPORT_REF, Flags.EXPORT_NIO, Flags.OPEN_REFLECT,
    Flags.QUIET_LOG})
public class PartitionLogReadBenchmark {
    static final long LOG_BYTES = 48L << 20;
    static final int FETCH_BYTES = 1 << 20;
    static final int OFFSETS = 1 << 14;

    @Param({"100", "1024"})
    public int recordSize;

    private final RecordBatchFlyweight batchView = new RecordBatchFlyweight();
    private final RecordCursor cursor = new RecordCursor();
    private final long[] offsets = new long[OFFSETS];
    private Path root;
    private PartitionLog log;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        root = Batches.scratchDirectory("yak-jmh-read-");
        log = PartitionLog.open(root.resolve("bench-0"), "bench", 0, LogConfig.defaults());
        ByteBuf batch = Batches.batch(Batches.value(recordSize),
            Batches.recordsPerBatch(recordSize, Batches.BATCH_BYTES));
        try {
            for (long written = 0; written < LOG_BYTES; written += batch.readableBytes()) {
                log.append(batch, 0);
            }
        } finally {
            batch.release();
        }
        if (log.segmentCount() != 1) {
            throw new IllegalStateException("expected one segment, got " + log.segmentCount());
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < OFFSETS; i++) {
            offsets[i] = random.nextLong(log.logStartOffset(), log.logEndOffset());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        Batches.delete(root);
    }

    @Benchmark
    public long readAtRandomOffset() {
        long offset = offsets[next++ & (OFFSETS - 1)];
        ByteBuf b = log.read(offset, 1);
        batchView.wrap(b, b.readerIndex(), b.writerIndex());
        if (batchView.baseOffset() > offset || batchView.lastOffset() < offset) {
            throw new IllegalStateException("read(" + offset + ") returned batch " + batchView.baseOffset() + ".."
                + batchView.lastOffset());
        }
        return batchView.baseOffset();
    }

    @Benchmark
    public long scanSegment(RecordCounters c) {
        long offset = log.logStartOffset();
        long end = log.logEndOffset();
        long sum = 0;
        long records = 0;
        long bytes = 0;
        while (offset < end) {
            ByteBuf b = log.read(offset, FETCH_BYTES);
            int index = b.readerIndex();
            int limit = b.writerIndex();
            while (index < limit) {
                batchView.wrap(b, index, limit);
                cursor.wrap(batchView);
                while (cursor.next()) {
                    sum += cursor.valueLength();
                    records++;
                }
                offset = batchView.lastOffset() + 1;
                index += batchView.sizeInBytes();
            }
            bytes += limit - b.readerIndex();
        }
        c.records += records;
        c.bytes += bytes;
        return sum;
    }
}
