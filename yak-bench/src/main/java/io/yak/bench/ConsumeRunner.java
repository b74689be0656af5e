package io.yak.bench;

import io.yak.client.TopicPartition;
import io.yak.client.consumer.RecordHandler;
import io.yak.client.consumer.RecordView;
import io.yak.client.consumer.YakConsumer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The consume workload, like {@code kafka-consumer-perf-test}: {@code --consumers} consumers (one thread each, the
 * topic's partitions dealt out between them) read the topic from its first offset until {@code --records} records
 * arrived, or until none arrived for {@code --idle-timeout-ms}. When the topic holds fewer records than needed, the
 * missing ones are produced first, unmeasured. Measured time runs from the first poll (or the end of the warm-up)
 * to the poll that returned the last record.
 */
final class ConsumeRunner {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private ConsumeRunner() {
    }

    /**
     * @param probe resources of an embedded node to report, or null
     */
    static Result run(WorkloadSpec spec, String bootstrap, ResourceProbe probe, PrintWriter out) throws Exception {
        int partitions = Topics.ensure(bootstrap, spec.topic(), spec.partitions(), out);
        long warmup = spec.client().warmupRecords();
        long need = spec.records() + warmup;
        fillIfShort(spec, bootstrap, partitions, need, out);
        int n = Math.min(spec.consumers(), partitions);
        if (n < spec.consumers()) {
            out.printf("note: %d consumers asked for, but topic %s has %d partitions: using %d%n", spec.consumers(),
                spec.topic(), partitions, n);
        }
        List<YakConsumer> consumers = new ArrayList<>();
        try {
            Properties props = spec.client().consumerProperties(bootstrap);
            for (int i = 0; i < n; i++) {
                YakConsumer c = newConsumer(props);
                consumers.add(c);
                List<TopicPartition> mine = new ArrayList<>();
                for (int p = i; p < partitions; p += n) {
                    mine.add(new TopicPartition(spec.topic(), p));
                }
                c.assign(mine);
                c.seekToBeginning(mine);
            }
            return measure(spec, probe, consumers, warmup, need, out);
        } finally {
            for (YakConsumer c : consumers) {
                c.close();
            }
        }
    }

    static YakConsumer newConsumer(Properties props) {
        try {
            return new YakConsumer(props);
        } catch (IllegalArgumentException e) {
            throw new UsageException("consumer setting rejected: " + e.getMessage(), e);
        }
    }

    private static void fillIfShort(WorkloadSpec spec, String bootstrap, int partitions, long need, PrintWriter out)
        throws Exception {
        long available = available(bootstrap, spec, partitions);
        if (available >= need) {
            return;
        }
        out.printf(Locale.ROOT, "%s: topic %s holds %,d records, %,d needed: producing %,d (not measured)%n",
            spec.name(), spec.topic(), available, need, need - available);
        ClientSettings c = spec.client();
        ClientSettings fillSettings = new ClientSettings(c.acks(), c.batchSize(), c.lingerMs(), 0, c.idleTimeoutMs(),
            c.producerProps(), c.consumerProps());
        WorkloadSpec fill = new WorkloadSpec("fill", WorkloadSpec.Kind.PRODUCE, spec.topic(), partitions,
            need - available, spec.recordSize(), -1, 1, 1, fillSettings);
        Result r = ProduceRunner.run(fill, bootstrap, null, out);
        if (!r.ok()) {
            throw new IllegalStateException("filling topic " + spec.topic() + " failed: " + r.problem());
        }
    }

    /** Records between the first and the end offset of every partition. */
    private static long available(String bootstrap, WorkloadSpec spec, int partitions) {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(spec.topic(), p));
        }
        try (YakConsumer c = newConsumer(spec.client().consumerProperties(bootstrap))) {
            c.assign(all);
            long sum = 0;
            for (TopicPartition tp : all) {
                c.seekToBeginning(List.of(tp));
                long first = c.position(tp);
                c.seekToEnd(List.of(tp));
                sum += c.position(tp) - first;
            }
            return sum;
        }
    }

    private static Result measure(WorkloadSpec spec, ResourceProbe probe, List<YakConsumer> consumers, long warmup,
                                  long need, PrintWriter out) throws Exception {
        try (ProgressMeter meter = new ProgressMeter(spec.name(), out, -1, false, probe)) {
            Shared shared = new Shared(meter, warmup, need);
            if (warmup == 0) {
                shared.startMeasuring(System.nanoTime());
            } else {
                out.printf(Locale.ROOT, "%s: warming up with %,d records (not measured)%n", spec.name(), warmup);
            }
            long idleNs = TimeUnit.MILLISECONDS.toNanos(spec.client().idleTimeoutMs());
            AtomicReference<Throwable> threadError = new AtomicReference<>();
            Thread[] threads = new Thread[consumers.size()];
            for (int i = 0; i < threads.length; i++) {
                YakConsumer c = consumers.get(i);
                threads[i] = new Thread(() -> {
                    try {
                        pollLoop(c, shared, idleNs);
                    } catch (Throwable t) {
                        threadError.compareAndSet(null, t);
                        shared.stop.set(true);
                    }
                }, "yak-bench-poll-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            for (Thread t : threads) {
                t.join();
            }
            shared.startMeasuring(System.nanoTime()); // when the warm-up never completed: measure nothing
            long endNs = Math.max(shared.lastRecordNs.get(), meter.startNs());
            meter.finish(endNs);
            ResourceUsage resources = probe == null ? null : probe.finish();
            if (threadError.get() != null) {
                throw new IllegalStateException("consumer thread failed: " + threadError.get(), threadError.get());
            }
            String problem = meter.records() >= spec.records() ? null : String.format(Locale.ROOT,
                "%,d of %,d records read: none arrived for %,d ms", meter.records(), spec.records(),
                spec.client().idleTimeoutMs());
            return new Result(spec, meter.records(), 0, meter.bytes(), endNs - meter.startNs(), null, null,
                meter.timeline(), resources, problem);
        }
    }

    /**
     * Polls through the consumer's allocation-free {@link RecordHandler} path: each record is looked at in place
     * (its value's length counted) as Kafka's perf tool looks at each record's value.
     */
    private static void pollLoop(YakConsumer consumer, Shared shared, long idleNs) {
        ValueBytes counter = new ValueBytes();
        long lastDataNs = System.nanoTime();
        while (shared.consumed.get() < shared.need && !shared.stop.get()) {
            counter.bytes = 0;
            long pollStartNs = System.nanoTime();
            int n = consumer.poll(POLL_TIMEOUT, counter);
            long now = System.nanoTime();
            if (n == 0) {
                if (now - lastDataNs > idleNs) {
                    return;
                }
                continue;
            }
            lastDataNs = now;
            shared.arrived(n, counter.bytes, pollStartNs, now);
        }
    }

    /** Sums the value bytes of the records handed to it. */
    private static final class ValueBytes implements RecordHandler {
        long bytes;

        @Override
        public void onRecord(RecordView record) {
            bytes += Math.max(0, record.valueLength());
        }
    }

    /** Counts shared by the poll threads. */
    static final class Shared {
        final ProgressMeter meter;
        final long warmup;
        final long need;
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong lastRecordNs = new AtomicLong(Long.MIN_VALUE);
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();

        Shared(ProgressMeter meter, long warmup, long need) {
            this.meter = meter;
            this.warmup = warmup;
            this.need = need;
        }

        void startMeasuring(long startNs) {
            if (measuring.compareAndSet(false, true)) {
                meter.start(startNs);
            }
        }

        /**
         * {@code n} records of {@code bytes} value bytes in total returned by one poll that started at
         * {@code pollStartNs} and returned at {@code now}. When the poll crosses the end of the warm-up, the records
         * after it count and so does the poll's time: measuring starts when that poll started.
         */
        void arrived(int n, long bytes, long pollStartNs, long now) {
            long after = consumed.addAndGet(n);
            long before = after - n;
            if (after <= warmup) {
                return;
            }
            long measured = after - Math.max(before, warmup);
            if (before < warmup) {
                startMeasuring(pollStartNs);
            }
            meter.add(measured, measured == n ? bytes : bytes * measured / n);
            lastRecordNs.accumulateAndGet(now, Math::max);
        }
    }
}
