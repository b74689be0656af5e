package io.yak.broker.partition;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionStats;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what this broker does with publish, consume, offset and replica fetch requests, and with the
 * coordinator's cluster views. A façade: it builds the broker's partition machinery, owns its threads, and hands
 * each call to the class that does that job:
 * <ul>
 *   <li>{@link DataDir}: the data.dir's partition directories, lock, {@value #META_FILE}, missing data;</li>
 *   <li>{@link Leadership}: cluster views ({@link #onMetadata}): which partitions this broker opens, leads,
 *       follows; the view itself is kept in a {@link PartitionTable};</li>
 *   <li>{@link PublishRequests}, {@link ConsumeRequests} (consumes, list offsets), {@link RequestCheck}: client
 *       requests and topic auto-creation;</li>
 *   <li>{@link LeaderReplication}: the leader's follower bookkeeping, high watermark, acks=all publishes, ISR;</li>
 *   <li>{@link ReplicaFetchServer}: followers' fetches; {@link FollowerFetchers} and {@link FollowerApply}: this
 *       broker's own fetches as a follower;</li>
 *   <li>{@link LogScheduler}: the periodic log jobs; {@link OfflinePartitions}: the partitions it cannot serve
 *       (a log that cannot be opened, a corrupt batch found, a log whose write failed), which the coordinator link
 *       sends with every heartbeat so the coordinator takes them offline.</li>
 * </ul>
 * Imports no channel types: the network layer passes callbacks. Every part logs as {@code PartitionManager}.
 *
 * <p>Threads: {@link #onMetadata} runs on the coordinator link's thread; publish/consume/listOffsets and replica
 * fetches on event loops; log changes only on each partition's writer thread ({@code yak-log-N}); consume max-wait
 * timeouts, parked replica fetches and acks=all timeouts on a timing wheel ({@code yak-consume-timer}); retention,
 * timed flushes, the ISR check, high-watermark checkpoints and the expiry of topic creations asked for on
 * {@code yak-log-timer}. See {@code yak-broker/REPLICATION.md}, "Threads".
 */
public final class PartitionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    /** Marks a data.dir as this broker's: {@code broker.id=N}. */
    static final String META_FILE = DataDir.META_FILE;
    /** Granularity of consume max-wait timeouts. */
    private static final long WAIT_TICK_MS = 5;

    private final int brokerId;
    private final PartitionTable table;
    private final DataDir dataDir;
    private final OfflinePartitions offline;
    /** Topics asked to be auto-created and not seen in a cluster view yet (bounded, issue 19). */
    private final TopicCreations creations;
    private final LogScheduler scheduler;
    /** Max-wait timeouts of parked consumes and replica fetches, request timeouts of acks=all publishes. */
    private final HashedWheelTimer waitTimer;
    private final ConsumeRequests consumes;
    private final LeaderReplication replication;
    private final PublishRequests publishes;
    private final ReplicaFetchServer fetchServer;
    /** Pulls the partitions this broker follows; null when it never follows (single-copy tests). */
    private final FollowerFetchers followers;
    private final Leadership leadership;

    /**
     * @param topicCreator asks the coordinator to create a topic (name, partitions); called when
     *                     {@code autoCreateTopics} and a request names an unknown topic
     */
    public PartitionManager(int brokerId, Path dataDir, LogConfig logConfig, int logThreads, boolean autoCreateTopics,
                            int numPartitions, RetentionConfig retention, BiConsumer<String, Integer> topicCreator) {
        this(brokerId, dataDir, logConfig, logThreads, autoCreateTopics, numPartitions, retention, topicCreator,
            () -> System.nanoTime() / 1_000_000);
    }

    /** As the public constructor, with its own monotonic millisecond clock (tests: a manual one). */
    PartitionManager(int brokerId, Path dataDir, LogConfig logConfig, int logThreads, boolean autoCreateTopics,
                     int numPartitions, RetentionConfig retention, BiConsumer<String, Integer> topicCreator,
                     LongSupplier nowMs) {
        this(brokerId, dataDir, logConfig, logThreads, autoCreateTopics, numPartitions, retention, topicCreator,
            ReplicationConfig.defaults(), IsrChannel.NONE, null, nowMs);
    }

    /**
     * A manager whose partitions may have several replicas: {@code isr} proposes ISR changes of the partitions it
     * leads, {@code fetchClient} pulls the records of the ones it follows (null: this broker never follows).
     */
    public PartitionManager(int brokerId, Path dataDir, LogConfig logConfig, int logThreads, boolean autoCreateTopics,
                            int numPartitions, RetentionConfig retention, BiConsumer<String, Integer> topicCreator,
                            ReplicationConfig replication, IsrChannel isr, ReplicaFetchClient fetchClient) {
        this(brokerId, dataDir, logConfig, logThreads, autoCreateTopics, numPartitions, retention, topicCreator,
            replication, isr, fetchClient, () -> System.nanoTime() / 1_000_000);
    }

    PartitionManager(int brokerId, Path dataDir, LogConfig logConfig, int logThreads, boolean autoCreateTopics,
                     int numPartitions, RetentionConfig retention, BiConsumer<String, Integer> topicCreator,
                     ReplicationConfig replication, IsrChannel isr, ReplicaFetchClient fetchClient,
                     LongSupplier nowMs) {
        this.brokerId = brokerId;
        this.creations = new TopicCreations(brokerId, nowMs);
        this.dataDir = new DataDir(brokerId, dataDir);
        this.offline = new OfflinePartitions(brokerId);
        ExecutorService[] writers = new ExecutorService[logThreads];
        for (int i = 0; i < logThreads; i++) {
            writers[i] = Executors.newSingleThreadExecutor(new DefaultThreadFactory("yak-log-" + i, true));
        }
        this.table = new PartitionTable(writers);
        this.scheduler = new LogScheduler(brokerId, table, retention, offline);
        // Parked consumes wait on a timing wheel, not a scheduled executor: adding and cancelling a timeout only
        // queue it (no thread is woken), and the wheel's thread ticks WAIT_TICK_MS apart whatever the consume
        // rate. A scheduled executor woke its thread once per parked consume (when the wait became the queue's
        // head, or when a cancelled wait came due), at ~5k consumes/s in an end-to-end latency run.
        this.waitTimer = new HashedWheelTimer(new DefaultThreadFactory("yak-consume-timer", true), WAIT_TICK_MS,
            TimeUnit.MILLISECONDS, 512);
        RequestCheck check = new RequestCheck(brokerId, table, autoCreateTopics, numPartitions, topicCreator,
            creations);
        this.consumes = new ConsumeRequests(brokerId, table, check, offline, waitTimer);
        this.replication = new LeaderReplication(brokerId, replication, isr, nowMs, table, consumes, waitTimer);
        this.publishes = new PublishRequests(brokerId, table, check, this.replication, offline);
        this.fetchServer = new ReplicaFetchServer(brokerId, replication, nowMs, table, this.replication, offline,
            waitTimer);
        scheduler.start(logConfig, replication, creations::expire, this.replication::checkIsr);
        FollowerApply follower = new FollowerApply(brokerId, offline);
        this.followers = fetchClient == null ? null
            : new FollowerFetchers(brokerId, fetchClient, replication, isr::brokerEpoch, table::broker,
                follower::applyFetched);
        this.leadership = new Leadership(brokerId, replication, table, this.dataDir, logConfig, offline,
            this.replication, followers, creations, scheduler, consumes);
    }

    /** Tests: see {@link TopicCreations#expire()}. */
    void expireCreations() {
        creations.expire();
    }

    /** Topics asked to be created and not seen yet (tests). */
    int topicsBeingCreated() {
        return creations.size();
    }

    /**
     * Runs retention once for every partition whose log this broker has open, each on its writer thread: the ones
     * it leads, and the ones it took offline itself (a failed write on a full disk). Retention is local to the
     * log, as in Kafka, whoever the coordinator names as leader.
     */
    public void scheduleRetention() {
        scheduler.scheduleRetention();
    }

    /**
     * Lists the partition directories under the data dir and takes its lock. Their logs are opened (and recovered)
     * on their writer threads as soon as the coordinator's metadata confirms this broker leads them, so each opens
     * with its topic's configs; until then requests for them get the retriable PARTITION_OFFLINE.
     */
    public void scanExisting() throws IOException {
        dataDir.scan();
    }

    /** Whether {@link #scanExisting} found the data.dir's clean-shutdown marker: the last process closed cleanly. */
    public boolean previousShutdownClean() {
        return dataDir.previousShutdownClean();
    }

    /**
     * The partitions this broker cannot serve, sorted by name: sent with every heartbeat. An immutable list, the
     * same instance until it changes, so a heartbeat copies nothing. Any thread.
     */
    public List<PartitionRef> offlinePartitions() {
        return offline.list();
    }

    /** Applies a newer cluster view: starts leading, or stops leading, partitions. Ignores older epochs. */
    public synchronized void onMetadata(ClusterMetadata metadata) {
        leadership.onMetadata(metadata);
    }

    public long epoch() {
        return table.epoch;
    }

    /**
     * Registers the partition meters ({@link PartitionMeters}) and the broker's partition counts in {@code registry}:
     * partitions with an open log, partitions led, led partitions with fewer in-sync replicas than replicas, and
     * offline partitions.
     */
    public void bindMeters(MeterRegistry registry) {
        table.bindMeters(registry);
        Gauge.builder("yak.broker.partitions", this, m -> m.count(p -> p.log != null))
            .description("partitions with a log open on this broker").register(registry);
        Gauge.builder("yak.broker.partitions.leader", this, m -> m.count(p -> p.role.leader()))
            .description("partitions this broker leads").register(registry);
        Gauge.builder("yak.broker.partitions.under.replicated", this, m -> m.count(PartitionManager::underReplicated))
            .description("partitions led here with fewer in-sync replicas than replicas").register(registry);
        Gauge.builder("yak.broker.partitions.offline", this, m -> m.offline.list().size())
            .description("partitions this broker cannot serve (damaged log, failed disk)").register(registry);
        Gauge.builder("yak.broker.delayed.publishes", this, m -> m.sum(PartitionManager::delayedPublishes))
            .description("acks=all publishes waiting for the followers").register(registry);
        Gauge.builder("yak.broker.parked.consumes", this, m -> m.sum(p -> p.waiters.size()))
            .description("consumes waiting at the high watermark for new records (max_wait_ms)").register(registry);
        Gauge.builder("yak.broker.writer.queued.publishes", this, m -> m.sum(p -> p.appendsQueued.get()))
            .description("publishes handed to partition writer threads and not yet appended").register(registry);
        FunctionCounter.builder("yak.broker.appends", this, PartitionManager::inPlaceAppends).tag("where", "in_place")
            .description("publishes appended, on the event loop that read them or by a writer thread")
            .register(registry);
        FunctionCounter.builder("yak.broker.appends", this, PartitionManager::writerAppends).tag("where", "writer")
            .description("publishes appended, on the event loop that read them or by a writer thread")
            .register(registry);
    }

    /**
     * The partitions this broker leads with an open log, as the coordinator's console shows them: offsets, size, and
     * records and bytes in and out since start. Any thread; allocates the list (a report every few seconds).
     */
    public List<PartitionStats> leaderStats() {
        List<PartitionStats> out = new ArrayList<>();
        for (Partition p : table.all()) {
            PartitionLog log = p.log;
            if (log != null && p.role.leader()) {
                out.add(new PartitionStats(p.topic, p.partition, log.logStartOffset(), log.logEndOffset(),
                    log.highWatermark(), log.sizeInBytes(), p.recordsIn, p.recordsOut.get(), p.bytesIn,
                    p.bytesOut.get()));
            }
        }
        return out;
    }

    private static boolean underReplicated(Partition p) {
        Partition.Role role = p.role;
        return role.leader() && role.info() != null && role.info().isr().size() < role.info().replicas().size();
    }

    private static int delayedPublishes(Partition p) {
        synchronized (p.replication) {
            return p.delayed.size();
        }
    }

    private long sum(ToIntFunction<Partition> value) {
        long n = 0;
        for (Partition p : table.all()) {
            n += value.applyAsInt(p);
        }
        return n;
    }

    private int count(Predicate<Partition> which) {
        int n = 0;
        for (Partition p : table.all()) {
            if (which.test(p)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Appends already-validated batches. Takes ownership of {@code batches}. With {@code mayAppendInPlace}, a small
     * publish to a partition whose writer has none of its publishes queued and does not hold its lock is appended at
     * once on the calling thread (an event loop) when that is a copy into memory ({@link PartitionLog#appendInPlace}):
     * no hand-off to the writer thread and back, two thread wake-ups fewer per round trip. Anything else (a roll, an
     * allocation step, an index entry, a flush, a busy writer) goes to the writer, so the event loop never waits for
     * the disk or for the lock, and publishes stay in the order they were made.
     *
     * <p>Answers: the callback runs before this returns (true: appended in place, or refused) or later on the writer
     * thread (false). So a caller that needs its answers in order (a connection) must pass {@code mayAppendInPlace}
     * false while any answer of its earlier publishes that returned false has not been delivered yet: an in-place
     * answer would overtake it.
     *
     * @return whether the callback was already called
     */
    public boolean publish(String topic, int partition, ByteBuf batches, boolean mayAppendInPlace,
                           PublishCallback callback) {
        return publishes.publish(topic, partition, (short) 1, 0, batches, mayAppendInPlace, callback);
    }

    /**
     * As {@link #publish(String, int, ByteBuf, boolean, PublishCallback)}, with the producer's {@code acks}: with -1
     * (all) the answer waits until the high watermark passes the records, at most {@code timeoutMs}
     * ({@code REQUEST_TIMED_OUT}); a partition whose ISR is below {@code min.insync.replicas} refuses at once with
     * {@code NOT_ENOUGH_REPLICAS}.
     */
    public boolean publish(String topic, int partition, short acks, int timeoutMs, ByteBuf batches,
                           boolean mayAppendInPlace, PublishCallback callback) {
        return publishes.publish(topic, partition, acks, timeoutMs, batches, mayAppendInPlace, callback);
    }

    /** Publishes appended in place on an event loop since start ({@link #publish}). */
    public long inPlaceAppends() {
        return publishes.inPlaceAppends.sum();
    }

    /** Publishes appended by writer threads since start. */
    public long writerAppends() {
        return publishes.writerAppends.sum();
    }

    /**
     * Reads from {@code offset}; at the log end waits up to {@code maxWaitMs} for an append. The callback owns the
     * records it is given. A {@code currentLeaderEpoch} other than -1 (not checked) that is not this leader's is
     * answered FENCED_LEADER_EPOCH (older) or UNKNOWN_LEADER_EPOCH (newer) before anything is read.
     */
    public void consume(String topic, int partition, int currentLeaderEpoch, long offset, int maxBytes,
                        int maxWaitMs, ConsumeCallback callback) {
        consumes.consume(topic, partition, currentLeaderEpoch, offset, maxBytes, maxWaitMs, callback);
    }

    /**
     * The earliest ({@code timestamp == -2}) or latest ({@code -1}) offset, or for a timestamp {@code >= 0} the
     * first offset of the first batch holding a record at least that new (the log end offset if none). Fenced by
     * {@code currentLeaderEpoch} as {@link #consume} is.
     *
     * @return the error, or NONE with the offset in {@code out[0]}
     */
    public ErrorCode listOffset(String topic, int partition, int currentLeaderEpoch, long timestamp, long[] out) {
        return consumes.listOffset(topic, partition, currentLeaderEpoch, timestamp, out);
    }

    /**
     * Serves a follower's fetch: records of each partition from its fetch offset (not bounded by the high
     * watermark), its divergence from this leader's log, and the follower's progress, from which the high watermark
     * and the ISR move. When nothing is new it parks for up to {@code max_wait_ms}, and is served again on
     * {@code retries} (the connection's event loop) once a partition grows. {@code answer} owns the response.
     */
    public void replicaFetch(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer) {
        fetchServer.replicaFetch(req, retries, answer);
    }

    /** Tests: the partition object, or null. */
    Partition partitionForTests(String topic, int partition) {
        return table.lookup(topic, partition);
    }

    /**
     * Closes every log on its writer thread: clean ({@code clean == true}: flushed, clean-shutdown marker) or as
     * a crash would leave it (tests use that to exercise recovery).
     */
    @Override
    public void close() {
        closeLogs(true);
    }

    public void closeLogs(boolean clean) {
        LOG.info("broker {}: closing logs; since start {} publish(es) were appended in place on event loops, {} by "
            + "writer threads", brokerId, publishes.inPlaceAppends.sum(), publishes.writerAppends.sum());
        scheduler.shutdownNow();
        if (followers != null) {
            followers.close();
        }
        for (Partition p : table.all()) {
            replication.resign(p, ErrorCode.PARTITION_OFFLINE);
        }
        waitTimer.stop();
        AtomicBoolean everyLogClean = new AtomicBoolean(clean);
        for (Partition p : table.all()) {
            consumes.failWaiters(p);
            p.role = p.role.resigned();
            if (p.failure != null) {
                everyLogClean.set(false);
            }
            p.onWriter(() -> {
                PartitionLog log = p.log;
                if (log == null) {
                    return;
                }
                try {
                    if (clean) {
                        log.close();
                    } else {
                        log.abandon();
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("broker {}: closing {} failed: {}", brokerId, p.name, e.toString(), e);
                }
                if (!log.closedClean()) {
                    everyLogClean.set(false);
                }
            });
        }
        for (ExecutorService w : table.writers) {
            w.shutdown();
        }
        boolean stopped = true;
        try {
            for (ExecutorService w : table.writers) {
                if (!w.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.error("broker {}: a log writer did not stop within 30 s; data.dir stays locked", brokerId);
                    stopped = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = false;
        }
        if (stopped) {
            if (everyLogClean.get()) {
                dataDir.markCleanShutdown();
            }
            // only once no writer of this broker can touch a log: then another broker may open them
            dataDir.unlock();
        }
    }
}
