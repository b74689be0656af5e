package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.HashedWheelTimer;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.yak.broker.log.CorruptBatchException;
import io.yak.broker.log.DurableFiles;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.LogFailedException;
import io.yak.broker.log.OffsetOutOfRangeException;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ReplicaFetchPartition;
import io.yak.wire.message.ReplicaFetchPartitionData;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import io.yak.wire.config.TopicConfigs;
import io.yak.broker.log.EpochEndOffset;
import io.yak.broker.replica.Divergence;
import io.yak.broker.replica.LeaderReplicas;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what this broker does with publish, consume and offset requests: which partitions it leads (from the
 * coordinator's metadata), which writer thread owns each partition's log, and when a parked consume completes.
 * Keeps the list of partitions it cannot serve (a log that cannot be opened, a corrupt batch found, a log whose
 * write failed), which the coordinator link sends with every heartbeat so the coordinator takes them offline.
 * Imports no channel types: the network layer passes callbacks.
 *
 * <p>Threads: {@link #onMetadata} runs on the coordinator link's thread; publish/consume/listOffsets on event
 * loops; log changes only on each partition's writer thread ({@code yak-log-N}); consume max-wait timeouts on
 * a timing wheel ({@code yak-consume-timer}); retention, timed flushes and the expiry of topic creations asked for
 * on {@code yak-log-timer}.
 */
public final class PartitionManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    private static final Pattern PARTITION_DIR = Pattern.compile("(.+)-(\\d+)");
    /** Marks a data.dir as this broker's: {@code broker.id=N}. */
    static final String META_FILE = "broker.meta";
    /** Parked consumes per partition; beyond this a consume answers at once with no data. */
    private static final int MAX_WAITERS_PER_PARTITION = 10_000;
    /** Granularity of consume max-wait timeouts. */
    private static final long WAIT_TICK_MS = 5;

    private final int brokerId;
    private final ReplicationConfig replication;
    private final IsrChannel isrChannel;
    private final LongSupplier nowMs;
    /** Pulls the partitions this broker follows; null when it never follows (single-copy tests). */
    private final FollowerFetchers followers;
    /** Brokers of the latest cluster view by id: addresses of leaders, broker epochs of followers. */
    private volatile Map<Integer, BrokerInfo> brokers = Map.of();
    private final Path dataDir;
    private final LogConfig logConfig;
    private final boolean autoCreateTopics;
    private final int numPartitions;
    private final BiConsumer<String, Integer> topicCreator;
    private final RetentionConfig retention;
    /** Topic metadata (configs included) by name, replaced whole with {@link #partitions}. */
    private volatile Map<String, TopicInfo> topics = Map.of();
    private final ExecutorService[] writers;
    /** Retention and timed flushes. */
    private final ScheduledExecutorService timer;
    /** Max-wait timeouts of parked consumes. */
    private final HashedWheelTimer waitTimer;
    /** Publishes appended on the calling event loop, and by writer threads: logged at close, read by tests. */
    private final LongAdder inPlaceAppends = new LongAdder();
    private final LongAdder writerAppends = new LongAdder();
    /** Held while the logs are open. */
    private volatile DataDirLock dirLock;
    /**
     * False from {@link #scanExisting} while the data.dir is empty and has no {@value #META_FILE}: until the first
     * cluster view shows whether this broker id already has partitions (then their data is missing: a disk that did
     * not mount?) or not (a new broker: the file is written). Link thread.
     */
    private boolean dataDirConfirmed = true;
    /** The partition directories {@link #scanExisting} found in a data.dir without {@value #META_FILE}. */
    private Set<String> foundAtStart = Set.of();
    /**
     * The partitions the cluster had on this broker when its data.dir was found empty: they stay offline (new ones
     * are created as usual). Link thread.
     */
    private Set<String> missingData = Set.of();
    /** Partitions by topic, element i = partition i; replaced whole on metadata change (copy on write). */
    private volatile Map<String, Partition[]> partitions = Map.of();
    /** Every partition ever seen, so a log opened once is never opened twice. */
    private final Map<String, Partition> byName = new ConcurrentHashMap<>();
    /** Topics asked to be auto-created and not seen in a cluster view yet (bounded, issue 19). */
    private final TopicCreations creations;
    private volatile long epoch;
    /** Partitions this broker cannot serve until it restarts, by name; changed only under its own lock. */
    private final TreeMap<String, PartitionRef> offline = new TreeMap<>();
    /** {@link #offline} as an immutable list, replaced whenever it changes: what each heartbeat sends. */
    private volatile List<PartitionRef> offlineList = List.of();

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
        this.replication = replication;
        this.isrChannel = isr;
        this.nowMs = nowMs;
        this.creations = new TopicCreations(brokerId, nowMs);
        this.retention = retention;
        this.brokerId = brokerId;
        this.dataDir = dataDir;
        this.logConfig = logConfig;
        this.autoCreateTopics = autoCreateTopics;
        this.numPartitions = numPartitions;
        this.topicCreator = topicCreator;
        this.writers = new ExecutorService[logThreads];
        for (int i = 0; i < logThreads; i++) {
            writers[i] = Executors.newSingleThreadExecutor(new DefaultThreadFactory("yak-log-" + i, true));
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("yak-log-timer", true));
        // Parked consumes wait on a timing wheel, not a scheduled executor: adding and cancelling a timeout only
        // queue it (no thread is woken), and the wheel's thread ticks WAIT_TICK_MS apart whatever the consume
        // rate. A scheduled executor woke its thread once per parked consume (when the wait became the queue's
        // head, or when a cancelled wait came due), at ~5k consumes/s in an end-to-end latency run.
        this.waitTimer = new HashedWheelTimer(new DefaultThreadFactory("yak-consume-timer", true), WAIT_TICK_MS,
            TimeUnit.MILLISECONDS, 512);
        timer.scheduleWithFixedDelay(this::scheduleRetention, retention.checkIntervalMs(),
            retention.checkIntervalMs(), TimeUnit.MILLISECONDS);
        if (logConfig.flushMs() != Long.MAX_VALUE) {
            // flush.ms must hold when appends stop too: each writer checks its partitions' time policy.
            long periodMs = Math.max(1, Math.min(logConfig.flushMs(), 1000));
            timer.scheduleWithFixedDelay(this::scheduleTimedFlushes, periodMs, periodMs, TimeUnit.MILLISECONDS);
        }
        timer.scheduleWithFixedDelay(creations::expire, TopicCreations.CREATE_RETRY_MS, TopicCreations.CREATE_RETRY_MS,
            TimeUnit.MILLISECONDS);
        long isrCheckMs = Math.max(10, replication.replicaLagTimeMaxMs() / 2);
        timer.scheduleWithFixedDelay(this::checkIsr, isrCheckMs, isrCheckMs, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::scheduleHwCheckpoints, replication.hwCheckpointIntervalMs(),
            replication.hwCheckpointIntervalMs(), TimeUnit.MILLISECONDS);
        this.followers = fetchClient == null ? null
            : new FollowerFetchers(brokerId, fetchClient, replication, isr::brokerEpoch, this::broker, this::applyFetched);
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
        Map<String, TopicInfo> current = topics;
        for (Partition p : byName.values()) {
            TopicInfo topic = current.get(p.topic);
            if (p.log == null || topic == null) {
                continue;
            }
            long retentionMs = topic.longConfig("retention.ms", retention.retentionMs());
            long retentionBytes = topic.longConfig("retention.bytes", retention.retentionBytes());
            if (retentionMs == RetentionConfig.UNLIMITED && retentionBytes == RetentionConfig.UNLIMITED) {
                continue;
            }
            p.onWriter(() -> {
                PartitionLog log = p.log;
                try {
                    if (log != null && log.deleteOldSegments(retentionMs, retentionBytes) > 0) {
                        releaseLater(p, log);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("broker {}: retention of {} failed: {}", brokerId, p.name, e.toString(), e);
                    offlineIfFailed(p, log, e);
                }
            });
        }
    }

    /**
     * Deletes the files retention let go once {@code file.delete.delay.ms} passed, as its log line says, rather than
     * at the log's next roll, flush or retention check (minutes away, and never a flush for a failed log: on a full
     * disk that is when the space comes back).
     */
    private void releaseLater(Partition p, PartitionLog log) {
        try {
            timer.schedule(() -> p.onWriter(() -> {
                if (p.log == log) {
                    log.releaseDueFiles();
                }
            }), log.config().fileDeleteDelayMs() + 1, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: close() releases everything
        }
    }

    /**
     * Lets every open log apply {@code flush.ms} even when appends stopped, on its writer thread: also a log this
     * broker took offline for a corrupt read, whose acknowledged tail must still reach the disk. A failed log is
     * skipped (its force would fail again, once a second per partition).
     */
    private void scheduleTimedFlushes() {
        for (Partition p : byName.values()) {
            if (p.log != null) {
                p.onWriter(() -> {
                    try {
                        PartitionLog log = p.log;
                        if (log != null && !log.failed()) {
                            log.maybeFlush();
                        }
                    } catch (IOException e) {
                        LOG.error("broker {}: flushing {} failed: {}", brokerId, p.name, e.toString(), e);
                        offlineIfFailed(p, p.log, e);
                    }
                });
            }
        }
    }

    /**
     * Lists the partition directories under the data dir. Their logs are opened (and recovered) on their writer
     * threads as soon as the coordinator's metadata confirms this broker leads them, so each opens with its
     * topic's configs; until then requests for them get the retriable PARTITION_OFFLINE.
     */
    public void scanExisting() throws IOException {
        Files.createDirectories(dataDir);
        lockDataDir();
        List<String> found = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                Matcher m = PARTITION_DIR.matcher(dir.getFileName().toString());
                if (m.matches()) {
                    found.add(dir.getFileName().toString());
                }
            }
        }
        java.util.Collections.sort(found);
        LOG.info("broker {}: data.dir {} holds {} partition(s) {}; each opens when the coordinator confirms its "
            + "leadership", brokerId, dataDir.toAbsolutePath(), found.size(), found);
        Path meta = dataDir.resolve(META_FILE);
        if (Files.exists(meta)) {
            int owner = readMetaBrokerId(meta);
            if (owner != brokerId) {
                throw new IOException("it belongs to broker " + owner + " (" + META_FILE + "), not to broker "
                    + brokerId + ": wrong data.dir or broker.id?");
            }
        } else {
            // A new broker, a data.dir from before broker.meta existed, or one whose disk did not mount: the first
            // cluster view tells (confirmDataDir), from the partitions found here now.
            foundAtStart = Set.copyOf(found);
            dataDirConfirmed = false;
        }
    }

    private static int readMetaBrokerId(Path meta) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(meta, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        try {
            return Integer.parseInt(p.getProperty("broker.id", "").trim());
        } catch (NumberFormatException e) {
            throw new IOException(meta + " has no valid broker.id line (broker.id=N)", e);
        }
    }

    private void writeMeta() throws IOException {
        DurableFiles.replace(dataDir.resolve(META_FILE), ("# The broker whose partition logs live in this directory.\n"
            + "broker.id=" + brokerId + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The first cluster view after starting on a data.dir without {@value #META_FILE}. Every partition the cluster
     * has on this broker id has its directory (none at all: a new broker; all of them: a data.dir from before the
     * file existed): the file is written, on a writer thread (this is the link's event loop). Some are missing: their
     * data is gone, or the disk did not mount, or data.dir is wrong; creating them empty would give their offsets
     * out again from 0, so they stay offline, and the file is not written, so the check holds at every start until
     * an operator decides (partitions created meanwhile do not make the directory look complete).
     */
    private void confirmDataDir(ClusterMetadata metadata) {
        List<String> missing = new ArrayList<>();
        for (TopicInfo t : metadata.topics()) {
            if (!TopicNames.isValid(t.name())) {
                continue; // never served here (onMetadata)
            }
            for (PartitionInfo info : t.partitions()) {
                String name = t.name() + "-" + info.partition();
                if (info.isReplica(brokerId) && !foundAtStart.contains(name)) {
                    missing.add(name);
                }
            }
        }
        dataDirConfirmed = true;
        if (missing.isEmpty()) {
            try {
                writers[0].execute(() -> {
                    try {
                        writeMeta();
                    } catch (IOException | RuntimeException e) {
                        LOG.error("broker {}: cannot write {}: {}", brokerId, dataDir.resolve(META_FILE),
                            e.toString());
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debug("broker {}: closing; {} not written", brokerId, META_FILE);
            }
            return;
        }
        missingData = Set.copyOf(missing);
        LOG.error("broker {}: data.dir {} has no {} and lacks {} partition(s) the cluster has on broker {} {}: is the "
                + "disk mounted, is data.dir right? They stay offline rather than start empty from offset 0. If "
                + "their data is really gone, write 'broker.id={}' to {} and restart this broker: they are then "
                + "created empty", brokerId, dataDir.toAbsolutePath(), META_FILE, missing.size(), brokerId, missing,
            brokerId, dataDir.resolve(META_FILE));
    }

    /**
     * Takes {@code data.dir/.lock} ({@link DataDirLock}), so that a second broker (a copied config, a wrong broker.id)
     * cannot open the same partition logs. A no-op when this broker holds it already.
     */
    private void lockDataDir() throws IOException {
        if (dirLock == null) {
            dirLock = DataDirLock.acquire(dataDir, "broker");
        }
    }

    private void unlockDataDir() {
        DataDirLock lock = dirLock;
        dirLock = null;
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException e) {
                LOG.warn("broker {}: releasing the lock of {} failed: {}", brokerId, dataDir, e.toString());
            }
        }
    }

    /** The broker's log settings with the topic's own {@code segment.*} and {@code flush.*} configs applied. */
    LogConfig logConfigFor(TopicInfo topic) {
        LogConfig c = logConfig;
        c = c.withSegmentBytes((int) topic.longConfig("segment.bytes", c.segmentBytes()));
        c = c.withSegmentMs(topic.longConfig("segment.ms", c.segmentMs()));
        c = c.withFlushMessages(topic.longConfig("flush.messages", c.flushMessages()));
        return c.withFlushMs(topic.longConfig("flush.ms", c.flushMs()));
    }

    private Partition partition(String topic, int index) {
        return byName.computeIfAbsent(topic + "-" + index, n -> new Partition(topic, index,
            writers[Math.floorMod(31 * topic.hashCode() + index, writers.length)]));
    }

    /** Writer thread only. */
    private void open(Partition p, LogConfig config) {
        if (p.log != null || p.failure != null) {
            return;
        }
        try {
            p.log = PartitionLog.open(dataDir.resolve(p.name), p.topic, p.partition, config);
            LOG.info("broker {}: partition {} opened, offsets {}..{}", brokerId, p.name, p.log.logStartOffset(),
                p.log.logEndOffset());
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: a fault on mapped memory while recovering (an I/O error, a full tmpfs)
            LOG.error("broker {}: partition {} is offline: its log cannot be opened: {}", brokerId, p.name,
                e.getMessage(), e);
            markOffline(p, "its log cannot be opened: " + reason(e));
        } finally {
            p.opening = false;
        }
    }

    /**
     * Takes {@code p} offline for good on this broker (until it restarts and reopens the log) and adds it to the
     * partitions every heartbeat lists as ones this broker cannot serve. Any thread; idempotent, the first reason
     * stays.
     */
    private void markOffline(Partition p, String why) {
        synchronized (offline) {
            if (p.failure == null) {
                p.failure = why;
            }
            if (offline.containsKey(p.name)) {
                return;
            }
            offline.put(p.name, new PartitionRef(p.topic, p.partition));
            offlineList = List.copyOf(offline.values());
        }
        LOG.info("broker {}: telling the coordinator it cannot serve partition {} ({}), so that it shows the "
            + "partition offline until this broker restarts with the log repaired", brokerId, p.name, why);
    }

    /** Writer thread only. A log that failed refuses appends until it is reopened, which only a restart does. */
    private void offlineIfFailed(Partition p, PartitionLog log, Exception e) {
        if (log != null && log.failed()) {
            markOffline(p, "its log failed: " + reason(e));
        }
    }

    private static String reason(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /**
     * The partitions this broker cannot serve, sorted by name: sent with every heartbeat. An immutable list, the
     * same instance until it changes, so a heartbeat copies nothing. Any thread.
     */
    public List<PartitionRef> offlinePartitions() {
        return offlineList;
    }

    /** Applies a newer cluster view: starts leading, or stops leading, partitions. Ignores older epochs. */
    public synchronized void onMetadata(ClusterMetadata metadata) {
        if (metadata.epoch() < epoch) {
            return;
        }
        epoch = metadata.epoch();
        if (!dataDirConfirmed) {
            confirmDataDir(metadata);
        }
        Map<String, Partition[]> next = new HashMap<>();
        Map<String, TopicInfo> nextTopics = new HashMap<>();
        for (TopicInfo t : metadata.topics()) {
            if (!TopicNames.isValid(t.name())) {
                // The coordinator refuses to create such a name; one in its view is a bug or a damaged store. A
                // partition directory is named after its topic, so it is not served (nor opened) here.
                LOG.warn("broker {}: ignoring topic {} in the cluster view of epoch {}: not a valid topic name",
                    brokerId, LogText.safe(t.name()), epoch);
                continue;
            }
            nextTopics.put(t.name(), t);
            creations.appeared(t.name());
            Partition[] ps = new Partition[t.partitionCount()];
            int topicMinIsr = (int) Math.min(Short.MAX_VALUE,
                t.longConfig(TopicConfigs.MIN_INSYNC_REPLICAS, replication.minInsyncReplicas()));
            for (PartitionInfo info : t.partitions()) {
                Partition p = partition(t.name(), info.partition());
                ps[info.partition()] = p;
                applyState(p, t, info, topicMinIsr);
            }
            next.put(t.name(), ps);
        }
        Map<Integer, BrokerInfo> nextBrokers = new HashMap<>();
        for (BrokerInfo b : metadata.brokers()) {
            nextBrokers.put(b.id(), b);
        }
        brokers = nextBrokers;
        topics = nextTopics;
        partitions = next;
        // partitions of deleted topics, or that moved away from this broker, are no longer followed
        for (Partition p : byName.values()) {
            Partition[] current = next.get(p.topic);
            if (followers != null && (current == null || p.partition >= current.length)) {
                followers.unfollow(p);
            }
        }
    }

    /**
     * Applies the coordinator's state of one partition: leads it (a new leader epoch starts a new follower
     * bookkeeping), follows its leader, or neither. Metadata thread.
     */
    private void applyState(Partition p, TopicInfo t, PartitionInfo info, int topicMinIsr) {
        PartitionInfo before = p.info;
        if (before != null && (info.leaderEpoch() < before.leaderEpoch()
            || (info.leaderEpoch() == before.leaderEpoch() && info.partitionEpoch() < before.partitionEpoch()))) {
            return; // an ALTER_ISR answer already gave a newer state than this view
        }
        p.info = info;
        p.minIsr = Math.max(1, Math.min(topicMinIsr, info.replicas().size()));
        boolean replica = info.isReplica(brokerId);
        boolean leads = info.leader() == brokerId;
        if (leads != p.leader || (leads && info.leaderEpoch() != p.leaderEpoch)
            || (!leads && replica && before != null && before.leader() != info.leader())) {
            LOG.info("broker {}: partition {} leader {} (leader epoch {}, replicas {}, isr {}, cluster epoch {}): {}",
                brokerId, p.name, info.leader() < 0 ? "none" : info.leader(), info.leaderEpoch(), info.replicas(),
                info.isr(), epoch, leads ? "leading it" : replica && info.leader() >= 0 ? "following it"
                    : "not leading it");
        } else if (before != null && !before.isr().equals(info.isr())) {
            LOG.info("broker {}: partition {} isr {} -> {} (leader {}, partition epoch {})", brokerId, p.name,
                before.isr(), info.isr(), info.leader(), info.partitionEpoch());
        }
        if (missingData.contains(p.name) && p.log == null && !p.opening && p.failure == null) {
            markOffline(p, "its log is missing from data.dir (empty, no " + META_FILE + ")");
        }
        if (replica && p.log == null && !p.opening && p.failure == null) {
            p.opening = true;
            LogConfig config = logConfigFor(t);
            p.onWriter(() -> open(p, config));
        }
        if (leads) {
            if (followers != null) {
                followers.unfollow(p);
            }
            if (!p.leader || info.leaderEpoch() != p.leaderEpoch) {
                resign(p, ErrorCode.NOT_LEADER);
                p.leaderEpoch = info.leaderEpoch();
                p.leader = true;
                p.onWriter(() -> makeLeader(p, info));
            } else {
                synchronized (p.replication) {
                    if (p.replicas != null) {
                        p.replicas.update(info, nowMs.getAsLong());
                    }
                }
                afterIsrChange(p);
            }
            return;
        }
        resign(p, ErrorCode.NOT_LEADER);
        p.leader = false;
        p.leaderEpoch = info.leaderEpoch();
        if (followers == null) {
            return;
        }
        if (replica && info.leader() >= 0 && p.failure == null && !missingData.contains(p.name)) {
            followers.follow(p, info.leader(), info.leaderEpoch());
        } else {
            followers.unfollow(p);
        }
    }

    /** Writer thread, after the log opened: starts the bookkeeping of this leader epoch. */
    private void makeLeader(Partition p, PartitionInfo info) {
        PartitionLog log = p.log;
        if (log == null || !p.leader || p.leaderEpoch != info.leaderEpoch()) {
            return;
        }
        LeaderReplicas r = new LeaderReplicas(p.info.leaderEpoch() == info.leaderEpoch() ? p.info : info, brokerId,
            log.logEndOffset(), nowMs.getAsLong());
        synchronized (p.replication) {
            p.replicas = r;
        }
        LOG.info("broker {}: partition {} leader epoch {} starts at offset {} (high watermark {}, isr {})", brokerId,
            p.name, info.leaderEpoch(), log.logEndOffset(), log.highWatermark(), r.info().isr());
        maybeAdvanceHighWatermark(p);
    }

    /** Ends this broker's leadership of {@code p}: waiting acks=all publishes and parked fetches are answered. */
    private void resign(Partition p, ErrorCode why) {
        List<DelayedPublish> waiting;
        synchronized (p.replication) {
            if (p.replicas == null && p.delayed.size() == 0) {
                return; // every cluster view passes here for each partition this broker does not lead
            }
            p.replicas = null;
            waiting = new ArrayList<>(p.delayed.size());
            p.delayed.drain(waiting);
        }
        for (DelayedPublish d : waiting) {
            answerDelayed(d, why);
        }
        wakeFetchWaiters(p);
    }

    /** The ISR changed: acks=all publishes fail once it is below min.insync.replicas; the HW may move. */
    private void afterIsrChange(Partition p) {
        List<DelayedPublish> failed = null;
        synchronized (p.replication) {
            LeaderReplicas r = p.replicas;
            if (r != null && r.info().isr().size() < p.minIsr && p.delayed.size() > 0) {
                failed = new ArrayList<>();
                p.delayed.drain(failed);
            }
        }
        if (failed != null) {
            for (DelayedPublish d : failed) {
                answerDelayed(d, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
            }
        }
        maybeAdvanceHighWatermark(p);
    }

    private void answerDelayed(DelayedPublish d, ErrorCode error) {
        if (d.timer != null) {
            d.timer.cancel();
        }
        d.callback.onPublishedLater(error, epoch, error == ErrorCode.NONE ? d.baseOffset : -1, -1);
    }

    /**
     * Moves the high watermark of a partition this broker leads to what its ISR allows, then answers the acks=all
     * publishes it covers and the consumes parked at the old one. Any thread.
     */
    void maybeAdvanceHighWatermark(Partition p) {
        PartitionLog log = p.log;
        if (log == null) {
            return;
        }
        long before = log.highWatermark();
        long hw;
        List<DelayedPublish> done = null;
        synchronized (p.replication) {
            LeaderReplicas r = p.replicas;
            if (r == null) {
                return;
            }
            long candidate = r.highWatermark(log.logEndOffset(), p.minIsr);
            if (candidate > before) {
                log.updateHighWatermark(candidate);
            }
            hw = log.highWatermark();
            if (p.delayed.size() > 0) {
                done = new ArrayList<>();
                p.delayed.completed(hw, done);
            }
        }
        if (hw > before) {
            wakeWaiters(p);
        }
        if (done != null) {
            long start = log.logStartOffset();
            for (DelayedPublish d : done) {
                if (d.timer != null) {
                    d.timer.cancel();
                }
                d.callback.onPublishedLater(ErrorCode.NONE, epoch, d.baseOffset, start);
            }
        }
    }

    /** Timer: proposes to drop followers that have not caught up within replica.lag.time.max.ms. */
    private void checkIsr() {
        long now = nowMs.getAsLong();
        for (Partition p : byName.values()) {
            if (!p.leader) {
                continue;
            }
            LeaderReplicas r;
            List<Integer> shrunk;
            String lagging;
            int from;
            synchronized (p.replication) {
                r = p.replicas;
                if (r == null) {
                    continue;
                }
                shrunk = r.shrinkProposal(now, replication.replicaLagTimeMaxMs());
                if (shrunk == null) {
                    continue;
                }
                lagging = r.lagging(now, replication.replicaLagTimeMaxMs());
                from = r.proposed(shrunk);
            }
            proposeIsr(p, r, shrunk, from, "behind for more than replica.lag.time.max.ms "
                + replication.replicaLagTimeMaxMs() + ": " + lagging);
        }
    }

    /** Sends a proposal {@link LeaderReplicas#proposed} recorded, computed from partition epoch {@code from}. */
    private void proposeIsr(Partition p, LeaderReplicas r, List<Integer> isr, int from, String why) {
        LOG.info("broker {}: partition {} asks the coordinator to change its isr {} -> {} ({})", brokerId, p.name,
            r.info().isr(), isr, why);
        AlterIsrPartition proposal = new AlterIsrPartition(p.topic, p.partition, r.leaderEpoch(), from, isr);
        isrChannel.alterIsr(proposal, result -> onIsrResult(p, r, proposal, result));
    }

    private void onIsrResult(Partition p, LeaderReplicas r, AlterIsrPartition proposal, AlterIsrResult result) {
        boolean applied = false;
        synchronized (p.replication) {
            if (p.replicas != r) {
                return; // the leadership changed meanwhile
            }
            if (result != null && result.error() == ErrorCode.NONE && result.leaderEpoch() == r.leaderEpoch()) {
                PartitionInfo info = r.info();
                PartitionInfo next = new PartitionInfo(info.partition(), result.leader(), result.leaderEpoch(),
                    result.partitionEpoch(), info.replicas(), result.isr());
                r.update(next, nowMs.getAsLong());
                PartitionInfo current = p.info;
                if (current == null || current.partitionEpoch() < next.partitionEpoch()) {
                    p.info = next;
                }
                applied = true;
            } else if (result == null) {
                // the coordinator may have applied it: it stays counted until the next state of this epoch tells
                r.proposalUnanswered(proposal.partitionEpoch());
            } else {
                r.proposalFailed(proposal.partitionEpoch());
            }
        }
        if (applied) {
            LOG.info("broker {}: partition {} isr is now {} (partition epoch {})", brokerId, p.name, result.isr(),
                result.partitionEpoch());
        } else {
            LOG.info("broker {}: partition {} isr change not applied: {}", brokerId, p.name,
                result == null ? "no answer from the coordinator" : result.error() + " (current isr " + result.isr()
                    + ", partition epoch " + result.partitionEpoch() + ")");
        }
        afterIsrChange(p);
    }

    private void scheduleHwCheckpoints() {
        for (Partition p : byName.values()) {
            if (p.log != null) {
                p.onWriter(() -> {
                    PartitionLog log = p.log;
                    try {
                        if (log != null && !log.failed()) {
                            log.checkpointHighWatermark();
                        }
                    } catch (IOException e) {
                        LOG.warn("broker {}: checkpointing the high watermark of {} failed: {}", brokerId, p.name,
                            e.toString());
                    }
                });
            }
        }
    }

    public long epoch() {
        return epoch;
    }

    private ErrorCode check(String topic, int partition, Partition p) {
        if (p == null) {
            Partition[] ps = partitions.get(topic);
            if (ps == null) {
                if (!TopicNames.isValid(topic)) {
                    // Not a topic at all: neither created, nor logged as one (issue 19: a name holding a newline
                    // forged a log line), nor a place among the creations asked for.
                    return ErrorCode.INVALID_TOPIC;
                }
                if (epoch == 0) {
                    // no cluster view yet (a restart, before the registration is answered): an existing topic is
                    // not known yet either, so nothing is created; the client refreshes its metadata and retries
                    return ErrorCode.NOT_LEADER;
                }
                if (autoCreateTopics && creations.claim(topic)) {
                    LOG.info("broker {}: asking the coordinator to create topic {} ({} partitions)", brokerId,
                        LogText.safe(topic), numPartitions);
                    topicCreator.accept(topic, numPartitions);
                }
                return ErrorCode.UNKNOWN_TOPIC;
            }
            return ErrorCode.UNKNOWN_PARTITION;
        }
        if (!p.leader) {
            return ErrorCode.NOT_LEADER;
        }
        if (p.failure != null) {
            return ErrorCode.STORAGE_ERROR;
        }
        if (p.log == null) {
            return ErrorCode.PARTITION_OFFLINE;
        }
        if (p.replicas == null) {
            return ErrorCode.NOT_LEADER; // becoming leader: the writer is about to start the leader epoch
        }
        return ErrorCode.NONE;
    }

    private Partition lookup(String topic, int partition) {
        Partition[] ps = partitions.get(topic);
        return ps != null && partition >= 0 && partition < ps.length ? ps[partition] : null;
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
        return publish(topic, partition, (short) 1, 0, batches, mayAppendInPlace, callback);
    }

    /**
     * As {@link #publish(String, int, ByteBuf, boolean, PublishCallback)}, with the producer's {@code acks}: with -1
     * (all) the answer waits until the high watermark passes the records, at most {@code timeoutMs}
     * ({@code REQUEST_TIMED_OUT}); a partition whose ISR is below {@code min.insync.replicas} refuses at once with
     * {@code NOT_ENOUGH_REPLICAS}.
     */
    public boolean publish(String topic, int partition, short acks, int timeoutMs, ByteBuf batches,
                           boolean mayAppendInPlace, PublishCallback callback) {
        Partition p = lookup(topic, partition);
        ErrorCode error = check(topic, partition, p);
        if (error == ErrorCode.NONE && acks == -1) {
            PartitionInfo info = p.info;
            if (info != null && info.isr().size() < p.minIsr) {
                error = ErrorCode.NOT_ENOUGH_REPLICAS;
            }
        }
        if (error != ErrorCode.NONE) {
            batches.release();
            callback.onPublished(error, epoch, -1, -1);
            return true;
        }
        if (mayAppendInPlace && batches.readableBytes() < PartitionLog.IN_PLACE_MAX_BYTES
            && p.appendsQueued.get() == 0 && !p.lock.hasQueuedThreads() && p.lock.tryLock()) {
            long outcome;
            long end;
            try {
                outcome = append(p, batches, true);
                end = p.log.logEndOffset();
            } finally {
                p.lock.unlock();
            }
            if (outcome != PartitionLog.NEEDS_WRITER) {
                inPlaceAppends.increment();
                return answer(p, outcome, end, acks, timeoutMs, callback, true);
            }
        }
        p.appendsQueued.incrementAndGet();
        try {
            p.writer.execute(() -> {
                long outcome;
                long end = -1;
                p.lock.lock();
                try {
                    outcome = append(p, batches, false);
                    writerAppends.increment();
                    PartitionLog log = p.log;
                    end = log == null ? -1 : log.logEndOffset();
                } finally {
                    p.appendsQueued.decrementAndGet();
                    p.lock.unlock();
                }
                answer(p, outcome, end, acks, timeoutMs, callback, false);
            });
        } catch (RejectedExecutionException e) {
            // the broker is closing its logs
            p.appendsQueued.decrementAndGet();
            batches.release();
            callback.onPublished(ErrorCode.PARTITION_OFFLINE, epoch, -1, -1);
            return true;
        }
        return false;
    }

    /** {@link #append}'s outcome: refused because this broker no longer leads the partition. */
    private static final long APPEND_NOT_LEADER = -2;
    /** {@link #append}'s outcome: the log failed or refused the append. */
    private static final long APPEND_STORAGE_ERROR = -3;

    /**
     * Holding {@code p.lock}: on the writer thread, or with {@code inPlaceOnly} on the publisher's event loop.
     * Releases {@code batches} unless the append is declined.
     *
     * @return the base offset given to the batches; {@link PartitionLog#NEEDS_WRITER} (only with {@code inPlaceOnly}:
     *         nothing done, {@code batches} kept, see {@link PartitionLog#appendInPlace}); {@link #APPEND_NOT_LEADER}
     *         or {@link #APPEND_STORAGE_ERROR}
     */
    private long append(Partition p, ByteBuf batches, boolean inPlaceOnly) {
        PartitionLog log = p.log;
        long outcome;
        boolean declined = false;
        try {
            if (!p.leader) {
                outcome = APPEND_NOT_LEADER;
            } else if (inPlaceOnly) {
                outcome = log.appendInPlace(batches, p.leaderEpoch);
                declined = outcome == PartitionLog.NEEDS_WRITER;
            } else {
                outcome = log.append(batches, p.leaderEpoch);
            }
        } catch (LogFailedException e) {
            // the failure was logged once, with its cause, when it happened: a retrying producer must not flood
            // the log (and, with a full disk, the disk) with one stack trace per refused append
            LOG.debug("broker {}: append to {} refused: {}", brokerId, p.name, e.getMessage());
            outcome = APPEND_STORAGE_ERROR;
            offlineIfFailed(p, log, e);
        } catch (IOException | RuntimeException e) {
            LOG.error("broker {}: append to {} failed: {}", brokerId, p.name, e.toString(), e);
            outcome = APPEND_STORAGE_ERROR;
            offlineIfFailed(p, log, e);
        } finally {
            if (!declined) {
                batches.release();
            }
        }
        return outcome;
    }

    /**
     * After an append, outside the lock: parked consumes are answered (with the new records, or whatever a read says
     * now) before the publisher, so the two responses leave this thread back to back (usually one event-loop wake-up
     * for both), the consumers' first since they are the end-to-end path.
     */
    private boolean answer(Partition p, long outcome, long end, short acks, int timeoutMs, PublishCallback callback,
                           boolean now) {
        try {
            if (outcome >= 0) {
                wakeFetchWaiters(p);
                maybeAdvanceHighWatermark(p);
            }
        } finally {
            // the publisher is answered whatever happened to a consume's answer (its connection counts on it)
            if (outcome >= 0) {
                if (acks == -1 && !delay(p, outcome, end, timeoutMs, callback)) {
                    return false;
                }
                if (now) {
                    callback.onPublished(ErrorCode.NONE, epoch, outcome, p.log.logStartOffset());
                } else {
                    callback.onPublishedLater(ErrorCode.NONE, epoch, outcome, p.log.logStartOffset());
                }
            } else {
                ErrorCode error = outcome == APPEND_NOT_LEADER ? ErrorCode.NOT_LEADER : ErrorCode.STORAGE_ERROR;
                if (now) {
                    callback.onPublished(error, epoch, -1, -1);
                } else {
                    callback.onPublishedLater(error, epoch, -1, -1);
                }
            }
        }
        return true;
    }

    /**
     * Parks an acks=all publish until the high watermark reaches {@code end}, or answers at once.
     *
     * @return true when the publish may be answered now (its records are committed already)
     */
    private boolean delay(Partition p, long base, long end, int timeoutMs, PublishCallback callback) {
        PartitionLog log = p.log;
        if (log.highWatermark() >= end) {
            return true; // one replica, or followers already past it: the usual case needs no lock (the HW only rises)
        }
        DelayedPublish d = null;
        synchronized (p.replication) {
            if (log.highWatermark() >= end) {
                return true;
            }
            if (p.replicas != null) {
                d = new DelayedPublish(callback, base);
                d.entry = p.delayed.add(end, d);
            }
        }
        if (d == null) {
            // the leadership ended between the append and now
            callback.onPublishedLater(ErrorCode.NOT_LEADER, epoch, -1, -1);
            return false;
        }
        DelayedPublish parked = d;
        try {
            parked.timer = waitTimer.newTimeout(t -> {
                boolean expired;
                synchronized (p.replication) {
                    expired = p.delayed.expire(parked.entry);
                }
                if (expired) {
                    callback.onPublishedLater(ErrorCode.REQUEST_TIMED_OUT, epoch, -1, -1);
                }
            }, Math.max(1, timeoutMs), TimeUnit.MILLISECONDS);
        } catch (IllegalStateException e) {
            // the timer stopped: the broker is closing, and close() answers what waits
        }
        return false;
    }

    /** Serves again the replica fetches parked on {@code p}: it grew, or its leadership ended. */
    private void wakeFetchWaiters(Partition p) {
        FetchWaiter w;
        while ((w = p.fetchWaiters.poll()) != null) {
            if (w.claim()) {
                w.fire();
            }
        }
    }

    /** Publishes appended in place on an event loop since start ({@link #publish}). */
    public long inPlaceAppends() {
        return inPlaceAppends.sum();
    }

    /** Publishes appended by writer threads since start. */
    public long writerAppends() {
        return writerAppends.sum();
    }

    private void wakeWaiters(Partition p) {
        ConsumeWaiter w;
        while ((w = p.waiters.poll()) != null) {
            if (w.claim()) {
                read(p, w.offset, w.maxBytes, w.callback);
            }
        }
    }

    /**
     * Reads from {@code offset}; at the log end waits up to {@code maxWaitMs} for an append. The callback owns the
     * records it is given.
     */
    public void consume(String topic, int partition, long offset, int maxBytes, int maxWaitMs,
                        ConsumeCallback callback) {
        Partition p = lookup(topic, partition);
        ErrorCode error = check(topic, partition, p);
        if (error != ErrorCode.NONE) {
            callback.onConsumed(error, epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        }
        PartitionLog log = p.log;
        long hw = log.highWatermark();
        if (offset >= hw && offset <= log.logEndOffset() && maxWaitMs > 0
            && p.waiters.size() < MAX_WAITERS_PER_PARTITION) {
            ConsumeWaiter w = new ConsumeWaiter(offset, maxBytes, callback);
            p.waiters.add(w);
            w.timer = waitTimer.newTimeout(t -> {
                if (w.claim()) {
                    p.waiters.remove(w);
                    read(p, w.offset, w.maxBytes, w.callback);
                }
            }, maxWaitMs, TimeUnit.MILLISECONDS);
            // A high watermark move between the check and the enqueue would not have seen this waiter.
            if (log.highWatermark() != hw && w.claim()) {
                p.waiters.remove(w);
                read(p, offset, maxBytes, callback);
            }
            return;
        }
        read(p, offset, maxBytes, callback);
    }

    private void read(Partition p, long offset, int maxBytes, ConsumeCallback callback) {
        PartitionLog log = p.log;
        ByteBuf records;
        long hw = log.highWatermark();
        try {
            records = offset >= hw && offset <= log.logEndOffset() ? Unpooled.EMPTY_BUFFER
                : log.read(offset, maxBytes, hw);
        } catch (OffsetOutOfRangeException e) {
            callback.onConsumed(ErrorCode.OFFSET_OUT_OF_RANGE, epoch, log.logEndOffset(), log.logStartOffset(),
                Unpooled.EMPTY_BUFFER);
            return;
        } catch (CorruptBatchException e) {
            // Never serve it, and serve nothing more from this partition: the log needs a restart to re-check.
            LOG.error("broker {}: partition {} is offline: corrupt batch found while reading offset {}: {}",
                brokerId, p.name, offset, e.getMessage());
            markOffline(p, "corrupt batch at offset " + offset + ": " + reason(e));
            callback.onConsumed(ErrorCode.STORAGE_ERROR, epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        } catch (RuntimeException e) {
            LOG.error("broker {}: read of {} at offset {} failed: {}", brokerId, p.name, offset, e.toString(), e);
            callback.onConsumed(ErrorCode.STORAGE_ERROR, epoch, -1, -1, Unpooled.EMPTY_BUFFER);
            return;
        }
        callback.onConsumed(ErrorCode.NONE, epoch, hw, log.logStartOffset(), records);
    }

    /**
     * The earliest ({@code timestamp == -2}) or latest ({@code -1}) offset, or for a timestamp {@code >= 0} the
     * first offset of the first batch holding a record at least that new (the log end offset if none).
     *
     * @return the error, or NONE with the offset in {@code out[0]}
     */
    public ErrorCode listOffset(String topic, int partition, long timestamp, long[] out) {
        Partition p = lookup(topic, partition);
        ErrorCode error = check(topic, partition, p);
        if (error != ErrorCode.NONE) {
            return error;
        }
        if (timestamp == -2) {
            out[0] = p.log.logStartOffset();
        } else if (timestamp == -1) {
            out[0] = p.log.highWatermark(); // Kafka's "latest": what consumers can read
        } else if (timestamp >= 0) {
            long offset;
            try {
                offset = p.log.offsetForTimestamp(timestamp);
            } catch (CorruptBatchException e) {
                LOG.error("broker {}: partition {} is offline: corrupt batch found by a timestamp lookup: {}",
                    brokerId, p.name, e.getMessage());
                markOffline(p, "corrupt batch found by a timestamp lookup: " + reason(e));
                return ErrorCode.STORAGE_ERROR;
            }
            out[0] = offset < 0 ? p.log.highWatermark() : Math.min(offset, p.log.highWatermark());
        } else {
            return ErrorCode.INVALID_REQUEST;
        }
        return ErrorCode.NONE;
    }

    /**
     * Serves a follower's fetch: records of each partition from its fetch offset (not bounded by the high
     * watermark), its divergence from this leader's log, and the follower's progress, from which the high watermark
     * and the ISR move. When nothing is new it parks for up to {@code max_wait_ms}, and is served again on
     * {@code retries} (the connection's event loop) once a partition grows. {@code answer} owns the response.
     */
    public void replicaFetch(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer) {
        serveFetch(req, retries, answer, req.maxWaitMs() > 0);
    }

    private void serveFetch(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer,
                            boolean mayWait) {
        BrokerInfo follower = brokers.get(req.replicaId());
        if (follower != null && follower.brokerEpoch() > req.brokerEpoch()) {
            answer.accept(new ReplicaFetchResponse(ErrorCode.STALE_BROKER_EPOCH, List.of(), Unpooled.EMPTY_BUFFER));
            return;
        }
        long now = nowMs.getAsLong();
        List<ReplicaFetchPartitionData> out = new ArrayList<>(req.partitions().size());
        CompositeByteBuf records = null;
        long total = 0;
        boolean news = false;
        List<Partition> served = new ArrayList<>(req.partitions().size());
        long[] servedEnds = new long[req.partitions().size()];
        for (ReplicaFetchPartition fp : req.partitions()) {
            Partition p = lookup(fp.topic(), fp.partition());
            ErrorCode error = fetchError(fp, p, req.replicaId());
            if (error != ErrorCode.NONE) {
                out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), error, -1, -1, -1));
                news = true;
                continue;
            }
            PartitionLog log = p.log;
            long leaderEnd = log.logEndOffset();
            EpochEndOffset diverged = Divergence.divergence(log.endOffsetForEpoch(fp.lastFetchedEpoch()),
                log.latestEpoch(), log.logStartOffset(), fp.lastFetchedEpoch(), fp.fetchOffset());
            if (diverged != null) {
                out.add(new ReplicaFetchPartitionData(fp.topic(), fp.partition(), ErrorCode.NONE,
                    log.highWatermark(), log.logStartOffset(), leaderEnd, diverged.epoch(), diverged.endOffset(), 0));
                news = true;
                continue;
            }
            if (fp.fetchOffset() < log.logStartOffset() || fp.fetchOffset() > leaderEnd) {
                out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), ErrorCode.OFFSET_OUT_OF_RANGE,
                    log.highWatermark(), log.logStartOffset(), leaderEnd));
                news = true;
                continue;
            }
            LeaderReplicas r;
            List<Integer> expanded = null;
            int expandedFrom = 0;
            synchronized (p.replication) {
                r = p.replicas;
                if (r != null) {
                    r.onFetch(req.replicaId(), fp.fetchOffset(), leaderEnd, now);
                    expanded = r.expandProposal(req.replicaId(), log.highWatermark());
                    if (expanded != null) {
                        expandedFrom = r.proposed(expanded);
                    }
                }
            }
            if (r == null) {
                out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), ErrorCode.NOT_LEADER, -1, -1, -1));
                news = true;
                continue;
            }
            if (expanded != null) {
                proposeIsr(p, r, expanded, expandedFrom, "broker " + req.replicaId() + " caught up to offset "
                    + fp.fetchOffset());
            }
            maybeAdvanceHighWatermark(p);
            servedEnds[served.size()] = leaderEnd;
            served.add(p);
            int length = 0;
            if (fp.fetchOffset() < leaderEnd && total < req.maxBytes()) {
                ByteBuf slice;
                try {
                    slice = log.read(fp.fetchOffset(), Math.max(1, Math.min(fp.maxBytes(),
                        replication.replicaFetchMaxBytes())));
                } catch (OffsetOutOfRangeException e) {
                    slice = Unpooled.EMPTY_BUFFER;
                } catch (CorruptBatchException e) {
                    LOG.error("broker {}: partition {} is offline: corrupt batch found serving a replica fetch at "
                        + "offset {}: {}", brokerId, p.name, fp.fetchOffset(), e.getMessage());
                    markOffline(p, "corrupt batch at offset " + fp.fetchOffset() + ": " + reason(e));
                    out.add(ReplicaFetchPartitionData.empty(fp.topic(), fp.partition(), ErrorCode.STORAGE_ERROR,
                        -1, -1, -1));
                    news = true;
                    continue;
                }
                length = slice.readableBytes();
                if (length > 0) {
                    if (records == null) {
                        records = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(Math.max(2,
                            req.partitions().size()));
                    }
                    records.addComponent(true, slice);
                    total += length;
                    news = true;
                } else {
                    slice.release();
                }
            }
            out.add(new ReplicaFetchPartitionData(fp.topic(), fp.partition(), ErrorCode.NONE, log.highWatermark(),
                log.logStartOffset(), leaderEnd, ReplicaFetchPartitionData.NO_DIVERGENCE, -1, length));
        }
        if (!news && mayWait && !served.isEmpty()) {
            park(req, retries, answer, served, servedEnds);
            return;
        }
        answer.accept(new ReplicaFetchResponse(ErrorCode.NONE, out, records == null ? Unpooled.EMPTY_BUFFER : records));
    }

    private ErrorCode fetchError(ReplicaFetchPartition fp, Partition p, int replicaId) {
        if (p == null) {
            return partitions.containsKey(fp.topic()) ? ErrorCode.UNKNOWN_PARTITION : ErrorCode.UNKNOWN_TOPIC;
        }
        if (!p.leader || p.log == null || p.replicas == null) {
            return ErrorCode.NOT_LEADER;
        }
        if (p.failure != null) {
            return ErrorCode.STORAGE_ERROR;
        }
        if (fp.currentLeaderEpoch() < p.leaderEpoch) {
            return ErrorCode.FENCED_LEADER_EPOCH;
        }
        if (fp.currentLeaderEpoch() > p.leaderEpoch) {
            return ErrorCode.UNKNOWN_LEADER_EPOCH;
        }
        PartitionInfo info = p.info;
        if (info == null || !info.isReplica(replicaId) || replicaId == brokerId) {
            return ErrorCode.INELIGIBLE_REPLICA;
        }
        return ErrorCode.NONE;
    }

    /** Parks a fetch that found nothing new on each of its partitions until one grows or max_wait_ms passes. */
    private void park(ReplicaFetchRequest req, Executor retries, Consumer<ReplicaFetchResponse> answer,
                      List<Partition> served, long[] ends) {
        FetchWaiter w = new FetchWaiter(served, () -> {
            try {
                retries.execute(() -> serveFetch(req, retries, answer, false));
            } catch (RejectedExecutionException e) {
                LOG.debug("broker {}: replica fetch connection closed while parked", brokerId);
            }
        });
        w.park();
        try {
            w.timer = waitTimer.newTimeout(t -> {
                if (w.claim()) {
                    w.fire();
                }
            }, req.maxWaitMs(), TimeUnit.MILLISECONDS);
        } catch (IllegalStateException e) {
            if (w.claim()) {
                w.fire(); // the timer stopped: the broker is closing
            }
            return;
        }
        // an append between the reads and the enqueue would not have seen this waiter
        // (compared with the ends the fetch was served from, not read again: an append in between would be missed)
        for (int i = 0; i < served.size(); i++) {
            Partition p = served.get(i);
            if ((p.log == null || p.log.logEndOffset() != ends[i] || !p.leader) && w.claim()) {
                w.fire();
                return;
            }
        }
    }

    /**
     * Follower side, on the partition's writer thread holding its lock: applies what the leader answered for
     * {@code asked} (records appended unchanged, a divergence truncated, the high watermark learned). Takes
     * ownership of {@code records}.
     *
     * @return true when the partition made progress or needs no pause before the next fetch
     */
    boolean applyFetched(Partition p, ReplicaFetchPartition asked, ReplicaFetchPartitionData d, ByteBuf records) {
        try {
            PartitionLog log = p.log;
            if (log == null || p.leader || p.failure != null || log.logEndOffset() != asked.fetchOffset()
                || p.leaderEpoch != asked.currentLeaderEpoch()) {
                return true; // the state moved on since the request was built: the next fetch starts from it
            }
            switch (d.error()) {
                case NONE -> {
                    if (d.diverged()) {
                        EpochEndOffset ours = log.endOffsetForEpoch(d.divergingEpoch());
                        long target = Divergence.truncationTarget(ours, d.divergingEpoch(), d.divergingEndOffset(),
                            log.logEndOffset(), log.logStartOffset());
                        LOG.info("broker {}: partition {} diverges from leader at epoch {} (leader's end offset {}, "
                                + "ours {}): truncating {} -> {}", brokerId, p.name, d.divergingEpoch(),
                            d.divergingEndOffset(), ours.endOffset(), log.logEndOffset(), target);
                        log.truncateTo(target);
                        return true;
                    }
                    if (records.isReadable()) {
                        log.appendAsFollower(records);
                    }
                    long hw = Math.min(d.highWatermark(), log.logEndOffset());
                    if (hw > log.highWatermark()) {
                        log.updateHighWatermark(hw);
                    }
                    return true;
                }
                case OFFSET_OUT_OF_RANGE -> {
                    if (asked.fetchOffset() < d.logStartOffset() || d.logEndOffset() < log.logStartOffset()) {
                        LOG.warn("broker {}: partition {} starts anew at the leader's log start {} (our log {}..{})",
                            brokerId, p.name, d.logStartOffset(), log.logStartOffset(), log.logEndOffset());
                        log.truncateFullyAndStartAt(d.logStartOffset());
                    } else {
                        LOG.warn("broker {}: partition {} is ahead of the leader's log end {}: truncating {} -> {}",
                            brokerId, p.name, d.logEndOffset(), log.logEndOffset(), d.logEndOffset());
                        log.truncateTo(d.logEndOffset());
                    }
                    return true;
                }
                default -> {
                    LOG.debug("broker {}: replica fetch of {} answered {}", brokerId, p.name, d.error());
                    return false;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("broker {}: replicating {} failed: {}", brokerId, p.name, e.toString(), e);
            offlineIfFailed(p, p.log, e);
            return false;
        } finally {
            records.release();
        }
    }

    /** Tests: the partition object, or null. */
    Partition partitionForTests(String topic, int partition) {
        return lookup(topic, partition);
    }

    /** Brokers of the latest cluster view (fetchers look up their leaders' addresses). */
    BrokerInfo broker(int id) {
        return brokers.get(id);
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
            + "writer threads", brokerId, inPlaceAppends.sum(), writerAppends.sum());
        timer.shutdownNow();
        if (followers != null) {
            followers.close();
        }
        for (Partition p : byName.values()) {
            resign(p, ErrorCode.PARTITION_OFFLINE);
        }
        waitTimer.stop();
        for (Partition p : byName.values()) {
            ConsumeWaiter w;
            while ((w = p.waiters.poll()) != null) {
                if (w.claim()) {
                    w.callback.onConsumed(ErrorCode.PARTITION_OFFLINE, epoch, -1, -1, Unpooled.EMPTY_BUFFER);
                }
            }
            p.leader = false;
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
                } catch (IOException e) {
                    LOG.error("broker {}: closing {} failed: {}", brokerId, p.name, e.toString(), e);
                }
            });
        }
        for (ExecutorService w : writers) {
            w.shutdown();
        }
        boolean stopped = true;
        try {
            for (ExecutorService w : writers) {
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
            // only once no writer of this broker can touch a log: then another broker may open them
            unlockDataDir();
        }
    }
}
