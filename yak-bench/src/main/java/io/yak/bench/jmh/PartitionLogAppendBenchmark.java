package io.yak.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
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
 * Segment append through {@link PartitionLog#append}: one producer-sized batch (16 KiB of 100 B or 1 KiB records)
 * per operation, default {@link LogConfig} (64 MiB mapped segments, no forced flush), so a roll, and the force a
 * roll does when it seals the old segment, happen every 64 MiB as they would on the broker. The secondary results
 * {@code records} and {@code bytes} are records/s and bytes/s.
 *
 * <p>Disk use is bounded: after {@link #RECYCLE_BYTES} the log is abandoned (unmapped without a force) and deleted,
 * and a new one opened; that cost is inside the measurement, amortized over 1 GiB. The log lives under
 * {@code -Dyak.bench.dir} (default java.io.tmpdir); the file system there decides what this measures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.EXPORT_MISC, Flags.EXPORT_REF, Flags.EXPORT_NIO, Flags.OPEN_REFLECT,
    Flags.QUIET_LOG})
public class PartitionLogAppendBenchmark {
    static final long RECYCLE_BYTES = 1L << 30;

    @Param({"100", "1024"})
    public int recordSize;

    private Path root;
    private PartitionLog log;
    private ByteBuf batch;
    private int recordsPerBatch;
    private int batchBytes;
    private long bytesSinceOpen;
    private int generation;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        recordsPerBatch = Batches.recordsPerBatch(recordSize, Batches.BATCH_BYTES);
        batch = Batches.batch(Batches.value(recordSize), recordsPerBatch);
        batchBytes = batch.readableBytes();
        root = Batches.scratchDirectory("yak-jmh-append-");
        open();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.abandon();
        Batches.delete(root);
        batch.release();
    }

    private void open() throws IOException {
        log = PartitionLog.open(root.resolve("bench-" + generation++), "bench", 0, LogConfig.defaults());
        bytesSinceOpen = 0;
    }

    private void recycle() throws IOException {
        log.abandon();
        Batches.delete(log.directory());
        open();
    }

    @Benchmark
    public long append(RecordCounters c) throws IOException {
        if (bytesSinceOpen >= RECYCLE_BYTES) {
            recycle();
        }
        long offset = log.append(batch, 0);
        bytesSinceOpen += batchBytes;
        c.records += recordsPerBatch;
        c.bytes += batchBytes;
        return offset;
    }
}
