package io.yak.bench.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.bench.EmbeddedNode;
import io.yak.client.TopicPartition;
import io.yak.client.consumer.RecordHandler;
import io.yak.client.consumer.RecordView;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * {@link YakConsumer}'s allocation-free poll path ({@link RecordHandler}) from an embedded node in the same JVM: one
 * {@code poll} of up to {@link #MAX_POLL_RECORDS} records per operation, reading a partition filled with
 * {@link #RECORDS} 100-byte records once at setup and seeking back to its start at its end. The secondary
 * {@code records} result is records/s, so records per operation is {@code records / score};
 * {@code gc.alloc.rate.norm} ({@code -prof gc}) counts every thread's allocation per poll, the broker's included.
 * {@code registry} {@code none} builds the consumer without a meter registry, {@code simple} with a
 * {@code SimpleMeterRegistry}: the difference is what the client meters ({@code METRICS.md}) cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {Flags.EXPORT_MISC, Flags.EXPORT_REF, Flags.EXPORT_NIO, Flags.OPEN_REFLECT,
    Flags.QUIET_LOG})
public class ConsumerPollBenchmark {
    static final String TOPIC = "jmh-poll";
    static final int RECORDS = 1_000_000;
    static final int RECORD_BYTES = 100;
    static final int MAX_POLL_RECORDS = 500;

    @Param({"none", "simple"})
    public String registry;

    private Path dir;
    private EmbeddedNode node;
    private YakConsumer consumer;
    private final TopicPartition tp = new TopicPartition(TOPIC, 0);
    private final Counting handler = new Counting();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Batches.scratchDirectory("yak-jmh-poll-");
        node = EmbeddedNode.start(dir);
        fill();
        Properties p = new Properties();
        p.setProperty("coordinator", node.bootstrap());
        p.setProperty("max.poll.records", Integer.toString(MAX_POLL_RECORDS));
        p.setProperty("auto.offset.reset", "earliest");
        // the one-argument constructor for "none": the path of an application that passes no registry
        consumer = registry.equals("none") ? new YakConsumer(p) : new YakConsumer(p, new SimpleMeterRegistry());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
    }

    private void fill() {
        Properties p = new Properties();
        p.setProperty("coordinator", node.bootstrap());
        p.setProperty("acks", "1");
        byte[] value = Batches.value(RECORD_BYTES);
        AtomicLong failed = new AtomicLong();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(TOPIC, 0, null, value, Batches.TIMESTAMP, (token, topic, partition, offset, ts, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                }, i);
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException("filling " + TOPIC + ": " + failed.get() + " of " + RECORDS
                + " records failed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            consumer.close();
            node.close();
        } finally {
            EmbeddedNode.delete(dir);
        }
    }

    @Benchmark
    public int poll(RecordCounters c) {
        int n = consumer.poll(Duration.ofSeconds(1), handler);
        c.records += n;
        c.bytes += handler.takeBytes();
        if (handler.lastOffset == RECORDS - 1) {
            handler.lastOffset = -1;
            consumer.seekToBeginning(List.of(tp));
        }
        return n;
    }

    /** Looks at each record in place, as an application reading values would. */
    private static final class Counting implements RecordHandler {
        long lastOffset = -1;
        private long bytes;

        @Override
        public void onRecord(RecordView record) {
            lastOffset = record.offset();
            bytes += record.valueLength();
        }

        long takeBytes() {
            long b = bytes;
            bytes = 0;
            return b;
        }
    }
}
