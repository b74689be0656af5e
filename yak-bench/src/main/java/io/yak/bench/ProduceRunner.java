package io.yak.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.client.YakException;
import io.yak.client.producer.SendCallback;
import io.yak.client.producer.YakProducer;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The produce workload, like {@code kafka-producer-perf-test}: {@code --producers} producers, one thread each, send
 * {@code --records} records of {@code --record-size} bytes (one shared value array, no key) as fast as they can or
 * paced to {@code --throughput}, then flush. Latency is send() to acknowledgement; with a throughput cap it counts
 * from the time the record was due, so a stall is charged to every record it delayed. Records go through the
 * producer's allocation-free {@link SendCallback} path: one callback per producer, the send time as the token.
 */
final class ProduceRunner {
    private ProduceRunner() {
    }

    /**
     * @param spec  the workload on its topic, which exists ({@link Topics#ensure})
     * @param probe resources of an embedded node to report, or null
     */
    static Result run(WorkloadSpec spec, String bootstrap, ResourceProbe probe, PrintWriter out) throws Exception {
        byte[] value = value(spec.recordSize());
        YakProducer[] producers = new YakProducer[spec.producers()];
        MeterRegistry registry = spec.client().clientMetrics() ? new SimpleMeterRegistry() : null;
        try {
            Properties props = spec.client().producerProperties(bootstrap);
            for (int i = 0; i < producers.length; i++) {
                producers[i] = newProducer(props, registry);
                producers[i].partitionsFor(spec.topic());
            }
            warmUp(spec, producers, value, out);
            Result r = measure(spec, probe, producers, value, out);
            if (registry != null) {
                ClientMeterReport.print(spec.name(), registry, out); // before close, which removes the meters
            }
            return r;
        } finally {
            for (YakProducer p : producers) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }

    static YakProducer newProducer(Properties props) {
        return newProducer(props, null);
    }

    /** @param registry where the producer records its meters; null for none */
    static YakProducer newProducer(Properties props, MeterRegistry registry) {
        try {
            return new YakProducer(props, registry);
        } catch (IllegalArgumentException e) {
            throw new UsageException("producer setting rejected: " + e.getMessage(), e);
        }
    }

    /** Random capital letters, as Kafka's ProducerPerformance sends; the producer copies it on send. */
    static byte[] value(int size) {
        byte[] v = new byte[size];
        Random r = new Random(42);
        for (int i = 0; i < size; i++) {
            v[i] = (byte) ('A' + r.nextInt(26));
        }
        return v;
    }

    private static void warmUp(WorkloadSpec spec, YakProducer[] producers, byte[] value, PrintWriter out) {
        long warmup = spec.client().warmupRecords();
        if (warmup == 0) {
            return;
        }
        out.printf(Locale.ROOT, "%s: warming up with %,d records (not measured)%n", spec.name(), warmup);
        WarmupCallback failures = new WarmupCallback();
        long[] shares = split(warmup, producers.length);
        for (int i = 0; i < producers.length; i++) {
            for (long r = 0; r < shares[i]; r++) {
                producers[i].send(spec.topic(), YakProducer.ANY_PARTITION, null, value, System.currentTimeMillis(),
                    failures, r);
            }
        }
        for (YakProducer p : producers) {
            p.flush();
        }
        if (failures.error.get() != null) {
            throw new IllegalStateException("warm-up send failed: " + failures.error.get(), failures.error.get());
        }
    }

    private static Result measure(WorkloadSpec spec, ResourceProbe probe, YakProducer[] producers, byte[] value,
                                  PrintWriter out) throws Exception {
        try (ProgressMeter meter = new ProgressMeter(spec.name(), out, spec.recordSize(), true, probe)) {
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Throwable> threadError = new AtomicReference<>();
            long[] shares = split(spec.records(), producers.length);
            Thread[] threads = new Thread[producers.length];
            for (int i = 0; i < producers.length; i++) {
                SendLoop loop = new SendLoop(producers[i], spec.topic(), value, shares[i],
                    spec.capped() ? spec.throughput() / (double) producers.length : -1, meter, go);
                threads[i] = new Thread(() -> {
                    try {
                        loop.run();
                    } catch (Throwable t) {
                        threadError.compareAndSet(null, t);
                    }
                }, "yak-bench-send-" + i);
                threads[i].setDaemon(true);
                threads[i].start();
            }
            meter.start();
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            long endNs = System.nanoTime();
            meter.finish(endNs);
            ResourceUsage resources = probe == null ? null : probe.finish();
            if (threadError.get() != null) {
                throw new IllegalStateException("sender thread failed: " + threadError.get(), threadError.get());
            }
            // With acks=0 the broker answers nothing: a record is done once its request was written to the socket.
            boolean acked = !spec.client().acks().equals("0");
            String done = acked ? "acknowledged" : "written (acks=0: not acknowledged by the broker)";
            String problem = null;
            if (meter.failedCount() > 0 || meter.records() != spec.records()) {
                problem = String.format(Locale.ROOT, "%,d of %,d records %s, %,d failed%s", meter.records(),
                    spec.records(), done, meter.failedCount(),
                    meter.firstError() == null ? "" : "; first error: " + meter.firstError());
            }
            String what = (spec.capped() ? "from the time each record was due (throughput cap)" : "from send()")
                + (acked ? (spec.capped() ? " to its acknowledgement" : " to acknowledgement")
                    : " until its request was written (acks=0)");
            return new Result(spec, meter.records(), meter.failedCount(), meter.bytes(), endNs - meter.startNs(),
                meter.latencyUs(), what, meter.timeline(), resources, problem);
        }
    }

    /** {@code total} split in {@code parts}, the remainder on the first ones. */
    static long[] split(long total, int parts) {
        long[] shares = new long[parts];
        for (int i = 0; i < parts; i++) {
            shares[i] = total / parts + (i < total % parts ? 1 : 0);
        }
        return shares;
    }

    /** One producer's send loop; runs on its own thread. Allocates nothing per record. */
    private static final class SendLoop {
        private final YakProducer producer;
        private final String topic;
        private final byte[] value;
        private final long count;
        private final double recordsPerSecond;
        private final ProgressMeter meter;
        private final CountDownLatch go;

        SendLoop(YakProducer producer, String topic, byte[] value, long count, double recordsPerSecond,
                 ProgressMeter meter, CountDownLatch go) {
            this.producer = producer;
            this.topic = topic;
            this.value = value;
            this.count = count;
            this.recordsPerSecond = recordsPerSecond;
            this.meter = meter;
            this.go = go;
        }

        void run() throws InterruptedException {
            go.await();
            Ack ack = new Ack(meter);
            int any = YakProducer.ANY_PARTITION;
            if (recordsPerSecond > 0) {
                Pacer pacer = new Pacer(meter.startNs(), recordsPerSecond);
                for (long i = 0; i < count; i++) {
                    long dueNs = pacer.dueNs(i);
                    Pacer.awaitDue(dueNs);
                    producer.send(topic, any, null, value, System.currentTimeMillis(), ack, dueNs);
                }
            } else {
                for (long i = 0; i < count; i++) {
                    producer.send(topic, any, null, value, System.currentTimeMillis(), ack, System.nanoTime());
                }
            }
            producer.flush();
        }
    }

    /** Runs on the producer's sender thread: records the latency from the token (the send or due time). */
    private static final class Ack implements SendCallback {
        private final ProgressMeter meter;

        Ack(ProgressMeter meter) {
            this.meter = meter;
        }

        @Override
        public void onCompletion(long sentNs, String topic, int partition, long offset, long timestamp,
                                 YakException error) {
            if (error == null) {
                meter.completed(sentNs);
            } else {
                meter.failed(error);
            }
        }
    }

    /** Shared by all warm-up records: keeps the first failure. */
    private static final class WarmupCallback implements SendCallback {
        final AtomicReference<Throwable> error = new AtomicReference<>();

        @Override
        public void onCompletion(long token, String topic, int partition, long offset, long timestamp,
                                 YakException e) {
            if (e != null) {
                error.compareAndSet(null, e);
            }
        }
    }
}
