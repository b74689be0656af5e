package io.yak.bench;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.client.TopicPartition;
import io.yak.client.consumer.ConsumerRebalanceListener;
import io.yak.client.consumer.RecordHandler;
import io.yak.client.consumer.RecordView;
import io.yak.client.consumer.YakConsumer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The consume workload, like {@code kafka-consumer-perf-test}: {@code --consumers} consumers (one thread each, the
 * topic's partitions dealt out between them, each partition to exactly one) read the topic from its first offset
 * until together they counted exactly {@code --records} records, or until none arrived for {@code --idle-timeout-ms}.
 * Records a last poll returns beyond the target are not counted (Kafka's tool counts its whole last poll). When the
 * topic holds fewer records than needed, the missing ones are produced first, unmeasured. Measured time runs from
 * the first poll (or the poll that ended the warm-up) to the return of the last poll that counted a record.
 */
final class ConsumeRunner {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);

    private ConsumeRunner() {
    }

    /**
     * @param spec  the workload on its topic as it is: {@code partitions} is the topic's partition count and
     *              {@code consumers} at most that ({@link WorkloadSpec#onTopic})
     * @param probe resources of an embedded node to report, or null
     */
    static Result run(WorkloadSpec spec, String bootstrap, ResourceProbe probe, PrintWriter out) throws Exception {
        int partitions = spec.partitions();
        long warmup = spec.client().warmupRecords();
        fillIfShort(spec, bootstrap, partitions, spec.records() + warmup, out);
        List<YakConsumer> consumers = new ArrayList<>();
        MeterRegistry registry = spec.client().clientMetrics() ? new SimpleMeterRegistry() : null;
        try {
            Properties props = spec.client().consumerProperties(bootstrap);
            String group = props.getProperty("group.id");
            if (group != null) {
                return measureGroup(spec, probe, props, group, warmup, registry, out);
            }
            for (List<Integer> share : deal(partitions, spec.consumers())) {
                YakConsumer c = newConsumer(props, registry);
                consumers.add(c);
                List<TopicPartition> mine = new ArrayList<>();
                for (int p : share) {
                    mine.add(new TopicPartition(spec.topic(), p));
                }
                c.assign(mine);
                c.seekToBeginning(mine);
            }
            Result r = measure(spec, probe, consumers, warmup, out);
            printMeters(spec, registry, out);
            return r;
        } finally {
            for (YakConsumer c : consumers) {
                c.close();
            }
        }
    }

    /**
     * Partitions {@code 0..partitions-1} dealt out round-robin to {@code min(consumers, partitions)} consumers: each
     * partition to exactly one, so no record is read twice.
     */
    static List<List<Integer>> deal(int partitions, int consumers) {
        int n = Math.min(consumers, partitions);
        List<List<Integer>> shares = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<Integer> share = new ArrayList<>();
            for (int p = i; p < partitions; p += n) {
                share.add(p);
            }
            shares.add(share);
        }
        return shares;
    }

    static YakConsumer newConsumer(Properties props) {
        return newConsumer(props, null);
    }

    /** @param registry where the consumer records its meters; null for none */
    static YakConsumer newConsumer(Properties props, MeterRegistry registry) {
        try {
            return new YakConsumer(props, registry);
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
        Properties props = spec.client().consumerProperties(bootstrap);
        props.remove("group.id"); // a look at the offsets must not commit anything for the measured group
        try (YakConsumer c = newConsumer(props)) {
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

    /**
     * {@code --consumers} members of {@code group} subscribe at once and the group protocol shares the partitions
     * out, as Kafka's ConsumerPerformance consumers do; reports, from the moment they subscribed, when every member
     * had partitions and when every one that got partitions had consumed a record.
     */
    private static Result measureGroup(WorkloadSpec spec, ResourceProbe probe, Properties base, String group,
                                       long warmup, MeterRegistry registry, PrintWriter out) throws Exception {
        Properties props = new Properties();
        props.putAll(base);
        props.putIfAbsent("enable.auto.commit", "false"); // the run measures reading, not committing
        List<YakConsumer> consumers = new ArrayList<>();
        int n = spec.consumers();
        long[] assignedNs = new long[n];
        try {
            for (int i = 0; i < n; i++) {
                consumers.add(newConsumer(props, registry));
            }
            long startNs = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int member = i;
                consumers.get(i).subscribe(List.of(spec.topic()), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                        if (!partitions.isEmpty() && assignedNs[member] == 0) {
                            assignedNs[member] = System.nanoTime();
                        }
                    }
                });
            }
            GroupTiming timing = new GroupTiming(startNs, n);
            Result r = measure(spec, probe, consumers, warmup, out, timing);
            long lastAssigned = 0;
            for (long t : assignedNs) {
                lastAssigned = Math.max(lastAssigned, t == 0 ? 0 : t - startNs);
            }
            out.printf(Locale.ROOT, "%s: group %s, %d member(s): every member with partitions %,d ms after "
                    + "subscribing, every such member consuming after %,d ms%n", spec.name(), group, n,
                TimeUnit.NANOSECONDS.toMillis(lastAssigned), TimeUnit.NANOSECONDS.toMillis(timing.allConsumingNs()));
            printMeters(spec, registry, out);
            return r;
        } finally {
            for (YakConsumer c : consumers) {
                c.close();
            }
        }
    }

    /** With {@code --client-metrics}: the consumers' meters, printed before they close (closing removes them). */
    private static void printMeters(WorkloadSpec spec, MeterRegistry registry, PrintWriter out) {
        if (registry != null) {
            ClientMeterReport.print(spec.name(), registry, out);
        }
    }

    /** When each group member returned its first record, from the moment they subscribed. */
    static final class GroupTiming {
        private final long startNs;
        private final long[] firstRecordNs;

        GroupTiming(long startNs, int members) {
            this.startNs = startNs;
            this.firstRecordNs = new long[members];
        }

        void recordsReturned(int member, long nowNs) {
            if (firstRecordNs[member] == 0) {
                firstRecordNs[member] = nowNs;
            }
        }

        /** The last member's first record (members that never got one are left out). */
        long allConsumingNs() {
            long last = 0;
            for (long t : firstRecordNs) {
                last = Math.max(last, t == 0 ? 0 : t - startNs);
            }
            return last;
        }
    }

    private static Result measure(WorkloadSpec spec, ResourceProbe probe, List<YakConsumer> consumers, long warmup,
                                  PrintWriter out) throws Exception {
        return measure(spec, probe, consumers, warmup, out, null);
    }

    private static Result measure(WorkloadSpec spec, ResourceProbe probe, List<YakConsumer> consumers, long warmup,
                                  PrintWriter out, GroupTiming timing) throws Exception {
        try (ProgressMeter meter = new ProgressMeter(spec.name(), out, -1, false, probe)) {
            Shared shared = new Shared(meter, warmup, spec.records());
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
                int member = i;
                threads[i] = new Thread(() -> {
                    try {
                        pollLoop(c, shared, idleNs, timing, member);
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
     * (its value's length counted) as Kafka's perf tool looks at each record's value. A poll's records past the
     * target are not counted; this consumer then stops.
     */
    private static void pollLoop(YakConsumer consumer, Shared shared, long idleNs, GroupTiming timing, int member) {
        Quota quota = new Quota(shared);
        long lastDataNs = System.nanoTime();
        while (!shared.reached() && !shared.stop.get()) {
            quota.beginPoll(System.nanoTime());
            int n;
            try {
                n = consumer.poll(POLL_TIMEOUT, quota);
            } finally {
                quota.endPoll();
            }
            long now = System.nanoTime();
            if (timing != null && n > 0) {
                timing.recordsReturned(member, now);
            }
            if (quota.countedMeasuredThisPoll()) {
                shared.lastRecordNs.accumulateAndGet(now, Math::max);
            }
            if (n == 0) {
                if (now - lastDataNs > idleNs) {
                    return;
                }
                continue;
            }
            lastDataNs = now;
        }
    }

    /**
     * One consumer's share of the target, handed out in grants of up to {@link #GRANT} records from {@link Shared}:
     * a record is counted (with its value bytes) only under a grant, so the consumers together count exactly the
     * warm-up and then exactly {@code --records}, whatever their polls return. Per record that is one counter check;
     * the atomics run once per grant and once per poll. Owned by one poll thread.
     *
     * <p>A grant's unused rest goes back when the poll ends. A consumer that finds every record of the target
     * granted while another consumer still holds some waits for that one to use them or give them back (it is inside
     * a poll, handing out records it already has, so this takes microseconds) rather than skip the record: a skipped
     * record is never read again, and a topic holding exactly the target would then fall short.
     */
    static final class Quota implements RecordHandler {
        static final long GRANT = 1024;

        private final Shared shared;
        private long pollStartNs;
        /** Records the current grant still allows; the grant is of measured records or else of warm-up ones. */
        private long allowance;
        private long granted;
        private boolean grantMeasured;
        /** Value bytes of the records counted under the current grant. */
        private long grantBytes;
        private boolean measuredThisPoll;
        /** The target is reached: nothing more is counted. */
        private boolean done;
        /** Records this consumer counted, warm-up included (for tests). */
        private long counted;

        Quota(Shared shared) {
            this.shared = shared;
        }

        @Override
        public void onRecord(RecordView record) {
            count(record.valueLength());
        }

        /** One record with a value of {@code valueLength} bytes (-1 for none). */
        void count(int valueLength) {
            if (allowance == 0 && !refill()) {
                return;
            }
            allowance--;
            grantBytes += Math.max(0, valueLength);
        }

        /** @param nowNs when the poll starts: measuring starts then if this poll takes the first measured grant */
        void beginPoll(long nowNs) {
            pollStartNs = nowNs;
            measuredThisPoll = false;
        }

        /** After every poll, also one that threw: commits what was counted and gives back the rest of the grant. */
        void endPoll() {
            settle();
        }

        boolean countedMeasuredThisPoll() {
            return measuredThisPoll;
        }

        long counted() {
            return counted;
        }

        private void settle() {
            long used = granted - allowance;
            if (allowance > 0) {
                shared.giveBack(grantMeasured, allowance);
            }
            if (used > 0) {
                shared.commit(grantMeasured, used, grantBytes);
                measuredThisPoll |= grantMeasured;
                counted += used;
            }
            granted = 0;
            allowance = 0;
            grantBytes = 0;
        }

        /** The current grant is used up: commit it and take the next. False once the target is reached. */
        private boolean refill() {
            if (done) {
                return false;
            }
            settle();
            for (int spins = 0; ; spins++) {
                long g = shared.claimWarmup();
                if (g > 0) {
                    grantMeasured = false;
                } else {
                    g = shared.claimMeasured(pollStartNs);
                    grantMeasured = true;
                }
                if (g > 0) {
                    granted = g;
                    allowance = g;
                    return true;
                }
                if (shared.reached() || shared.stop.get()) {
                    done = true;
                    return false;
                }
                // Every record of the target is granted, some to a consumer still in its poll.
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
        }
    }

    /**
     * The target shared by the poll threads: {@code warmup} records first, then {@code records} measured ones. Each
     * is a pool of records to grant ({@code *Granted}, including grants still in use) and a count of records
     * counted under them ({@code *Counted}); a pool's granted count never exceeds its size.
     */
    static final class Shared {
        final ProgressMeter meter;
        final long warmup;
        final long records;
        final AtomicLong warmupGranted = new AtomicLong();
        final AtomicLong warmupCounted = new AtomicLong();
        final AtomicLong measuredGranted = new AtomicLong();
        final AtomicLong measuredCounted = new AtomicLong();
        final AtomicLong lastRecordNs = new AtomicLong(Long.MIN_VALUE);
        final AtomicBoolean measuring = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();

        Shared(ProgressMeter meter, long warmup, long records) {
            this.meter = meter;
            this.warmup = warmup;
            this.records = records;
        }

        void startMeasuring(long startNs) {
            if (measuring.compareAndSet(false, true)) {
                meter.start(startNs);
            }
        }

        boolean reached() {
            return measuredCounted.get() >= records;
        }

        long claimWarmup() {
            return claim(warmupGranted, warmup);
        }

        /**
         * A grant of measured records, 0 when all are granted. The first one starts measuring at
         * {@code pollStartNs}: the poll that ends the warm-up counts from its start.
         */
        long claimMeasured(long pollStartNs) {
            long g = claim(measuredGranted, records);
            if (g > 0 && !measuring.get()) {
                startMeasuring(pollStartNs);
            }
            return g;
        }

        private static long claim(AtomicLong granted, long size) {
            while (true) {
                long g = granted.get();
                if (g >= size) {
                    return 0;
                }
                long n = Math.min(Quota.GRANT, size - g);
                if (granted.compareAndSet(g, g + n)) {
                    return n;
                }
            }
        }

        void giveBack(boolean measured, long n) {
            (measured ? measuredGranted : warmupGranted).addAndGet(-n);
        }

        void commit(boolean measured, long n, long bytes) {
            if (measured) {
                meter.add(n, bytes);
                measuredCounted.addAndGet(n);
            } else {
                warmupCounted.addAndGet(n);
            }
        }
    }
}
