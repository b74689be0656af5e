package io.yak.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.record.RecordCursor;
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
 * Record batch v2 encode and decode, one full producer-sized batch (16 KiB) per operation: {@code encode} builds it
 * (varints, copies, CRC32C); {@code validate} checks header and CRC32C as the broker does before appending;
 * {@code decode} validates and walks every record with a {@link RecordCursor} as a consumer does (without copying
 * values); {@code validateDeep} is the full structural check. The {@code records} and {@code bytes} secondary
 * results are rates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.EXPORT_MISC, Flags.EXPORT_REF, Flags.EXPORT_NIO, Flags.OPEN_REFLECT,
    Flags.QUIET_LOG})
public class RecordBatchBenchmark {
    @Param({"100", "1024"})
    public int recordSize;

    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchFlyweight batchView = new RecordBatchFlyweight();
    private final RecordCursor cursor = new RecordCursor();
    private byte[] value;
    private int records;
    private ByteBuf out;
    private ByteBuf batch;
    private int batchBytes;

    @Setup(Level.Trial)
    public void setUp() {
        value = Batches.value(recordSize);
        records = Batches.recordsPerBatch(recordSize, Batches.BATCH_BYTES);
        out = PooledByteBufAllocator.DEFAULT.directBuffer(Batches.BATCH_BYTES * 2);
        batch = Batches.batch(value, records);
        batchBytes = batch.readableBytes();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        batch.release();
    }

    @Benchmark
    public int encode(RecordCounters c) {
        out.clear();
        builder.begin(out, Batches.TIMESTAMP, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
            RecordBatchLayout.NO_SEQUENCE);
        for (int i = 0; i < records; i++) {
            builder.append(Batches.TIMESTAMP, null, value);
        }
        int size = builder.finish();
        c.records += records;
        c.bytes += size;
        return size;
    }

    @Benchmark
    public int validate(RecordCounters c) {
        batchView.wrap(batch, 0, batchBytes).validate();
        c.records += records;
        c.bytes += batchBytes;
        return batchView.recordCount();
    }

    @Benchmark
    public long decode(RecordCounters c) {
        batchView.wrap(batch, 0, batchBytes).validate();
        cursor.wrap(batchView);
        long sum = 0;
        while (cursor.next()) {
            sum += cursor.offset() + cursor.valueLength();
        }
        c.records += records;
        c.bytes += batchBytes;
        return sum;
    }

    @Benchmark
    public int validateDeep(RecordCounters c) {
        batchView.wrap(batch, 0, batchBytes).validateDeep(cursor);
        c.records += records;
        c.bytes += batchBytes;
        return batchView.recordCount();
    }
}
