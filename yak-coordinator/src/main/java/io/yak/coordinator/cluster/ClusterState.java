package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Codec;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as the coordinator knows it, and the one place that changes it: the brokers ({@link BrokerRegistry}:
 * who may register, liveness, forgetting), topics and their partitions' placement and leaders ({@link
 * LeaderElector}: a partition is led by its broker while that broker is alive and does not report that it cannot
 * serve it), the cluster epoch, the producer id counter and consumer groups' committed offsets ({@link
 * CommittedOffsets}). This class coordinates those pieces: it applies what follows from a broker's registration,
 * death or report to the topics, bumps the epoch and publishes the metadata. Pure logic: no I/O, no Netty, time
 * passed in as {@code nowMs} by the caller (any monotonic millisecond clock).
 *
 * <p>Every change of what {@link #metadata()} shows bumps the epoch exactly once per call and is reported to the
 * caller (a {@code true}/"changed" result), which persists the new state and broadcasts LEADER_INFO. Requests are
 * validated completely before anything changes: a call that returns an error changed nothing.
 *
 * <p>Thread ownership: not thread-safe; confined to one thread (the coordinator's "yak-coordinator-state"
 * thread), except {@link #metadata()}, which returns an immutable snapshot published through a volatile field and
 * may be called from any thread.
 */
public final class ClusterState {
    /** Offset answered when a group has committed nothing for a partition. */
    public static final long NO_OFFSET = -1;
    /** Largest partition count of one topic. */
    public static final int MAX_PARTITIONS_PER_TOPIC = 10_000;
    /** Bound on all partitions of all topics, so metadata always fits a frame and the wire's element counts. */
    public static final int MAX_TOTAL_PARTITIONS = Codec.MAX_COUNT;
    /** {@code deadBrokerForgetMs} that keeps dead brokers for ever. */
    public static final long FORGET_NEVER = BrokerRegistry.FORGET_NEVER;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final long heartbeatTimeoutMs;
    private final int numPartitions;
    private final boolean autoCreateTopics;
    private final LeaderElector elector = new LeaderElector();
    private final OfflineReports reports = new OfflineReports(elector);
    private final BrokerRegistry brokers;
    private final CommittedOffsets offsets = new CommittedOffsets();

    /** By name; sorted so metadata lists topics in name order. Every replica is a broker of {@link #brokers}. */
    private final TreeMap<String, TopicEntry> topics = new TreeMap<>();
    private int totalPartitions;
    /** Grows by exactly one per change of the metadata; never decreases, also across restarts. */
    private long epoch;
    /** The next producer id to hand out; persisted, so ids are never reused across restarts. */
    private long nextProducerId = 1;
    /** Immutable view of the metadata at {@link #epoch}, republished after every change. */
    private volatile ClusterMetadata published = ClusterMetadata.EMPTY;

    /** An empty cluster at epoch 0 that lets any broker id register and never forgets a dead broker (tests). */
    public ClusterState(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics) {
        this(heartbeatTimeoutMs, numPartitions, autoCreateTopics, BrokerIds.ANY, FORGET_NEVER);
    }

    /**
     * An empty cluster at epoch 0.
     *
     * @param heartbeatTimeoutMs a broker silent for longer than this is declared dead by {@link #checkLiveness}
     * @param numPartitions      partitions of an automatically created topic, or of a CREATE_TOPIC with -1
     * @param autoCreateTopics   whether METADATA with autoCreate may create topics
     * @param brokerIds          the broker ids that may register ({@code broker.ids})
     * @param deadBrokerForgetMs a dead broker holding no partition is forgotten after this long
     *                           ({@code dead.broker.forget.ms}); {@link #FORGET_NEVER} keeps it
     */
    public ClusterState(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics, BrokerIds brokerIds,
                        long deadBrokerForgetMs) {
        if (heartbeatTimeoutMs <= 0 || numPartitions < 1 || numPartitions > MAX_PARTITIONS_PER_TOPIC) {
            throw new IllegalArgumentException("heartbeatTimeoutMs " + heartbeatTimeoutMs + ", numPartitions "
                + numPartitions);
        }
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        this.numPartitions = numPartitions;
        this.autoCreateTopics = autoCreateTopics;
        this.brokers = new BrokerRegistry(heartbeatTimeoutMs, brokerIds, deadBrokerForgetMs);
    }

    /** {@link #restore(long, int, boolean, BrokerIds, long, CoordinatorSnapshot)}: any broker id, never forgetting. */
    public static ClusterState restore(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics,
                                       CoordinatorSnapshot snapshot) {
        return restore(heartbeatTimeoutMs, numPartitions, autoCreateTopics, BrokerIds.ANY, FORGET_NEVER, snapshot);
    }

    /**
     * The state persisted in {@code snapshot}, as it is after a coordinator restart: every broker dead, every
     * partition offline, at the stored epoch plus one (this view differs from the last one anybody saw). A dead
     * broker's time towards {@code deadBrokerForgetMs} starts again at the first liveness check.
     *
     * @throws IllegalStateException when the snapshot breaks an invariant (a partition on an unknown broker, ...)
     */
    public static ClusterState restore(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics,
                                       BrokerIds brokerIds, long deadBrokerForgetMs, CoordinatorSnapshot snapshot) {
        ClusterState s = new ClusterState(heartbeatTimeoutMs, numPartitions, autoCreateTopics, brokerIds,
            deadBrokerForgetMs);
        for (CoordinatorSnapshot.Broker b : snapshot.brokers()) {
            s.brokers.restore(b.id(), b.host(), b.port());
        }
        for (CoordinatorSnapshot.Topic t : snapshot.topics()) {
            int n = t.partitions().size();
            int[] replicas = new int[n];
            int[] leaders = new int[n];
            int[] leaderEpochs = new int[n];
            for (int p = 0; p < n; p++) {
                CoordinatorSnapshot.Partition part = t.partitions().get(p);
                BrokerEntry replica = s.brokers.get(part.replica());
                if (replica == null) {
                    throw new IllegalStateException("partition " + t.name() + "-" + p + " is assigned to unknown "
                        + "broker " + part.replica());
                }
                replica.replicaCount++;
                replicas[p] = part.replica();
                leaders[p] = PartitionInfo.NO_LEADER;
                leaderEpochs[p] = part.leaderEpoch();
            }
            String configProblem = TopicConfigs.problem(t.configs());
            if (configProblem != null) {
                throw new IllegalStateException("topic " + t.name() + " stored with an invalid config: "
                    + configProblem);
            }
            if (s.topics.put(t.name(), new TopicEntry(t.name(), replicas, leaders, leaderEpochs, t.configs()))
                    != null) {
                throw new IllegalStateException("topic " + t.name() + " stored twice");
            }
            s.totalPartitions += n;
        }
        for (CoordinatorSnapshot.CommittedOffset o : snapshot.offsets()) {
            s.offsets.restore(o);
        }
        s.nextProducerId = snapshot.nextProducerId();
        s.epoch = snapshot.epoch();
        s.bumpEpoch();
        s.brokers.warnNotAllowed();
        return s;
    }

    /** The current metadata: an immutable snapshot. Thread-safe. */
    public ClusterMetadata metadata() {
        return published;
    }

    public long epoch() {
        return epoch;
    }

    public long heartbeatTimeoutMs() {
        return heartbeatTimeoutMs;
    }

    /**
     * A broker announces itself (first start, restart, or return after being declared dead); the rules are {@link
     * BrokerRegistry#register}'s. A broker that becomes alive, or restarts, leads its partitions again with their
     * leader epochs bumped. It receives new partitions only once it has sent a heartbeat (see {@link
     * #createTopic(String, int, Map, long)}).
     *
     * @param connectionId identifies the connection it registered on (any value but 0), for {@link
     *                     #connectionClosed} and to tell a restart from a clash of two brokers with one id
     * @param remote       the peer's socket address: refusals are logged at most once per remote IP per minute
     * @return NONE (changed when the state changed); INVALID_REQUEST (bad id or address, id not in broker.ids, too
     *     many brokers) or BROKER_ID_IN_USE, nothing changed
     */
    public RegisterResult registerBroker(int id, String host, int port, long connectionId, SocketAddress remote,
                                         long nowMs) {
        BrokerRegistry.Registration r = brokers.register(id, host, port, connectionId, remote, nowMs);
        BrokerEntry b = r.broker();
        switch (r.change()) {
            case NONE -> {
                return new RegisterResult(r.error(), false);
            }
            case NEW -> {
                bumpEpoch();
                LOG.info("broker {} registered at {} (new), epoch {}", id, LogText.safe(b.address()), epoch);
            }
            case MOVED -> {
                bumpEpoch();
                LOG.info("broker {} moved from {} to {} on the same connection, epoch {}", id,
                    LogText.safe(r.oldAddress()), LogText.safe(b.address()), epoch);
            }
            case RETURNED -> {
                String reason = r.restart() ? "restarted" : "registered";
                elector.brokerLeads(b, topics.values(), epoch + 1, reason);
                bumpEpoch();
                LOG.info("broker {} {} at {} (was {}), epoch {}", id, reason, LogText.safe(b.address()),
                    LogText.safe(r.oldAddress()), epoch);
            }
            default -> throw new IllegalStateException("registration change " + r.change());
        }
        return new RegisterResult(ErrorCode.NONE, true);
    }

    /**
     * Records a heartbeat and applies the broker's list of the partitions assigned to it that it cannot serve: each
     * listed partition it leads goes offline (leader -1, leader epoch unchanged), each partition it listed before
     * and lists no more is led by it again (leader epoch + 1). Any such change bumps the epoch once. The list is the
     * broker's whole current view, so repeating it changes nothing. Entries that name no partition of this broker
     * (unknown topic, partition out of range, another broker's) are logged at WARN, at most every
     * {@value OfflineReports#IGNORED_REPORT_WARN_INTERVAL_MS} ms while they repeat, and ignored; the rest of the list
     * applies. See {@link OfflineReports}.
     *
     * @param connectionId      the connection it came on: only the one the broker registered on counts (a stale
     *                          process of the same id, say one that was paused, must neither keep the id alive nor
     *                          override the live process's list)
     * @param offlinePartitions the partitions the broker cannot serve, in any order, repeats allowed; empty when it
     *                          serves all of its partitions
     * @return unknown (nothing applied) when the broker is unknown or not alive (declared dead, or the coordinator
     *     restarted), or registered on another connection: it must register again; otherwise whether the state
     *     changed
     */
    public HeartbeatResult heartbeat(int brokerId, long connectionId, List<PartitionRef> offlinePartitions,
                                     long nowMs) {
        BrokerEntry b = brokers.heartbeat(brokerId, connectionId, nowMs);
        if (b == null) {
            return HeartbeatResult.UNKNOWN;
        }
        if (!reports.apply(b, offlinePartitions, topics, epoch + 1, nowMs)) {
            return HeartbeatResult.UNCHANGED;
        }
        bumpEpoch();
        return HeartbeatResult.CHANGED;
    }

    /**
     * A connection closed. A broker registered on it stays alive until its heartbeat timeout (a closed connection
     * alone is not a death; only silence or the broker's own {@link #brokerShutdown} is), but another broker may now
     * register with its id from another address.
     */
    public void connectionClosed(long connectionId) {
        brokers.connectionClosed(connectionId);
    }

    /**
     * The coordinator was paused (it did not run for longer than its checks allow): every live broker is treated as
     * heard from at most half a heartbeat timeout ago, so one whose heartbeats were only waiting to be read is not
     * declared dead, and one that really went silent is declared dead half a timeout later. Changes no leadership.
     */
    public void forgiveSilence(long nowMs) {
        brokers.forgiveSilence(nowMs);
    }

    /**
     * Declares dead every live broker with no registration or heartbeat for longer than the heartbeat timeout (their
     * partitions go offline), and forgets brokers that need not be remembered: one just declared dead that never
     * sent a heartbeat since it registered, and one dead for {@code deadBrokerForgetMs}, when it holds no partition.
     * A forgotten broker is gone from the metadata and the state file; it registers again as a new one. Everything
     * one call changes shares one epoch bump.
     *
     * @return true when the state changed (a broker declared dead or forgotten)
     */
    public boolean checkLiveness(long nowMs) {
        List<BrokerEntry> dead = brokers.silent(nowMs);
        long newEpoch = epoch + 1;
        for (BrokerEntry b : dead) {
            LOG.info("broker {} at {} declared dead: no heartbeat for {} ms (heartbeat.timeout.ms {}), epoch {}",
                b.id, LogText.safe(b.address()), nowMs - b.lastHeartbeatMs, heartbeatTimeoutMs, newEpoch);
            declareDead(b, newEpoch, "dead");
        }
        List<BrokerEntry> longDead = brokers.forgetLongDead(nowMs);
        for (BrokerEntry b : longDead) {
            LOG.info("broker {} at {} forgotten: dead for {} ms (dead.broker.forget.ms {}) and holds no partition, "
                + "epoch {}", b.id, LogText.safe(b.address()), nowMs - b.deadSinceMs, brokers.deadBrokerForgetMs(),
                newEpoch);
        }
        if (dead.isEmpty() && longDead.isEmpty()) {
            return false;
        }
        bumpEpoch();
        return true;
    }

    /**
     * Its partitions go offline (the caller bumps the epoch to {@code newEpoch}); {@code why} is for the log. A
     * broker that never sent a heartbeat since it registered and holds no partition is forgotten at once: it never
     * showed it serves anything (issue 19: fake brokers stayed in every metadata).
     */
    private void declareDead(BrokerEntry b, long newEpoch, String why) {
        brokers.markDead(b);
        elector.brokerDied(b, topics.values(), newEpoch, why);
        if (brokers.forgetIfNeverHeard(b)) {
            LOG.info("broker {} at {} forgotten: no heartbeat since it registered and holds no partition, epoch {}",
                b.id, LogText.safe(b.address()), newEpoch);
        }
    }

    /**
     * A broker stopping cleanly says so on the connection it registered on ({@code BROKER_SHUTDOWN_REQUEST}): it is
     * declared dead at once, as its silence would declare it after the heartbeat timeout, and its partitions go
     * offline. Its next registration (a restart) brings it back as after any death. One that never heartbeated since
     * it registered and holds no partition is forgotten at once, as when its silence kills it.
     *
     * @return whether it applied (the state changed); false, changing nothing, when the broker is unknown, not
     *     alive, or registered by another connection (a stale or foreign request must not stop a live broker)
     */
    public boolean brokerShutdown(int brokerId, long connectionId) {
        BrokerEntry b = brokers.registeredOn(brokerId, connectionId);
        if (b == null) {
            return false;
        }
        long newEpoch = epoch + 1;
        LOG.info("broker {} at {} shut down cleanly: its partitions go offline, epoch {}", b.id,
            LogText.safe(b.address()), newEpoch);
        declareDead(b, newEpoch, "shut down");
        bumpEpoch();
        return true;
    }

    /** Creates a topic without per-topic configs; see {@link #createTopic(String, int, Map, long)}. */
    public ErrorCode createTopic(String name, int partitions, long nowMs) {
        return createTopic(name, partitions, Map.of(), nowMs);
    }

    /**
     * Creates a topic over the brokers that may receive new partitions: alive, heard from by a heartbeat since
     * their registration, and within the last half heartbeat timeout (a broker that only registered, or whose
     * heartbeats are late, would leave its partitions offline from the start). Every check (name, partition count,
     * configs, existence, limits, such brokers) passes before anything changes.
     *
     * @param partitions the partition count, or -1 for the configured num.partitions
     * @param configs    per-topic configs, each checked by {@link TopicConfigs#problem(String, String)}; kept as
     *                   given (valid values are canonical) and shown in every later metadata
     * @return NONE (the state changed), INVALID_TOPIC, INVALID_REQUEST (bad partition count or cluster limit),
     *     INVALID_CONFIG (unknown key or bad value: {@link TopicConfigs#problem(Map)} says which),
     *     TOPIC_ALREADY_EXISTS or NO_LIVE_BROKERS (no broker may receive it)
     */
    public ErrorCode createTopic(String name, int partitions, Map<String, String> configs, long nowMs) {
        ErrorCode error = validateNewTopic(name, partitions, configs, nowMs);
        if (error != ErrorCode.NONE) {
            return error;
        }
        addTopic(name, partitions == -1 ? numPartitions : partitions, configs, epoch + 1, nowMs);
        bumpEpoch();
        return ErrorCode.NONE;
    }

    /** Why a topic without configs could not be created now, or NONE. Does not change anything. */
    public ErrorCode validateNewTopic(String name, int partitions, long nowMs) {
        return validateNewTopic(name, partitions, Map.of(), nowMs);
    }

    /** Why a topic could not be created now, or NONE. Does not change anything. */
    public ErrorCode validateNewTopic(String name, int partitions, Map<String, String> configs, long nowMs) {
        if (!TopicNames.isValid(name)) {
            return ErrorCode.INVALID_TOPIC;
        }
        int n = partitions == -1 ? numPartitions : partitions;
        if (n < 1 || n > MAX_PARTITIONS_PER_TOPIC) {
            return ErrorCode.INVALID_REQUEST;
        }
        if (TopicConfigs.problem(configs) != null) {
            return ErrorCode.INVALID_CONFIG;
        }
        if (topics.containsKey(name)) {
            return ErrorCode.TOPIC_ALREADY_EXISTS;
        }
        if (totalPartitions + n > MAX_TOTAL_PARTITIONS) {
            LOG.warn("rejecting topic {} with {} partitions: cluster has {} of at most {} partitions", name, n,
                totalPartitions, MAX_TOTAL_PARTITIONS);
            return ErrorCode.INVALID_REQUEST;
        }
        if (brokers.eligibleForNewPartitions(nowMs).isEmpty()) {
            return ErrorCode.NO_LIVE_BROKERS;
        }
        return ErrorCode.NONE;
    }

    private void addTopic(String name, int partitions, Map<String, String> configs, long newEpoch, long nowMs) {
        int[] replicas = elector.assign(partitions, brokers.eligibleForNewPartitions(nowMs), topics.values());
        for (int replica : replicas) {
            brokers.get(replica).replicaCount++;
        }
        int[] leaderEpochs = new int[partitions];
        TopicEntry t = new TopicEntry(name, replicas, replicas.clone(), leaderEpochs, configs);
        topics.put(name, t);
        totalPartitions += partitions;
        elector.topicCreated(t, newEpoch);
    }

    /**
     * Resolves the topic list of a METADATA request: missing topics are created with num.partitions and no
     * per-topic configs (broker defaults) when both the request and the configuration allow it. Creations of one
     * request share one epoch bump. Topics are created in request order; the first one that cannot be created stops
     * the creation of the ones after it.
     *
     * @param topicNames the topics asked for; empty means all (and creates nothing)
     * @param nowMs      for the choice of brokers, as in {@link #createTopic(String, int, Map, long)}
     */
    public TopicLookup lookupTopics(boolean autoCreate, List<String> topicNames, long nowMs) {
        Set<String> created = new LinkedHashSet<>();
        Set<String> unknown = new LinkedHashSet<>();
        ErrorCode createError = ErrorCode.NONE;
        String createErrorTopic = null;
        boolean create = autoCreate && autoCreateTopics;
        long newEpoch = epoch + 1;
        for (String name : topicNames) {
            if (topics.containsKey(name) || created.contains(name) || unknown.contains(name)) {
                continue;
            }
            if (create && createError == ErrorCode.NONE) {
                ErrorCode e = validateNewTopic(name, numPartitions, nowMs);
                if (e == ErrorCode.NONE) {
                    addTopic(name, numPartitions, Map.of(), newEpoch, nowMs);
                    created.add(name);
                    continue;
                }
                createError = e;
                createErrorTopic = name;
            }
            unknown.add(name);
        }
        if (!created.isEmpty()) {
            bumpEpoch();
        }
        if (createError != ErrorCode.NONE) {
            return new TopicLookup(createError, "cannot create topic '" + createErrorTopic + "': " + createError
                + "; unknown topics " + unknown, List.copyOf(created));
        }
        if (!unknown.isEmpty()) {
            String why = autoCreate && !autoCreateTopics ? " (auto.create.topics=false on the coordinator)" : "";
            return new TopicLookup(ErrorCode.UNKNOWN_TOPIC, "unknown topics " + unknown + why, List.copyOf(created));
        }
        return new TopicLookup(ErrorCode.NONE, null, List.copyOf(created));
    }

    /** Hands out a new producer id. Changes persisted state (the counter) but not the metadata or epoch. */
    public long allocateProducerId() {
        return nextProducerId++;
    }

    /**
     * Stores a consumer group's committed offset. Changes persisted state but not the metadata or epoch.
     *
     * @return NONE, UNKNOWN_TOPIC, UNKNOWN_PARTITION, or INVALID_REQUEST (empty or too long group, negative offset,
     *     too many stored offsets)
     */
    public ErrorCode commitOffset(String group, String topic, int partition, long offset) {
        ErrorCode error = CommittedOffsets.validate(group, offset);
        if (error == ErrorCode.NONE) {
            error = checkPartition(topic, partition);
        }
        return error == ErrorCode.NONE ? offsets.commit(group, topic, partition, offset) : error;
    }

    /** A group's committed offset: {@link #NO_OFFSET} with NONE when it never committed one for the partition. */
    public FetchedOffset fetchOffset(String group, String topic, int partition) {
        ErrorCode error = checkPartition(topic, partition);
        if (error != ErrorCode.NONE) {
            return new FetchedOffset(error, NO_OFFSET);
        }
        return new FetchedOffset(ErrorCode.NONE, offsets.fetch(group, topic, partition));
    }

    private ErrorCode checkPartition(String topic, int partition) {
        TopicEntry t = topics.get(topic);
        if (t == null) {
            return ErrorCode.UNKNOWN_TOPIC;
        }
        if (partition < 0 || partition >= t.partitionCount()) {
            return ErrorCode.UNKNOWN_PARTITION;
        }
        return ErrorCode.NONE;
    }

    /** Everything to persist, as of now. Copies; cost grows with the number of committed offsets. */
    public CoordinatorSnapshot snapshot() {
        List<CoordinatorSnapshot.Broker> bs = new ArrayList<>(brokers.size());
        for (BrokerEntry b : brokers.all()) {
            bs.add(new CoordinatorSnapshot.Broker(b.id, b.host, b.port));
        }
        List<CoordinatorSnapshot.Topic> ts = new ArrayList<>(topics.size());
        for (TopicEntry t : topics.values()) {
            List<CoordinatorSnapshot.Partition> ps = new ArrayList<>(t.partitionCount());
            for (int p = 0; p < t.partitionCount(); p++) {
                ps.add(new CoordinatorSnapshot.Partition(t.replicas[p], t.leaderEpochs[p]));
            }
            ts.add(new CoordinatorSnapshot.Topic(t.name, ps, t.configs));
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, bs, ts, offsets.snapshot());
    }

    private void bumpEpoch() {
        epoch++;
        List<BrokerInfo> bs = new ArrayList<>(brokers.size());
        for (BrokerEntry b : brokers.all()) {
            bs.add(b.toInfo());
        }
        List<TopicInfo> ts = new ArrayList<>(topics.size());
        for (TopicEntry t : topics.values()) {
            ts.add(t.toInfo());
        }
        published = new ClusterMetadata(epoch, bs, ts);
        assert invariantsHold() : "cluster state invariant broken at epoch " + epoch;
    }

    /**
     * Each partition is on a known broker and led by it or by nobody; a partition is led exactly when its replica is
     * alive and does not report that it cannot serve it; a broker reports only its own partitions, and only while
     * alive; each broker's replica count is the number of partitions on it (so one is forgotten only when it holds
     * none).
     */
    private boolean invariantsHold() {
        Map<Integer, Integer> replicaCounts = new HashMap<>();
        for (TopicEntry t : topics.values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                int leader = t.leaders[p];
                BrokerEntry replica = brokers.get(t.replicas[p]);
                if (replica == null) {
                    LOG.error("partition {}-{} is on broker {}, which is not known", t.name, p, t.replicas[p]);
                    return false;
                }
                replicaCounts.merge(replica.id, 1, Integer::sum);
                boolean shouldLead = replica.alive
                    && (replica.offline.isEmpty() || !replica.offline.contains(new PartitionRef(t.name, p)));
                boolean led = leader != PartitionInfo.NO_LEADER;
                if ((led && leader != t.replicas[p]) || led != shouldLead) {
                    LOG.error("partition {}-{}: leader {} replica {} (alive {}, reports offline {}) leaders {}", t.name,
                        p, leader, t.replicas[p], replica.alive, replica.offline, Arrays.toString(t.leaders));
                    return false;
                }
            }
        }
        for (BrokerEntry b : brokers.all()) {
            if (b.replicaCount != replicaCounts.getOrDefault(b.id, 0)) {
                LOG.error("broker {} counts {} partitions, holds {}", b.id, b.replicaCount,
                    replicaCounts.getOrDefault(b.id, 0));
                return false;
            }
            for (PartitionRef ref : b.offline) {
                TopicEntry t = topics.get(ref.topic());
                if (!b.alive || t == null || t.replicas[ref.partition()] != b.id) {
                    LOG.error("broker {} (alive {}) reports offline {}, not one of its partitions", b.id, b.alive, ref);
                    return false;
                }
            }
        }
        return true;
    }
}
