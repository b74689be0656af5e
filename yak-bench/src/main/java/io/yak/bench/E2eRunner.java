package io.yak.bench;

import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.consumer.RecordHandler;
import io.yak.client.consumer.RecordView;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.SendCallback;
import io.yak.client.producer.YakProducer;
import java.io.PrintWriter;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The end-to-end latency workload, like {@code kafka-e2e-latency}: one producer and one consumer (reading every
 * partition from its end) in this process, one record in flight. Each value carries a sequence number and the
 * {@link System#nanoTime()} of its send (bytes 0-7 and 8-15); latency is the time from that send until both the
 * consumer's poll returned the record and the producer's acknowledgement arrived, whichever came later: Kafka's
 * {@code EndToEndLatency} waits for the acknowledgement and then polls, so it counts both as well. The next record
 * is sent once both happened.
 */
final class E2eRunner {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private E2eRunner() {
    }

    /**
     * @param spec  the workload on its topic as it is: {@code partitions} is the topic's partition count
     *              ({@link WorkloadSpec#onTopic})
     * @param probe resources of an embedded node to report, or null
     */
    static Result run(WorkloadSpec spec, String bootstrap, ResourceProbe probe, PrintWriter out) throws Exception {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < spec.partitions(); p++) {
            all.add(new TopicPartition(spec.topic(), p));
        }
        try (YakProducer producer = ProduceRunner.newProducer(spec.client().producerProperties(bootstrap));
             YakConsumer consumer = ConsumeRunner.newConsumer(spec.client().consumerProperties(bootstrap))) {
            producer.partitionsFor(spec.topic());
            consumer.assign(all);
            consumer.seekToEnd(all);
            for (TopicPartition tp : all) {
                consumer.position(tp);
            }
            RoundTrip trip = new RoundTrip(spec, producer, consumer);
            long warmup = spec.client().warmupRecords();
            if (warmup > 0) {
                out.printf(Locale.ROOT, "%s: warming up with %,d round trips (not measured)%n", spec.name(), warmup);
            }
            for (long seq = 0; seq < warmup; seq++) {
                if (trip.run(seq) < 0) {
                    throw new IllegalStateException("warm-up round trip " + seq + " failed: " + trip.problem);
                }
            }
            try (ProgressMeter meter = new ProgressMeter(spec.name(), out, spec.recordSize(), true, probe)) {
                // Progress lines are printed here, between round trips, not by a thread that would compete with one.
                meter.startOnCallerThread();
                for (long seq = warmup; seq < warmup + spec.records(); seq++) {
                    long latencyNs = trip.run(seq);
                    if (latencyNs < 0) {
                        break;
                    }
                    meter.completedWithLatencyUs(latencyNs / 1000);
                    meter.tickIfDue(System.nanoTime());
                }
                long endNs = System.nanoTime();
                meter.finish(endNs);
                ResourceUsage resources = probe == null ? null : probe.finish();
                return new Result(spec, meter.records(), trip.problem == null ? 0 : 1, meter.bytes(),
                    endNs - meter.startNs(), meter.latencyUs(),
                    "from send() until the consumer's poll returned the record and the send was acknowledged, one in flight", meter.timeline(),
                    resources, trip.problem);
            }
        }
    }

    /**
     * One send and the poll loop that waits for it, through the client's allocation-free paths (a send callback,
     * a record handler): allocation per trip is what the client allocates per request.
     */
    private static final class RoundTrip implements RecordHandler, SendCallback {
        private final WorkloadSpec spec;
        private final YakProducer producer;
        private final YakConsumer consumer;
        private final byte[] value;
        private final long timeoutNs;
        String problem;
        /** The sequence number the handler looks for, and whether a poll handed that record out. */
        private long expected;
        private boolean found;
        /** Acknowledgement of the current trip: 0 waiting, 1 stored, 2 failed (then {@link #sendError}). */
        private volatile int acked;
        /** When the acknowledgement of the current trip arrived (valid once {@link #acked} is 1). */
        private volatile long ackedNs;
        private volatile YakException sendError;
        /** The thread running the round trips, unparked by the acknowledgement. */
        private final Thread loopThread = Thread.currentThread();

        RoundTrip(WorkloadSpec spec, YakProducer producer, YakConsumer consumer) {
            this.spec = spec;
            this.producer = producer;
            this.consumer = consumer;
            this.value = ProduceRunner.value(spec.recordSize());
            this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(spec.client().idleTimeoutMs());
        }

        /** @return the latency in ns, or -1 with {@link #problem} set */
        long run(long seq) {
            LONG.set(value, 0, seq);
            long sentNs = System.nanoTime();
            LONG.set(value, 8, sentNs);
            expected = seq;
            found = false;
            acked = 0;
            producer.send(spec.topic(), YakProducer.ANY_PARTITION, null, value, System.currentTimeMillis(), this, seq);
            long latencyNs = -1;
            while (latencyNs < 0) {
                int n = consumer.poll(POLL_TIMEOUT, this);
                long now = System.nanoTime();
                if (n > 0 && found) {
                    latencyNs = now - sentNs;
                }
                if (latencyNs < 0 && now - sentNs > timeoutNs) {
                    problem = String.format(Locale.ROOT, "record %,d not received within %,d ms%s", seq,
                        spec.client().idleTimeoutMs(), acked == 2 ? " (its send failed: " + sendError + ")" : "");
                    return -1;
                }
            }
            // The broker answers the parked consume before the publisher, so the acknowledgement usually follows the
            // record by microseconds. Its time is stamped by the callback, which unparks this thread: a blocking wait,
            // as Kafka's tool waits on the send's future, instead of waking every 10 us to look (same tails, less CPU).
            while (acked == 0) {
                long leftNs = timeoutNs - (System.nanoTime() - sentNs);
                if (leftNs <= 0) {
                    problem = "record " + seq + " arrived but was not acknowledged within "
                        + spec.client().idleTimeoutMs() + " ms";
                    return -1;
                }
                LockSupport.parkNanos(this, leftNs);
            }
            if (acked == 2) {
                problem = "record " + seq + " arrived but its send reported " + sendError;
                return -1;
            }
            // The round trip ends when both the record and its acknowledgement are in.
            return Math.max(latencyNs, ackedNs - sentNs);
        }

        /** A polled record: ours when it carries the expected sequence number (others, e.g. duplicates, skipped). */
        @Override
        public void onRecord(RecordView r) {
            if (r.valueLength() >= 16 && r.valueLong(0) == expected) {
                found = true;
            }
        }

        /** The acknowledgement, on the producer's sender thread. */
        @Override
        public void onCompletion(long seq, String topic, int partition, long offset, long timestamp,
                                 YakException error) {
            if (seq != expected) {
                return;
            }
            if (error != null) {
                sendError = error;
                acked = 2;
            } else {
                ackedNs = System.nanoTime();
                acked = 1;
            }
            LockSupport.unpark(loopThread);
        }
    }
}
