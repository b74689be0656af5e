package io.yak.bench;

import io.yak.bench.FailoverSignaller.Signal;
import io.yak.bench.FailoverSignaller.Target;
import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.RecordHandler;
import io.yak.client.consumer.RecordView;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.SendCallback;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code yak-bench failover}: availability and loss across the loss of a partition leader, YaK's side of the Kafka
 * anchor's {@code FailoverProbe} (F1 {@code kill -9}, F2 SIGTERM). Produces {@code rate} records/s for
 * {@code seconds} seconds with acks=all to a 3-partition topic with replication factor 3 (value: the record's
 * sequence number as 8 big-endian bytes, no key, so the default partitioner spreads them), signals the process of
 * partition {@code partition}'s leader {@code killAfterSeconds} in and leaves it down, then reads every partition
 * from the beginning and checks each sequence number. The result ({@link Outcome#line()}) has the probe's fields:
 * records acknowledged and failed, acknowledged records never read back (lost), records read more than once
 * (duplicated), and the longest time in which no send was acknowledged, the unavailability a producer sees.
 *
 * <p>Record {@code i} is due at {@code start + i * 1e9 / rate} ns, as in the probe; a sender held up (a full buffer)
 * sends the records that fell due at once. The probe spins until a record is due; this waits with {@link Pacer}
 * (parking, then yielding), so that on a small machine the tool does not take a core from the brokers.
 *
 * <p>Threads: the caller's thread sends; the producer's sender thread runs the callback ({@link Acks}); a
 * {@code yak-bench-failover} scheduler thread prints the progress line on {@code err} every second and sends the
 * signal. Nothing is printed on stdout here: the command prints the result line.
 */
final class FailoverRunner {
    static final int PARTITIONS = 3;
    static final short REPLICATION_FACTOR = 3;
    /** As the anchor's topics ({@code --config min.insync.replicas=2}): acks=all needs two in-sync copies. */
    static final int MIN_INSYNC_REPLICAS = 2;
    /** 12 bytes of bookkeeping per record (ack time, read count): 50 M records take 600 MB of heap. */
    static final long MAX_RECORDS = 50_000_000;
    static final long DELIVERY_TIMEOUT_MS = 120_000;
    static final long LINGER_MS = 1;
    private static final long READ_BACK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long LEADERS_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);
    private static final int MAX_REPEAT_EXAMPLES = 10;
    /** Gaps listed on stderr: the longest may be a pause of the machine, not the failover. */
    private static final int SHOWN_GAPS = 3;
    private static final int MAX_COMMAND_LINE_CHARS = 400;

    /**
     * What to run.
     *
     * @param topic         topic, created with {@link #PARTITIONS} partitions, replication factor
     *                      {@link #REPLICATION_FACTOR} and {@link #MIN_INSYNC_REPLICAS} when missing
     * @param producerProps extra producer keys, applied last
     */
    record Settings(String bootstrap, String topic, int rate, int seconds, int killAfterSeconds, Signal signal,
                    int partition, Map<String, String> producerProps) {
        Settings {
            producerProps = Map.copyOf(producerProps);
        }

        long records() {
            return (long) rate * seconds;
        }

        /** Null when valid, else one line naming the option. */
        String validate() {
            if (topic == null || topic.isBlank()) {
                return "--topic must not be empty";
            }
            if (rate < 1) {
                return "--rate must be positive, was " + rate;
            }
            if (seconds < 1) {
                return "--seconds must be positive, was " + seconds;
            }
            if (records() > MAX_RECORDS) {
                return String.format(Locale.ROOT, "--rate x --seconds must be at most %,d records, was %,d",
                    MAX_RECORDS, records());
            }
            if (killAfterSeconds < 0 || killAfterSeconds >= seconds) {
                return "--kill-after-seconds must be at least 0 and less than --seconds " + seconds + ", was "
                    + killAfterSeconds;
            }
            if (partition < 0) {
                return "--partition must not be negative, was " + partition;
            }
            return null;
        }
    }

    /** The longest time between two consecutive acknowledgements; {@code startNs} is when it began. */
    record Gap(long lengthNs, long startNs) {
    }

    /** Acknowledged records never read, and records read more than once. */
    record Tally(long lost, long duplicated) {
    }

    /**
     * The result.
     *
     * @param leader       the broker that was signalled
     * @param gapStartSeconds when the longest gap began, seconds since the first record was due
     * @param readComplete whether every partition was read up to its high watermark within the read-back bound;
     *                     when not, {@code lost} counts records that may just not have been reached
     */
    record Outcome(Signal signal, int leader, long pid, long acked, long failed, long lost, long duplicated,
                   long maxAckGapNs, double gapStartSeconds, boolean readComplete) {
        /** The anchor's line with the signal and the signalled broker in front. */
        String line() {
            return String.format(Locale.ROOT, "signal=%s leader=%d pid=%d acked=%d failed=%d lost=%d duplicated=%d "
                    + "max_ack_gap_ms=%.1f gap_start_s=%.2f", signal, leader, pid, acked, failed, lost, duplicated,
                maxAckGapNs / 1e6, gapStartSeconds);
        }

        /** Nothing lost, nothing duplicated, everything read. */
        boolean ok() {
            return lost == 0 && duplicated == 0 && readComplete;
        }
    }

    private final Settings settings;
    private final FailoverSignaller signaller;
    private final PrintWriter err;

    /** @param err where progress and notes go (the command's stderr) */
    FailoverRunner(Settings settings, FailoverSignaller signaller, PrintWriter err) {
        this.settings = settings;
        this.signaller = signaller;
        this.err = err;
    }

    /**
     * The longest time between two consecutive acknowledgement times of the records set in {@code acked}: the
     * times sorted, as the probe does. Fewer than two acknowledgements: no gap ({@code lengthNs} 0) at
     * {@code fromNs}.
     */
    static Gap longestGap(long[] ackNs, BitSet acked, long fromNs) {
        List<Gap> top = longestGaps(sortedAckTimes(ackNs, acked), 1);
        return top.isEmpty() ? new Gap(0, fromNs) : top.get(0);
    }

    /** The acknowledgement times of the records set in {@code acked}, sorted. */
    static long[] sortedAckTimes(long[] ackNs, BitSet acked) {
        long[] times = new long[acked.cardinality()];
        int k = 0;
        for (int i = acked.nextSetBit(0); i >= 0; i = acked.nextSetBit(i + 1)) {
            times[k++] = ackNs[i];
        }
        Arrays.sort(times);
        return times;
    }

    /**
     * The {@code k} longest gaps between consecutive {@code sortedTimes}, longest first (of equal ones, the
     * earliest first); fewer when there are fewer gaps.
     */
    static List<Gap> longestGaps(long[] sortedTimes, int k) {
        Comparator<Gap> longerFirst = Comparator.comparingLong(Gap::lengthNs).reversed()
            .thenComparing((a, b) -> Long.compare(a.startNs() - b.startNs(), 0)); // nanoTime: compare differences
        PriorityQueue<Gap> top = new PriorityQueue<>(k + 1, longerFirst.reversed()); // head: the one to drop
        for (int i = 1; i < sortedTimes.length; i++) {
            top.add(new Gap(sortedTimes[i] - sortedTimes[i - 1], sortedTimes[i - 1]));
            if (top.size() > k) {
                top.poll();
            }
        }
        List<Gap> out = new ArrayList<>(top);
        out.sort(longerFirst);
        return out;
    }

    /** Lost: acknowledged, read 0 times; duplicated: read more than once (acknowledged or not). */
    static Tally tally(BitSet acked, int[] readCounts) {
        long lost = 0;
        long duplicated = 0;
        for (int i = 0; i < readCounts.length; i++) {
            if (readCounts[i] == 0 && acked.get(i)) {
                lost++;
            }
            if (readCounts[i] > 1) {
                duplicated++;
            }
        }
        return new Tally(lost, duplicated);
    }

    /**
     * Runs the failover; the broker signalled stays down.
     *
     * @throws UsageException when the producer rejects a {@code --producer-prop}
     * @throws IllegalStateException when the topic, its leader or the leader's process cannot be found, or the
     *     signal could not be sent (the run stops there)
     */
    Outcome run() throws Exception {
        int n = Math.toIntExact(settings.records());
        Properties props = new Properties();
        props.setProperty("coordinator", settings.bootstrap());
        props.setProperty("acks", "all");
        props.setProperty("linger.ms", Long.toString(LINGER_MS));
        props.setProperty("delivery.timeout.ms", Long.toString(DELIVERY_TIMEOUT_MS));
        props.putAll(settings.producerProps());
        try (YakAdmin admin = YakAdmin.connect(settings.bootstrap())) {
            TopicInfo topic;
            Sent sent;
            try (YakProducer producer = newProducer(props)) { // first: a bad --producer-prop stops before anything
                topic = prepareTopic(admin);
                Map<Integer, Target> replicas = findReplicas(admin.describeCluster(), topic);
                sent = produce(producer, admin, n, replicas);
            }
            List<Gap> gaps = longestGaps(sortedAckTimes(sent.acks.ackNs, sent.acks.acked), SHOWN_GAPS);
            Gap gap = gaps.isEmpty() ? new Gap(0, sent.startNs) : gaps.get(0);
            List<String> shown = new ArrayList<>();
            for (Gap g : gaps) {
                shown.add(String.format(Locale.ROOT, "%,.1f ms from %.2f s", g.lengthNs() / 1e6,
                    seconds(g.startNs(), sent)));
            }
            err.printf(Locale.ROOT, "failover: %s at %.2f s; longest times without an acknowledgement: %s%n",
                settings.signal().signalName(), seconds(sent.signalNs, sent), String.join(", ", shown));
            int[] readCounts = new int[n];
            boolean complete = readBack(admin, topic.partitionCount(), readCounts, sent.acks.acked);
            Tally t = tally(sent.acks.acked, readCounts);
            return new Outcome(settings.signal(), sent.target.broker().id(), sent.target.pid(),
                sent.acks.acked.cardinality(), sent.acks.failed.sum(), t.lost(), t.duplicated(), gap.lengthNs(),
                seconds(gap.startNs(), sent), complete);
        }
    }

    private static double seconds(long ns, Sent sent) {
        return (ns - sent.startNs) / 1e9;
    }

    /** Creates the topic when missing, checks the partition exists and waits until every partition has a leader. */
    private TopicInfo prepareTopic(YakAdmin admin) throws InterruptedException {
        String name = settings.topic();
        Topics.Found found;
        try {
            found = Topics.ensure(settings.bootstrap(), name, PARTITIONS,
                new WorkloadSpec.Replication(REPLICATION_FACTOR, MIN_INSYNC_REPLICAS));
        } catch (YakException e) {
            if (e.errorCode() == ErrorCode.INVALID_REPLICATION_FACTOR) {
                throw new IllegalStateException(e.getMessage() + ": failover needs " + REPLICATION_FACTOR
                    + " live brokers (restart a broker a previous run stopped)", e);
            }
            throw e;
        }
        if (found.note() != null) {
            err.println("failover: " + found.note());
        }
        if (settings.partition() >= found.partitionCount()) {
            throw new UsageException("--partition " + settings.partition() + ": topic " + name + " has "
                + found.partitionCount() + " partitions", null);
        }
        long deadline = System.nanoTime() + LEADERS_TIMEOUT_NS;
        while (true) {
            TopicInfo t = admin.describeTopic(name);
            if (t.partitions().stream().allMatch(PartitionInfo::online)) {
                int replicas = t.partition(settings.partition()).replicas().size();
                String minInsync = t.config(TopicConfigs.MIN_INSYNC_REPLICAS);
                err.printf(Locale.ROOT, "failover: topic %s, %d partitions, replication factor %d%s%s%n", name,
                    t.partitionCount(), replicas, minInsync == null ? "" : ", min.insync.replicas=" + minInsync,
                    replicas < REPLICATION_FACTOR ? " (note: fewer replicas than the " + REPLICATION_FACTOR
                        + " this comparison is made for)" : "");
                return t;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("topic " + name + " still has partitions without a leader after "
                    + TimeUnit.NANOSECONDS.toSeconds(LEADERS_TIMEOUT_NS) + " s: " + t.partitions());
            }
            Thread.sleep(100);
        }
    }

    /** The process of every replica of the partition: whichever leads it when the signal is due. */
    private Map<Integer, Target> findReplicas(ClusterMetadata cluster, TopicInfo topic) {
        PartitionInfo p = topic.partition(settings.partition());
        Map<Integer, Target> out = new LinkedHashMap<>();
        List<String> described = new ArrayList<>();
        for (int id : p.replicas()) {
            BrokerInfo b = cluster.broker(id);
            if (b == null || !b.alive()) {
                throw new IllegalStateException("broker " + id + ", a replica of " + topic.name() + "-"
                    + settings.partition() + ", is not alive; start it first");
            }
            Target t = signaller.find(b);
            out.put(id, t);
            described.add(t.describe());
        }
        err.printf(Locale.ROOT, "failover: partition %d led by broker %d; replicas: %s%n", settings.partition(),
            p.leader(), String.join(", ", described));
        return out;
    }

    /** What the produce phase left: acknowledgements, when it started and whom it signalled when. */
    private record Sent(Acks acks, long startNs, Target target, long signalNs) {
    }

    /** Sends every record, signals the leader on time, flushes; the producer is closed by the caller. */
    private Sent produce(YakProducer producer, YakAdmin admin, int n, Map<Integer, Target> replicas)
            throws Exception {
        Acks acks = new Acks(n);
        AtomicLong sentCount = new AtomicLong();
        AtomicReference<Target> signalled = new AtomicReference<>();
        AtomicLong signalNs = new AtomicLong();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "yak-bench-failover");
            t.setDaemon(true);
            return t;
        });
        try {
            producer.partitionsFor(settings.topic());
            err.printf(Locale.ROOT, "failover: %,d records at %,d records/s for %d s, acks=all, linger.ms=%d, "
                    + "delivery.timeout.ms=%d, no key; %s to the leader of partition %d at %d s%n", n,
                settings.rate(), settings.seconds(), LINGER_MS, DELIVERY_TIMEOUT_MS, settings.signal().signalName(),
                settings.partition(), settings.killAfterSeconds());
            long startNs = System.nanoTime();
            long[] lastAcked = {0};
            scheduler.scheduleWithFixedDelay(() -> {
                long a = acks.ackedCount.sum();
                err.printf(Locale.ROOT, "failover %6.1f s  sent %,12d  acked %,12d (+%,d)  failed %,d%n",
                    (System.nanoTime() - startNs) / 1e9, sentCount.get(), a, a - lastAcked[0], acks.failed.sum());
                lastAcked[0] = a;
            }, 1, 1, TimeUnit.SECONDS);
            ScheduledFuture<?> signal = scheduler.schedule(() -> {
                Target t = signalLeader(admin, replicas);
                signalNs.set(System.nanoTime());
                signalled.set(t);
                err.printf(Locale.ROOT, "failover %6.1f s  %s sent to %s, leader of %s-%d; it stays down: restart "
                        + "it before the next run%n", (signalNs.get() - startNs) / 1e9,
                    settings.signal().signalName(), t.describe(), settings.topic(), settings.partition());
                t.commandLine().ifPresent(c -> err.printf(Locale.ROOT, "failover: broker %d was started with: %s%n",
                    t.broker().id(), abbreviate(c, MAX_COMMAND_LINE_CHARS)));
                t.process().onExit().thenRun(() -> err.printf(Locale.ROOT, "failover %6.1f s  broker %d (pid %d) "
                    + "exited%n", (System.nanoTime() - startNs) / 1e9, t.broker().id(), t.pid()));
                return null;
            }, startNs + TimeUnit.SECONDS.toNanos(settings.killAfterSeconds()) - System.nanoTime(),
                TimeUnit.NANOSECONDS);
            sendAll(producer, n, startNs, acks, sentCount, signal);
            // Due before the last record; waits only when the signal itself took long.
            awaitSignal(signal, 30);
            producer.flush();
            err.printf(Locale.ROOT, "failover %6.1f s  all %,d records sent and completed: %,d acknowledged, "
                    + "%,d failed%s%n", (System.nanoTime() - startNs) / 1e9, n, acks.ackedCount.sum(),
                acks.failed.sum(), acks.firstError.get() == null ? "" : "; first error: " + acks.firstError.get());
            return new Sent(acks, startNs, signalled.get(), signalNs.get());
        } finally {
            scheduler.shutdownNow();
        }
    }

    /** Sends record {@code i} at its due time; stops early (with the reason) when the signal failed. */
    private void sendAll(YakProducer producer, int n, long startNs, Acks acks, AtomicLong sentCount,
                         ScheduledFuture<?> signal) throws Exception {
        byte[] value = new byte[Long.BYTES];
        ByteBuffer valueBuffer = ByteBuffer.wrap(value); // big-endian
        String topic = settings.topic();
        long rate = settings.rate();
        for (int i = 0; i < n; i++) {
            Pacer.awaitDue(startNs + i * 1_000_000_000L / rate);
            if ((i & 1023) == 0 && signal.isDone()) {
                awaitSignal(signal, 0); // throws what went wrong when sending the signal failed: ends the run
            }
            valueBuffer.putLong(0, i);
            producer.send(topic, YakProducer.ANY_PARTITION, null, value, System.currentTimeMillis(), acks, i);
            sentCount.lazySet(i + 1L);
        }
    }

    /** Waits for the signal to have been sent; rethrows why it could not be. */
    private static void awaitSignal(ScheduledFuture<?> signal, long timeoutSeconds) throws Exception {
        try {
            signal.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } catch (TimeoutException e) {
            throw new IllegalStateException("the signal was not sent within " + timeoutSeconds + " s of its time", e);
        }
    }

    private Target signalLeader(YakAdmin admin, Map<Integer, Target> replicas) {
        PartitionInfo p = admin.describeTopic(settings.topic()).partition(settings.partition());
        if (!p.online()) {
            throw new IllegalStateException(settings.topic() + "-" + settings.partition() + " has no leader at "
                + "the time of the signal");
        }
        Target t = replicas.get(p.leader());
        if (t == null) { // a leader outside the replicas found before the run: find its process now
            t = signaller.find(admin.describeCluster().broker(p.leader()));
        }
        FailoverSignaller.send(t, settings.signal());
        return t;
    }

    /** {@code text}, or its start and end around " ... " when longer than {@code max} (a long class path). */
    static String abbreviate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int half = (max - 5) / 2;
        return text.substring(0, half) + " ... " + text.substring(text.length() - half);
    }

    private static YakProducer newProducer(Properties props) {
        try {
            return new YakProducer(props);
        } catch (IllegalArgumentException | io.yak.wire.config.ConfigException e) {
            throw new UsageException("producer setting rejected: " + e.getMessage(), e);
        }
    }

    /**
     * Reads every partition from the beginning until each position reaches the partition's high watermark (asked
     * again once reached, in case it was still moving up), within {@link #READ_BACK_TIMEOUT_NS}, counting each
     * sequence number read.
     *
     * @return whether every partition was read to its high watermark in time
     */
    private boolean readBack(YakAdmin admin, int partitionCount, int[] readCounts, BitSet acked) {
        long started = System.nanoTime();
        long deadline = started + READ_BACK_TIMEOUT_NS;
        Properties props = new Properties();
        props.setProperty("coordinator", settings.bootstrap());
        props.setProperty("auto.offset.reset", "earliest");
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < partitionCount; p++) {
            tps.add(new TopicPartition(settings.topic(), p));
        }
        long[] foreign = {0};
        long[] read = {0};
        List<String> repeats = new ArrayList<>();
        RecordHandler count = r -> countRecord(r, readCounts, foreign, read, repeats);
        boolean complete;
        try (YakConsumer consumer = new YakConsumer(props)) {
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<Integer, Long> ends = highWatermarks(admin, partitionCount, deadline);
            complete = ends != null;
            while (complete) {
                if (reached(consumer, tps, ends, deadline)) {
                    Map<Integer, Long> again = highWatermarks(admin, partitionCount, deadline);
                    if (again == null || !moved(again, ends)) {
                        break;
                    }
                    ends = again;
                }
                if (System.nanoTime() - deadline >= 0) {
                    complete = false;
                    break;
                }
                consumer.poll(POLL_TIMEOUT, count);
            }
            if (!complete) {
                err.printf(Locale.ROOT, "failover: read-back incomplete after %d s: positions %s, high watermarks "
                        + "%s; lost counts records that may only not have been reached%n",
                    TimeUnit.NANOSECONDS.toSeconds(READ_BACK_TIMEOUT_NS), positions(consumer, tps), ends);
            }
        }
        long storedUnacked = 0;
        for (int i = 0; i < readCounts.length; i++) {
            if (readCounts[i] > 0 && !acked.get(i)) {
                storedUnacked++;
            }
        }
        err.printf(Locale.ROOT, "failover: read back %,d records in %.1f s; %,d stored but never acknowledged%s%s%n",
            read[0], (System.nanoTime() - started) / 1e9, storedUnacked,
            foreign[0] == 0 ? "" : String.format(Locale.ROOT, "; %,d records not of this run (other values) "
                + "ignored", foreign[0]),
            repeats.isEmpty() ? "" : "; read more than once (sequence number, partition-offset): "
                + String.join(", ", repeats) + (repeats.size() == MAX_REPEAT_EXAMPLES ? ", ..." : ""));
        return complete;
    }

    /** Counts a record's sequence number; the first repeated ones are kept as examples for the reader. */
    private static void countRecord(RecordView r, int[] readCounts, long[] foreign, long[] read,
                                    List<String> repeats) {
        read[0]++;
        if (r.valueLength() == Long.BYTES) {
            long seq = r.valueLong(0);
            if (seq >= 0 && seq < readCounts.length) {
                if (++readCounts[(int) seq] > 1 && repeats.size() < MAX_REPEAT_EXAMPLES) {
                    repeats.add(String.format(Locale.ROOT, "%d again at %d-%d", seq, r.partition(), r.offset()));
                }
                return;
            }
        }
        foreign[0]++;
    }

    /** Every partition's high watermark, retried until each has one (a leader answered) or the deadline passes. */
    private Map<Integer, Long> highWatermarks(YakAdmin admin, int partitionCount, long deadline) {
        while (true) {
            Map<Integer, Long> hw = null;
            try {
                hw = admin.highWatermarks(settings.topic());
            } catch (YakException e) {
                err.println("failover: high watermarks unknown, retrying: " + e.getMessage());
            }
            if (hw != null && hw.size() == partitionCount) {
                return hw;
            }
            if (System.nanoTime() - deadline >= 0) {
                return null;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static boolean reached(YakConsumer consumer, List<TopicPartition> tps, Map<Integer, Long> ends,
                                   long deadline) {
        for (TopicPartition tp : tps) {
            long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            try {
                if (consumer.position(tp, Duration.ofMillis(Math.min(leftMs, 5_000))) < ends.get(tp.partition())) {
                    return false;
                }
            } catch (YakException e) {
                return false; // the position is looked up again on the next poll
            }
        }
        return true;
    }

    private static boolean moved(Map<Integer, Long> again, Map<Integer, Long> ends) {
        for (Map.Entry<Integer, Long> e : again.entrySet()) {
            if (e.getValue() > ends.getOrDefault(e.getKey(), Long.MAX_VALUE)) {
                return true;
            }
        }
        return false;
    }

    private static String positions(YakConsumer consumer, List<TopicPartition> tps) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (TopicPartition tp : tps) {
            try {
                out.put(tp.partition(), Long.toString(consumer.position(tp, Duration.ofMillis(100))));
            } catch (YakException e) {
                out.put(tp.partition(), "unknown");
            }
        }
        return out.toString();
    }

    /**
     * The send callback: runs on the producer's sender thread (or on the sending thread for a record {@code send}
     * refused). The token is the record's sequence number. {@link #acked} and {@link #ackNs} are guarded by
     * {@code acked}'s monitor; read them after the producer was flushed. The adders are for the progress line.
     */
    private static final class Acks implements SendCallback {
        final BitSet acked;
        final long[] ackNs;
        final LongAdder ackedCount = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicReference<YakException> firstError = new AtomicReference<>();

        Acks(int n) {
            acked = new BitSet(n);
            ackNs = new long[n];
        }

        @Override
        public void onCompletion(long token, String topic, int partition, long offset, long timestamp,
                                 YakException error) {
            if (error == null) {
                long now = System.nanoTime();
                synchronized (acked) {
                    ackNs[(int) token] = now;
                    acked.set((int) token);
                }
                ackedCount.increment();
            } else {
                failed.increment();
                firstError.compareAndSet(null, error);
            }
        }
    }
}
