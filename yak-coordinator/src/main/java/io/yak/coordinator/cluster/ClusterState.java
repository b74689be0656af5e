package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Codec;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as the coordinator knows it: brokers and their liveness, topics and their partitions' placement and
 * leaders (a partition is led by its broker while that broker is alive and does not report that it cannot serve
 * it), the cluster epoch, the producer id counter and consumer groups' committed offsets. Pure logic: no I/O,
 * no Netty, time passed in as {@code nowMs} by the caller (any monotonic millisecond clock).
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
    /** Bound on known brokers (the wire's element count limit). */
    public static final int MAX_BROKERS = Codec.MAX_COUNT;
    /** Bound on stored (group, topic, partition) offsets: the whole table is rewritten on each commit. */
    public static final int MAX_COMMITTED_OFFSETS = 100_000;
    /** Longest consumer group name, in chars. */
    public static final int MAX_GROUP_LENGTH = 249;
    /** Longest advertised broker host name, in chars. */
    public static final int MAX_HOST_LENGTH = 255;
    /** A registration rejected again and again for the same broker id and address is logged this often. */
    static final long CLASH_WARN_INTERVAL_MS = 30_000;
    /** A heartbeat listing partitions not assigned to its broker, again and again, is logged this often. */
    static final long IGNORED_REPORT_WARN_INTERVAL_MS = 30_000;
    /** Ignored heartbeat entries named in one log line; the rest are counted. */
    static final int MAX_IGNORED_LOGGED = 10;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);
    private static final Pattern TOPIC_NAME = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private final long heartbeatTimeoutMs;
    private final int numPartitions;
    private final boolean autoCreateTopics;
    private final LeaderElector elector = new LeaderElector();

    /** By id; sorted so metadata lists brokers in id order. */
    private final TreeMap<Integer, BrokerEntry> brokers = new TreeMap<>();
    /** By name; sorted so metadata lists topics in name order. */
    private final TreeMap<String, TopicEntry> topics = new TreeMap<>();
    private final Map<OffsetKey, Long> committedOffsets = new HashMap<>();
    private int totalPartitions;
    /** Grows by exactly one per change of the metadata; never decreases, also across restarts. */
    private long epoch;
    /** The next producer id to hand out; persisted, so ids are never reused across restarts. */
    private long nextProducerId = 1;
    /** Immutable view of the metadata at {@link #epoch}, republished after every change. */
    private volatile ClusterMetadata published = ClusterMetadata.EMPTY;

    /**
     * An empty cluster at epoch 0.
     *
     * @param heartbeatTimeoutMs a broker silent for longer than this is declared dead by {@link #checkLiveness}
     * @param numPartitions      partitions of an automatically created topic, or of a CREATE_TOPIC with -1
     * @param autoCreateTopics   whether METADATA with autoCreate may create topics
     */
    public ClusterState(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics) {
        if (heartbeatTimeoutMs <= 0 || numPartitions < 1 || numPartitions > MAX_PARTITIONS_PER_TOPIC) {
            throw new IllegalArgumentException("heartbeatTimeoutMs " + heartbeatTimeoutMs + ", numPartitions "
                + numPartitions);
        }
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        this.numPartitions = numPartitions;
        this.autoCreateTopics = autoCreateTopics;
    }

    /**
     * The state persisted in {@code snapshot}, as it is after a coordinator restart: every broker dead, every
     * partition offline, at the stored epoch plus one (this view differs from the last one anybody saw).
     *
     * @throws IllegalStateException when the snapshot breaks an invariant (a partition on an unknown broker, ...)
     */
    public static ClusterState restore(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics,
                                       CoordinatorSnapshot snapshot) {
        ClusterState s = new ClusterState(heartbeatTimeoutMs, numPartitions, autoCreateTopics);
        for (CoordinatorSnapshot.Broker b : snapshot.brokers()) {
            if (s.brokers.put(b.id(), new BrokerEntry(b.id(), b.host(), b.port())) != null) {
                throw new IllegalStateException("broker " + b.id() + " stored twice");
            }
        }
        for (CoordinatorSnapshot.Topic t : snapshot.topics()) {
            int n = t.partitions().size();
            int[] replicas = new int[n];
            int[] leaders = new int[n];
            int[] leaderEpochs = new int[n];
            for (int p = 0; p < n; p++) {
                CoordinatorSnapshot.Partition part = t.partitions().get(p);
                if (!s.brokers.containsKey(part.replica())) {
                    throw new IllegalStateException("partition " + t.name() + "-" + p + " is assigned to unknown broker "
                        + part.replica());
                }
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
            s.committedOffsets.put(new OffsetKey(o.group(), o.topic(), o.partition()), o.offset());
        }
        s.nextProducerId = snapshot.nextProducerId();
        s.epoch = snapshot.epoch();
        s.bumpEpoch();
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
     * A broker announces itself (first start, restart, or return after being declared dead). Accepted when the id
     * is new, when the broker is dead, when it registers again on the same connection, or when its previous
     * registration is over: its connection closed (a process that exited, even by {@code kill -9}), or, from the
     * same host:port, silent for half the heartbeat timeout (a restart after the host or the network lost the old
     * connection without closing it). Otherwise the id belongs to a live process: a second process with the same id
     * is refused, even with the same address (two brokers both advertising {@code localhost:9092}, say), as Kafka
     * refuses a broker id whose session is still alive. A broker that becomes alive, or restarts, leads its
     * partitions again with their leader epochs bumped.
     *
     * @param connectionId identifies the connection it registered on (any value but 0), for {@link
     *                     #connectionClosed} and to tell a restart from a clash of two brokers with one id
     * @return NONE (changed when the state changed), INVALID_REQUEST or BROKER_ID_IN_USE (nothing changed)
     */
    public RegisterResult registerBroker(int id, String host, int port, long connectionId, long nowMs) {
        if (id < 0 || host == null || host.isBlank() || host.length() > MAX_HOST_LENGTH || port < 1 || port > 65535) {
            LOG.warn("rejecting registration of broker {} at {}:{}: invalid id or address", id, host, port);
            return new RegisterResult(ErrorCode.INVALID_REQUEST, false);
        }
        BrokerEntry b = brokers.get(id);
        if (b == null) {
            if (brokers.size() >= MAX_BROKERS) {
                LOG.warn("rejecting registration of broker {}: {} brokers known already", id, brokers.size());
                return new RegisterResult(ErrorCode.INVALID_REQUEST, false);
            }
            b = new BrokerEntry(id, host, port);
            brokers.put(id, b);
            attach(b, connectionId, nowMs);
            bumpEpoch();
            LOG.info("broker {} registered at {} (new), epoch {}", id, b.address(), epoch);
            return new RegisterResult(ErrorCode.NONE, true);
        }
        if (b.alive && b.connectionId == connectionId) {
            b.lastHeartbeatMs = nowMs;
            if (b.sameAddress(host, port)) {
                return new RegisterResult(ErrorCode.NONE, false);
            }
            String old = b.address();
            b.host = host;
            b.port = port;
            bumpEpoch();
            LOG.info("broker {} moved from {} to {} on the same connection, epoch {}", id, old, b.address(), epoch);
            return new RegisterResult(ErrorCode.NONE, true);
        }
        if (b.alive && b.connectionOpen
            && (!b.sameAddress(host, port) || nowMs - b.lastHeartbeatMs < heartbeatTimeoutMs / 2)) {
            warnClash(b, host + ":" + port, nowMs);
            return new RegisterResult(ErrorCode.BROKER_ID_IN_USE, false);
        }
        String reason = b.alive ? "restarted" : "registered";
        String old = b.address();
        b.host = host;
        b.port = port;
        attach(b, connectionId, nowMs);
        long newEpoch = epoch + 1;
        // A new run of the broker opens its logs afresh: it leads every partition again, and its next heartbeat
        // (sent right after the registration) names those it still cannot serve.
        b.offline = Set.of();
        elector.brokerLeads(b, topics.values(), newEpoch, reason);
        bumpEpoch();
        LOG.info("broker {} {} at {} (was {}), epoch {}", id, reason, b.address(), old, epoch);
        return new RegisterResult(ErrorCode.NONE, true);
    }

    /**
     * Logs a rejected registration at WARN the first time, and again at most every
     * {@value #CLASH_WARN_INTERVAL_MS} ms while the same address keeps trying (a clashing broker retries for as
     * long as it runs); the repeats in between go to DEBUG and are counted in the next WARN.
     */
    private static void warnClash(BrokerEntry b, String address, long nowMs) {
        if (address.equals(b.clashAddress) && nowMs - b.clashWarnedMs < CLASH_WARN_INTERVAL_MS) {
            b.clashesNotWarned++;
            LOG.debug("rejecting registration of broker {} at {} again: id in use by live broker at {}", b.id, address,
                b.address());
            return;
        }
        boolean repeated = address.equals(b.clashAddress);
        String why = address.equals(b.address())
            ? " on another connection, heard from " + (nowMs - b.lastHeartbeatMs) + " ms ago (a second process with "
                + "this id and address? A restart is accepted once the old connection closes or stays silent for half "
                + "the heartbeat timeout)"
            : "";
        LOG.warn("rejecting registration of broker {} at {}: id in use by live broker at {}{}{}", b.id, address,
            b.address(), why, repeated ? " (rejected " + b.clashesNotWarned + " more time(s) since the last warning;"
                + " logged at most every " + CLASH_WARN_INTERVAL_MS / 1000 + " s)" : "");
        b.clashAddress = address;
        b.clashWarnedMs = nowMs;
        b.clashesNotWarned = 0;
    }

    private static void attach(BrokerEntry b, long connectionId, long nowMs) {
        b.alive = true;
        b.lastHeartbeatMs = nowMs;
        b.connectionId = connectionId;
        b.connectionOpen = true;
    }

    /**
     * Records a heartbeat and applies the broker's list of the partitions assigned to it that it cannot serve: each
     * listed partition it leads goes offline (leader -1, leader epoch unchanged), each partition it listed before
     * and lists no more is led by it again (leader epoch + 1). Any such change bumps the epoch once. The list is the
     * broker's whole current view, so repeating it changes nothing. Entries that name no partition of this broker
     * (unknown topic, partition out of range, another broker's) are logged at WARN, at most every
     * {@value #IGNORED_REPORT_WARN_INTERVAL_MS} ms while they repeat, and ignored; the rest of the list applies.
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
        BrokerEntry b = registeredOn(brokerId, connectionId);
        if (b == null) {
            return HeartbeatResult.UNKNOWN;
        }
        b.lastHeartbeatMs = nowMs;
        if (offlinePartitions.isEmpty() && b.offline.isEmpty()) {
            b.ignoredReport = null; // entries ignored before are gone: if they come back, warn again
            return HeartbeatResult.UNCHANGED; // the usual heartbeat: nothing to compare, nothing allocated
        }
        Set<PartitionRef> reported = new LinkedHashSet<>();
        List<String> ignored = new ArrayList<>();
        int ignoredCount = 0;
        for (PartitionRef ref : offlinePartitions) {
            String problem = notAssigned(b, ref);
            if (problem == null) {
                reported.add(ref);
            } else if (ignoredCount++ < MAX_IGNORED_LOGGED) {
                ignored.add(ref + " (" + problem + ")");
            }
        }
        warnIgnored(b, ignored, ignoredCount, nowMs);
        if (reported.equals(b.offline)) {
            return HeartbeatResult.UNCHANGED;
        }
        long newEpoch = epoch + 1;
        List<PartitionRef> wentOffline = new ArrayList<>();
        for (PartitionRef ref : reported) {
            if (!b.offline.contains(ref) && elector.brokerCannotServe(b, topics.get(ref.topic()), ref.partition(),
                    newEpoch)) {
                wentOffline.add(ref);
            }
        }
        List<PartitionRef> cameBack = new ArrayList<>();
        for (PartitionRef ref : b.offline) {
            if (!reported.contains(ref) && elector.brokerServesAgain(b, topics.get(ref.topic()), ref.partition(),
                    newEpoch)) {
                cameBack.add(ref);
            }
        }
        b.offline = Collections.unmodifiableSet(reported);
        if (wentOffline.isEmpty() && cameBack.isEmpty()) {
            return HeartbeatResult.UNCHANGED; // cannot happen while the invariants hold; nothing to publish
        }
        bumpEpoch();
        LOG.info("broker {} reports {} partition(s) it cannot serve {}: offline now {}, led again {}, epoch {}", b.id,
            reported.size(), reported, wentOffline, cameBack, epoch);
        return HeartbeatResult.CHANGED;
    }

    /** Why {@code ref} is not one of broker {@code b}'s partitions, or null when it is. */
    private String notAssigned(BrokerEntry b, PartitionRef ref) {
        TopicEntry t = topics.get(ref.topic());
        if (t == null) {
            return "unknown topic";
        }
        if (ref.partition() < 0 || ref.partition() >= t.partitionCount()) {
            return "topic " + t.name + " has partitions 0.." + (t.partitionCount() - 1);
        }
        int replica = t.replicas[ref.partition()];
        return replica == b.id ? null : "assigned to broker " + replica;
    }

    /**
     * Logs ignored heartbeat entries at WARN the first time, and again at most every
     * {@value #IGNORED_REPORT_WARN_INTERVAL_MS} ms while the broker keeps listing the same ones (it sends its list
     * with every heartbeat); the repeats in between go to DEBUG and are counted in the next WARN.
     *
     * @param ignored the first {@value #MAX_IGNORED_LOGGED} ignored entries, each with the reason
     * @param count   how many entries were ignored in all
     */
    private static void warnIgnored(BrokerEntry b, List<String> ignored, int count, long nowMs) {
        if (count == 0) {
            b.ignoredReport = null;
            return;
        }
        String listed = ignored + (count > ignored.size() ? " and " + (count - ignored.size()) + " more" : "");
        if (listed.equals(b.ignoredReport) && nowMs - b.ignoredWarnedMs < IGNORED_REPORT_WARN_INTERVAL_MS) {
            b.ignoredNotWarned++;
            LOG.debug("broker {} again lists as partitions it cannot serve {}, which are not its own: ignored", b.id,
                listed);
            return;
        }
        boolean repeated = listed.equals(b.ignoredReport);
        LOG.warn("broker {} lists as partitions it cannot serve {}, which are not its own: ignoring them{}", b.id,
            listed, repeated ? " (listed " + b.ignoredNotWarned + " more time(s) since the last warning; logged at "
                + "most every " + IGNORED_REPORT_WARN_INTERVAL_MS / 1000 + " s)" : "");
        b.ignoredReport = listed;
        b.ignoredWarnedMs = nowMs;
        b.ignoredNotWarned = 0;
    }

    /**
     * A connection closed. A broker registered on it stays alive until its heartbeat timeout (a closed connection
     * alone is not a death; only silence or the broker's own {@link #brokerShutdown} is), but another broker may now
     * register with its id from another address.
     */
    public void connectionClosed(long connectionId) {
        for (BrokerEntry b : brokers.values()) {
            if (b.connectionId == connectionId) {
                b.connectionOpen = false;
            }
        }
    }

    /**
     * The coordinator was paused (it did not run for longer than its checks allow): every live broker is treated as
     * heard from at most half a heartbeat timeout ago, so one whose heartbeats were only waiting to be read is not
     * declared dead, and one that really went silent is declared dead half a timeout later. Changes no leadership.
     */
    public void forgiveSilence(long nowMs) {
        long heardBy = nowMs - heartbeatTimeoutMs / 2;
        for (BrokerEntry b : brokers.values()) {
            if (b.alive && b.lastHeartbeatMs < heardBy) {
                b.lastHeartbeatMs = heardBy;
            }
        }
    }

    /**
     * Declares dead every live broker with no registration or heartbeat for longer than the heartbeat timeout;
     * their partitions go offline. All brokers found dead in one call share one epoch bump.
     *
     * @return true when at least one broker was declared dead (the state changed)
     */
    public boolean checkLiveness(long nowMs) {
        List<BrokerEntry> dead = new ArrayList<>();
        for (BrokerEntry b : brokers.values()) {
            if (b.alive && nowMs - b.lastHeartbeatMs > heartbeatTimeoutMs) {
                dead.add(b);
            }
        }
        if (dead.isEmpty()) {
            return false;
        }
        long newEpoch = epoch + 1;
        for (BrokerEntry b : dead) {
            LOG.info("broker {} at {} declared dead: no heartbeat for {} ms (heartbeat.timeout.ms {}), epoch {}",
                b.id, b.address(), nowMs - b.lastHeartbeatMs, heartbeatTimeoutMs, newEpoch);
            declareDead(b, newEpoch, "dead");
        }
        bumpEpoch();
        return true;
    }

    /** Its partitions go offline (the caller bumps the epoch to {@code newEpoch}); {@code why} is for the log. */
    private void declareDead(BrokerEntry b, long newEpoch, String why) {
        b.alive = false;
        elector.brokerDied(b, topics.values(), newEpoch, why);
        b.offline = Set.of(); // its partitions are offline anyway; a registration starts its report afresh
    }

    /** The broker, when it is alive and registered on {@code connectionId}; else null (unknown, dead, or stale). */
    private BrokerEntry registeredOn(int brokerId, long connectionId) {
        BrokerEntry b = brokers.get(brokerId);
        return b != null && b.alive && b.connectionId == connectionId ? b : null;
    }

    /**
     * A broker stopping cleanly says so on the connection it registered on ({@code BROKER_SHUTDOWN_REQUEST}): it is
     * declared dead at once, as its silence would declare it after the heartbeat timeout, and its partitions go
     * offline. Its next registration (a restart) brings it back as after any death.
     *
     * @return whether it applied (the state changed); false, changing nothing, when the broker is unknown, not
     *     alive, or registered by another connection (a stale or foreign request must not stop a live broker)
     */
    public boolean brokerShutdown(int brokerId, long connectionId) {
        BrokerEntry b = registeredOn(brokerId, connectionId);
        if (b == null) {
            return false;
        }
        long newEpoch = epoch + 1;
        LOG.info("broker {} at {} shut down cleanly: its partitions go offline, epoch {}", b.id, b.address(),
            newEpoch);
        declareDead(b, newEpoch, "shut down");
        bumpEpoch();
        return true;
    }

    /** Creates a topic over the live brokers, without per-topic configs; see {@link #createTopic(String, int, Map)}. */
    public ErrorCode createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic over the live brokers. Every check (name, partition count, configs, existence, limits, live
     * brokers) passes before anything changes.
     *
     * @param partitions the partition count, or -1 for the configured num.partitions
     * @param configs    per-topic configs, each checked by {@link TopicConfigs#problem(String, String)}; kept as
     *                   given (valid values are canonical) and shown in every later metadata
     * @return NONE (the state changed), INVALID_TOPIC, INVALID_REQUEST (bad partition count or cluster limit),
     *     INVALID_CONFIG (unknown key or bad value: {@link TopicConfigs#problem(Map)} says which),
     *     TOPIC_ALREADY_EXISTS or NO_LIVE_BROKERS
     */
    public ErrorCode createTopic(String name, int partitions, Map<String, String> configs) {
        ErrorCode error = validateNewTopic(name, partitions, configs);
        if (error != ErrorCode.NONE) {
            return error;
        }
        addTopic(name, partitions == -1 ? numPartitions : partitions, configs, epoch + 1);
        bumpEpoch();
        return ErrorCode.NONE;
    }

    /** Why a topic without configs could not be created now, or NONE. Does not change anything. */
    public ErrorCode validateNewTopic(String name, int partitions) {
        return validateNewTopic(name, partitions, Map.of());
    }

    /** Why a topic could not be created now, or NONE. Does not change anything. */
    public ErrorCode validateNewTopic(String name, int partitions, Map<String, String> configs) {
        if (!isValidTopicName(name)) {
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
        if (liveBrokers().isEmpty()) {
            return ErrorCode.NO_LIVE_BROKERS;
        }
        return ErrorCode.NONE;
    }

    /**
     * True when {@code name} matches {@code [a-zA-Z0-9._-]{1,249}} and is not {@code .} or {@code ..} (a
     * partition's directory is named after its topic), as in Kafka.
     */
    public static boolean isValidTopicName(String name) {
        return name != null && TOPIC_NAME.matcher(name).matches() && !name.equals(".") && !name.equals("..");
    }

    private void addTopic(String name, int partitions, Map<String, String> configs, long newEpoch) {
        int[] replicas = elector.assign(partitions, liveBrokers(), topics.values());
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
     */
    public TopicLookup lookupTopics(boolean autoCreate, List<String> topicNames) {
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
                ErrorCode e = validateNewTopic(name, numPartitions);
                if (e == ErrorCode.NONE) {
                    addTopic(name, numPartitions, Map.of(), newEpoch);
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
        if (group == null || group.isEmpty() || group.length() > MAX_GROUP_LENGTH || offset < 0) {
            return ErrorCode.INVALID_REQUEST;
        }
        ErrorCode error = checkPartition(topic, partition);
        if (error != ErrorCode.NONE) {
            return error;
        }
        OffsetKey key = new OffsetKey(group, topic, partition);
        if (!committedOffsets.containsKey(key) && committedOffsets.size() >= MAX_COMMITTED_OFFSETS) {
            LOG.warn("rejecting offset commit of group {} for {}-{}: {} committed offsets stored (limit)", group,
                topic, partition, committedOffsets.size());
            return ErrorCode.INVALID_REQUEST;
        }
        committedOffsets.put(key, offset);
        return ErrorCode.NONE;
    }

    /** A group's committed offset: {@link #NO_OFFSET} with NONE when it never committed one for the partition. */
    public FetchedOffset fetchOffset(String group, String topic, int partition) {
        ErrorCode error = checkPartition(topic, partition);
        if (error != ErrorCode.NONE) {
            return new FetchedOffset(error, NO_OFFSET);
        }
        Long offset = committedOffsets.get(new OffsetKey(group, topic, partition));
        return new FetchedOffset(ErrorCode.NONE, offset == null ? NO_OFFSET : offset);
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
        for (BrokerEntry b : brokers.values()) {
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
        List<CoordinatorSnapshot.CommittedOffset> os = new ArrayList<>(committedOffsets.size());
        for (Map.Entry<OffsetKey, Long> e : committedOffsets.entrySet()) {
            OffsetKey k = e.getKey();
            os.add(new CoordinatorSnapshot.CommittedOffset(k.group(), k.topic(), k.partition(), e.getValue()));
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, bs, ts, os);
    }

    private List<BrokerEntry> liveBrokers() {
        List<BrokerEntry> live = new ArrayList<>();
        for (BrokerEntry b : brokers.values()) {
            if (b.alive) {
                live.add(b);
            }
        }
        return live;
    }

    private void bumpEpoch() {
        epoch++;
        List<BrokerInfo> bs = new ArrayList<>(brokers.size());
        for (BrokerEntry b : brokers.values()) {
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
     * Each partition is led by its replica or by nobody; a partition is led exactly when its replica is alive and
     * does not report that it cannot serve it; a broker reports only its own partitions, and only while alive.
     */
    private boolean invariantsHold() {
        for (TopicEntry t : topics.values()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                int leader = t.leaders[p];
                BrokerEntry replica = brokers.get(t.replicas[p]);
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
        for (BrokerEntry b : brokers.values()) {
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

    /** Key of a committed offset. */
    private record OffsetKey(String group, String topic, int partition) {
    }
}
