package io.yak.bench.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.bench.EmbeddedNode;
import io.yak.client.YakException;
import io.yak.client.producer.SendCallback;
import io.yak.client.producer.YakProducer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
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
 * {@link YakProducer}'s allocation-free send path ({@link SendCallback}) into an embedded node in the same JVM: one
 * 100-byte record without a key per operation, {@code acks=1}, {@code linger.ms=5}, one partition. The producer
 * outruns the broker, so the score is the whole pipeline's rate (send, batching, sender thread, broker append) and
 * {@code gc.alloc.rate.norm} ({@code -prof gc}) counts every thread's allocation, the broker's included, per record.
 * {@code registry} {@code none} builds the producer without a meter registry, {@code simple} with a
 * {@code SimpleMeterRegistry}: the difference is what the client meters ({@code METRICS.md}) cost. The log, under
 * {@code -Dyak.bench.dir} (default java.io.tmpdir), is kept to about {@link #RETENTION_BYTES} by the broker's
 * retention (checked every second, as a busy broker would) and deleted after the trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.EXPORT_MISC, Flags.EXPORT_REF, Flags.EXPORT_NIO, Flags.OPEN_REFLECT,
    Flags.QUIET_LOG})
public class ProducerSendBenchmark {
    static final String TOPIC = "jmh-send";
    static final int RECORD_BYTES = 100;
    /** Well over a second of records at the rates seen here (1-2 million 100 B records/s on 2 cores). */
    static final long RETENTION_BYTES = 512L << 20;

    @Param({"none", "simple"})
    public String registry;

    private Path dir;
    private EmbeddedNode node;
    private YakProducer producer;
    private final byte[] value = Batches.value(RECORD_BYTES);
    private final Failures failures = new Failures();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Batches.scratchDirectory("yak-jmh-send-");
        node = EmbeddedNode.start(dir, Map.of("retention.bytes", Long.toString(RETENTION_BYTES),
            "retention.check.interval.ms", "1000"));
        Properties p = new Properties();
        p.setProperty("coordinator", node.bootstrap());
        p.setProperty("acks", "1");
        p.setProperty("linger.ms", "5");
        // the one-argument constructor for "none": the path of an application that passes no registry
        producer = registry.equals("none") ? new YakProducer(p) : new YakProducer(p, new SimpleMeterRegistry());
        producer.partitionsFor(TOPIC);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            producer.close();
            node.close();
        } finally {
            EmbeddedNode.delete(dir);
        }
        if (failures.count > 0) {
            throw new IllegalStateException(failures.count + " sends failed, the first with " + failures.first);
        }
    }

    @Benchmark
    public void send(RecordCounters c) {
        producer.send(TOPIC, YakProducer.ANY_PARTITION, null, value, Batches.TIMESTAMP, failures, 0);
        c.records++;
        c.bytes += RECORD_BYTES;
    }

    /** Runs on the producer's sender thread; keeps count of failed sends for the teardown to report. */
    private static final class Failures implements SendCallback {
        volatile long count;
        volatile YakException first;

        @Override
        public void onCompletion(long token, String topic, int partition, long offset, long timestamp,
                                 YakException error) {
            if (error != null) {
                if (first == null) {
                    first = error;
                }
                count++; // only the sender thread writes
            }
        }
    }
}
