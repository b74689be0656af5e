package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.coordinator.store.StateRecord;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Codec;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cluster as the coordinator knows it, and the one place that changes it: a façade that owns the cluster epoch,
 * the metadata published at it, the producer id counter and the change journal, and hands each event to the piece
 * whose job it is. The pieces: the brokers ({@link BrokerRegistry}: who may register, incarnations and broker
 * epochs, liveness, forgetting); what broker events mean for the cluster ({@link BrokerLifecycle}: registration,
 * heartbeats, silence, clean shutdown); partition leadership and ISRs ({@link ReplicationControl}, applying the pure
 * rules of {@link Elections} and {@link IsrChanges} through {@link PartitionStates}, which holds the topics and
 * their partitions' state); topic creation ({@link TopicCreator}, placing by {@link ReplicaPlacement}); what brokers
 * report they cannot serve ({@link OfflineReports}); consumer groups' committed offsets ({@link CommittedOffsets});
 * the persisted form ({@link ClusterSnapshots}); the invariants across all of them ({@link ClusterInvariants}).
 * The pieces never bump the epoch: they take the epoch this class bumps to and say whether anything changed. Pure
 * logic: no I/O, no Netty, time passed in as {@code nowMs} by the caller (any monotonic millisecond clock). The
 * rules are STATE.md's "Leadership" table.
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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterState.class);
    /** Offset answered when a group has committed nothing for a partition. */
    public static final long NO_OFFSET = -1;
    /** Largest partition count of one topic. */
    public static final int MAX_PARTITIONS_PER_TOPIC = 10_000;
    /** Bound on all partitions of all topics, so metadata always fits a frame and the wire's element counts. */
    public static final int MAX_TOTAL_PARTITIONS = Codec.MAX_COUNT;
    /** {@code deadBrokerForgetMs} that keeps dead brokers for ever. */
    public static final long FORGET_NEVER = BrokerRegistry.FORGET_NEVER;

    private final long heartbeatTimeoutMs;
    private final ReplicationSettings replication;
    private final BrokerRegistry brokers;
    private final PartitionStates partitions = new PartitionStates();
    private final CommittedOffsets offsets = new CommittedOffsets();
    private final ReplicationControl control;
    private final BrokerLifecycle lifecycle;
    private final TopicCreator topics;
    private final ClusterInvariants invariants;

    /** Grows by exactly one per change of the metadata; never decreases, also across restarts. */
    private long epoch;
    /** The next producer id to hand out; persisted, so ids are never reused across restarts. */
    private long nextProducerId = 1;
    /** Immutable view of the metadata at {@link #epoch}, republished after every change. */
    private volatile ClusterMetadata published = ClusterMetadata.EMPTY;
    /** What changed since the last {@link #drainChanges}; null until {@link #recordChanges}. */
    private ChangeJournal journal;

    /**
     * The changes one or more events made, as the store and the broadcaster need them.
     *
     * @param records what to append to the change log, in order (empty when nothing persisted changed)
     * @param delta   the metadata change to push, or null when the cluster epoch did not move
     */
    public record Changes(List<StateRecord> records, LeaderInfoDelta delta) {
        public Changes {
            records = List.copyOf(records);
        }
    }

    /** An empty cluster at epoch 0 that lets any broker id register and never forgets a dead broker (tests). */
    public ClusterState(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics) {
        this(heartbeatTimeoutMs, numPartitions, autoCreateTopics, BrokerIds.ANY, FORGET_NEVER);
    }

    /** An empty cluster with the default replication settings. */
    public ClusterState(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics, BrokerIds brokerIds,
                        long deadBrokerForgetMs) {
        this(heartbeatTimeoutMs, numPartitions, autoCreateTopics, brokerIds, deadBrokerForgetMs,
            ReplicationSettings.DEFAULTS);
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
     * @param replication        default replication factor, unclean and preferred leader election
     */
    public ClusterState(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics, BrokerIds brokerIds,
                        long deadBrokerForgetMs, ReplicationSettings replication) {
        if (heartbeatTimeoutMs <= 0 || numPartitions < 1 || numPartitions > MAX_PARTITIONS_PER_TOPIC
                || replication == null) {
            throw new IllegalArgumentException("heartbeatTimeoutMs " + heartbeatTimeoutMs + ", numPartitions "
                + numPartitions + ", replication " + replication);
        }
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        this.replication = replication;
        this.brokers = new BrokerRegistry(heartbeatTimeoutMs, brokerIds, deadBrokerForgetMs);
        this.control = new ReplicationControl(brokers, partitions, replication);
        this.lifecycle = new BrokerLifecycle(heartbeatTimeoutMs, brokers, partitions, control);
        this.topics = new TopicCreator(numPartitions, autoCreateTopics, replication, brokers, partitions);
        this.invariants = new ClusterInvariants(brokers, partitions, replication, control);
    }

    /**
     * {@link #restore(long, int, boolean, BrokerIds, long, ReplicationSettings, CoordinatorSnapshot, long)} (tests).
     */
    public static ClusterState restore(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics,
                                       CoordinatorSnapshot snapshot, long nowMs) {
        return restore(heartbeatTimeoutMs, numPartitions, autoCreateTopics, BrokerIds.ANY, FORGET_NEVER,
            ReplicationSettings.DEFAULTS, snapshot, nowMs);
    }

    /**
     * The state persisted in {@code snapshot}, as it is after a coordinator restart, at the stored epoch plus one
     * (this view differs from the last one anybody saw). Leadership, ISRs and epochs are kept: no partition is
     * re-elected. A broker stored alive is alive and has the whole heartbeat timeout from {@code nowMs} to register
     * again (with the same incarnation, which changes nothing); until its first heartbeat its list of partitions it
     * cannot serve is unknown, so it is not elected anywhere new. Brokers of version 1 and 2 files are dead, their
     * partitions offline, as before. A dead broker's time towards {@code deadBrokerForgetMs} starts again at the
     * first liveness check.
     *
     * @throws IllegalStateException when the snapshot breaks an invariant (a partition on an unknown broker, ...)
     */
    public static ClusterState restore(long heartbeatTimeoutMs, int numPartitions, boolean autoCreateTopics,
                                       BrokerIds brokerIds, long deadBrokerForgetMs, ReplicationSettings replication,
                                       CoordinatorSnapshot snapshot, long nowMs) {
        ClusterState s = new ClusterState(heartbeatTimeoutMs, numPartitions, autoCreateTopics, brokerIds,
            deadBrokerForgetMs, replication);
        ClusterSnapshots.load(snapshot, s.brokers, s.partitions, s.offsets, nowMs);
        s.nextProducerId = snapshot.nextProducerId();
        s.epoch = snapshot.epoch();
        long newEpoch = s.epoch + 1;
        // A consistent file changes nothing here: only a broker broker.ids no longer allows (restored dead) can
        // still lead or be in an ISR, and leaves it as at a death.
        for (BrokerEntry b : s.brokers.all()) {
            if (!b.alive) {
                s.control.brokerGone(b, "broker " + b.id + " not in broker.ids", newEpoch);
            }
        }
        s.control.electUncleanIfEnabled(newEpoch);
        s.bumpEpoch();
        s.brokers.warnNotAllowed();
        return s;
    }

    /** The current metadata: an immutable snapshot. Thread-safe. */
    public ClusterMetadata metadata() {
        return published;
    }

    /** Whether broker {@code brokerId} is alive and registered on {@code connectionId} (what it reports is its own). */
    public boolean isRegisteredOn(int brokerId, long connectionId) {
        return brokers.registeredOn(brokerId, connectionId) != null;
    }

    /** When the coordinator last heard from broker {@code brokerId} (its clock's ms), or -1 for an unknown broker. */
    public long lastHeartbeatMs(int brokerId) {
        BrokerEntry b = brokers.get(brokerId);
        return b == null ? -1 : b.lastHeartbeatMs;
    }

    /** Leader and ISR changes since start, for meters; any thread. */
    public LeadershipCounts leadershipCounts() {
        return partitions.counts();
    }

    public long epoch() {
        return epoch;
    }

    public long heartbeatTimeoutMs() {
        return heartbeatTimeoutMs;
    }

    public ReplicationSettings replication() {
        return replication;
    }

    /** A registration where each connection is a new incarnation (tests written before incarnations). */
    RegisterResult registerBroker(int id, String host, int port, long connectionId, SocketAddress remote,
                                  long nowMs) {
        return registerBroker(id, host, port, connectionId, connectionId, remote, nowMs);
    }

    /** A registration after a clean shutdown. */
    public RegisterResult registerBroker(int id, String host, int port, long incarnationId, long connectionId,
                                         SocketAddress remote, long nowMs) {
        return registerBroker(id, host, port, incarnationId, true, connectionId, remote, nowMs);
    }

    /**
     * A broker announces itself; who may is {@link BrokerRegistry#register}'s rule. The same incarnation again
     * changes no leadership (a reconnection; after a coordinator restart too), except that a broker declared dead
     * meanwhile is alive again and leads the offline partitions whose ISR has it. A new incarnation (a restarted
     * process) first ends the old one as a death would, when it was alive, then gets a new broker epoch, larger than
     * every one given before, and leads the offline partitions whose ISR has it; it joins no ISR it is not in (the
     * leaders add it once it caught up). It receives new partitions only once it has sent a heartbeat (see {@link
     * #createTopic(String, int, int, Map, long)}).
     *
     * @param incarnationId the process's random id, the same for every registration of that process
     * @param connectionId  identifies the connection it registered on (any value but 0), for {@link
     *                      #connectionClosed} and to tell a restart from a clash of two brokers with one id
     * @param remote        the peer's socket address: refusals are logged at most once per remote IP per minute
     * @param cleanShutdown whether the process's data directory says its previous process shut down cleanly: when
     *                      not, a new incarnation first stops being a candidate (ISR member or eligible leader) of
     *                      the offline partitions that have another ({@link Elections#withoutUncleanReplica})
     * @return NONE with the broker epoch (changed when the state changed); INVALID_REQUEST (bad id or address, id
     *     not in broker.ids, too many brokers) or BROKER_ID_IN_USE, nothing changed
     */
    public RegisterResult registerBroker(int id, String host, int port, long incarnationId, boolean cleanShutdown,
                                         long connectionId, SocketAddress remote, long nowMs) {
        RegisterResult result = lifecycle.register(id, host, port, incarnationId, cleanShutdown, connectionId,
            remote, nowMs, epoch + 1);
        bumpIf(result.changed());
        return result;
    }

    /**
     * Records a heartbeat and applies the broker's list of the partitions it holds a replica of that it cannot
     * serve: for each newly listed partition the broker-death rule applies, for that partition only (a leader hands
     * it to another in-sync replica, or it goes offline; a follower leaves the ISR); each partition it listed before
     * and lists no more is led by it again when it is offline and the broker is in its ISR (leader epoch + 1). Any
     * such change bumps the epoch once. The list is the broker's whole current view, so repeating it changes nothing.
     * Entries that name no partition of this broker (unknown topic, partition out of range, not a replica) are
     * logged at WARN, at most every {@value OfflineReports#IGNORED_REPORT_WARN_INTERVAL_MS} ms while they repeat, and
     * ignored; the rest of the list applies. See {@link OfflineReports}.
     *
     * @param connectionId      the connection it came on: only the one the broker registered on counts (a stale
     *                          process of the same id, say one that was paused, must neither keep the id alive nor
     *                          override the live process's list)
     * @param offlinePartitions the partitions the broker cannot serve, in any order, repeats allowed; empty when it
     *                          serves all of its partitions
     * @return unknown (nothing applied) when the broker is unknown or not alive (declared dead), or not registered
     *     on this connection (also a broker restored from the state file that has not registered again): it must
     *     register again; otherwise whether the state changed
     */
    public HeartbeatResult heartbeat(int brokerId, long connectionId, List<PartitionRef> offlinePartitions,
                                     long nowMs) {
        HeartbeatResult result = lifecycle.heartbeat(brokerId, connectionId, offlinePartitions, nowMs, epoch + 1);
        bumpIf(result.changed());
        return result;
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
     * Declares dead every live broker with no registration or heartbeat for longer than the heartbeat timeout (the
     * broker-death rule applies to each: see {@link Elections#withoutBroker}), and forgets brokers that need not be
     * remembered: one just declared dead that never sent a heartbeat since it registered, and one dead for {@code
     * deadBrokerForgetMs}, when it holds no partition. A forgotten broker is gone from the metadata and the state
     * file; it registers again as a new one. Everything one call changes shares one epoch bump.
     *
     * @return true when the state changed (a broker declared dead or forgotten)
     */
    public boolean checkLiveness(long nowMs) {
        return bumpIf(lifecycle.checkLiveness(nowMs, epoch + 1));
    }

    /**
     * A clean shutdown ({@code BROKER_SHUTDOWN_REQUEST} on the connection the broker registered on): it is declared
     * dead at once, as its silence would declare it after the heartbeat timeout: each partition it leads moves to
     * another in-sync replica that can serve it (or goes offline), and it leaves the ISR of the partitions others
     * lead. Its next registration (a restart) brings it back as after any death. One that never heartbeated since
     * it registered and holds no partition is forgotten at once, as when its silence kills it.
     *
     * @return whether it applied (the state changed); false, changing nothing, when the broker is unknown, not
     *     alive, or registered by another connection (a stale or foreign request must not stop a live broker)
     */
    public boolean brokerShutdown(int brokerId, long connectionId) {
        return bumpIf(lifecycle.brokerShutdown(brokerId, connectionId, epoch + 1));
    }

    /**
     * Moves leadership back to preferred replicas ({@code auto.leader.rebalance.enable}, run every {@code
     * leader.imbalance.check.interval.ms}): each partition whose first replica is in the ISR, can serve it and does
     * not lead it is led by it (leader epoch + 1). Simpler than Kafka's per-broker imbalance ratio: any partition
     * off its preferred leader moves as soon as that replica is in sync, so leadership converges to the balanced
     * placement of {@link ReplicaPlacement} after every failure. All changes of one call share one epoch bump.
     *
     * @return whether any leader moved
     */
    public boolean electPreferredLeaders() {
        return bumpIf(control.electPreferredLeaders(epoch + 1) > 0);
    }

    /**
     * Applies an ALTER_ISR_REQUEST: the leader of each listed partition asks for a new ISR, compare-and-set on the
     * partition epoch (see {@link IsrChanges} for the checks). Partitions are decided in request order, each on the
     * state the ones before it left. All accepted changes share one epoch bump.
     *
     * @return UNKNOWN_BROKER (not known or not alive) or STALE_BROKER_EPOCH (another incarnation's epoch), nothing
     *     applied and no results; else NONE with one result per partition
     */
    public AlterIsrOutcome alterIsr(int brokerId, long brokerEpoch, List<AlterIsrPartition> asked) {
        AlterIsrOutcome outcome = control.alterIsr(brokerId, brokerEpoch, asked, epoch + 1);
        bumpIf(outcome.changed());
        return outcome;
    }

    /** Creates a topic without per-topic configs with the default replication factor (tests). */
    public ErrorCode createTopic(String name, int partitions, long nowMs) {
        return createTopic(name, partitions, Map.of(), nowMs);
    }

    /** Creates a topic with the default replication factor (tests). */
    public ErrorCode createTopic(String name, int partitions, Map<String, String> configs, long nowMs) {
        return createTopic(name, partitions, -1, configs, nowMs).error();
    }

    /**
     * Creates a topic over the brokers that may receive new partitions: alive, heard from by a heartbeat since
     * their registration, and within the last half heartbeat timeout (a broker that only registered, or whose
     * heartbeats are late, would leave its partitions offline from the start), placed by {@link ReplicaPlacement}.
     * Every partition starts with all its replicas in sync and the first leading, both epochs 0. Every check (name,
     * partition count, replication factor, configs, existence, limits, such brokers) passes before anything changes.
     *
     * @param partitions        the partition count, or -1 for the configured num.partitions
     * @param replicationFactor copies of each partition, or -1 for {@code default.replication.factor}
     * @param configs           per-topic configs, each checked by {@link TopicConfigs#problem(String, String)}; kept
     *                          as given (valid values are canonical) and shown in every later metadata
     * @return NONE (the state changed), INVALID_TOPIC, INVALID_REQUEST (bad partition count or replication factor,
     *     cluster limit), INVALID_CONFIG (unknown key or bad value: {@link TopicConfigs#problem(Map)} says which),
     *     TOPIC_ALREADY_EXISTS, NO_LIVE_BROKERS (no broker may receive it) or INVALID_REPLICATION_FACTOR (more
     *     replicas than such brokers, with a message naming both)
     */
    public TopicCreation createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
                                    long nowMs) {
        TopicCreation created = topics.createTopic(name, partitions, replicationFactor, configs, nowMs, epoch + 1);
        bumpIf(created.error() == ErrorCode.NONE);
        return created;
    }

    /**
     * Grows a topic's partition count (see {@link TopicCreator#createPartitions}); bumps the epoch when it did.
     * Nothing changes on error.
     */
    public TopicCreation createPartitions(String name, int count, long nowMs) {
        TopicCreation result = topics.createPartitions(name, count, nowMs, epoch + 1);
        bumpIf(result.error() == ErrorCode.NONE);
        return result;
    }

    /**
     * Changes a topic's own configs (see {@link TopicCreator#alterConfigs}); bumps the epoch when it did. Nothing
     * changes on error.
     */
    public TopicCreation alterTopicConfigs(String name, Map<String, String> set, List<String> deleted) {
        TopicCreation result = topics.alterConfigs(name, set, deleted, epoch + 1);
        bumpIf(result.error() == ErrorCode.NONE);
        return result;
    }

    /** Why a topic could not be created now with the default replication factor, or NONE. */
    public ErrorCode validateNewTopic(String name, int partitions, Map<String, String> configs, long nowMs) {
        return validateNewTopic(name, partitions, -1, configs, nowMs).error();
    }

    /** Why a topic could not be created now, or NONE. Does not change anything. */
    public TopicCreation validateNewTopic(String name, int partitions, int replicationFactor,
                                          Map<String, String> configs, long nowMs) {
        return topics.validateNewTopic(name, partitions, replicationFactor, configs, nowMs);
    }

    /**
     * Resolves the topic list of a METADATA request: missing topics are created with num.partitions, {@code
     * default.replication.factor} and no per-topic configs (broker defaults) when both the request and the
     * configuration allow it. Creations of one request share one epoch bump. Topics are created in request order;
     * the first one that cannot be created stops the creation of the ones after it. One refused because the
     * default replication factor exceeds the brokers available is answered UNKNOWN_TOPIC (retriable: brokers may
     * still be starting) and logged at WARN at most every {@value TopicCreator#AUTO_CREATE_WARN_INTERVAL_MS} ms.
     *
     * @param topicNames the topics asked for; empty means all (and creates nothing)
     * @param nowMs      for the choice of brokers, as in {@link #createTopic(String, int, int, Map, long)}
     */
    public TopicLookup lookupTopics(boolean autoCreate, List<String> topicNames, long nowMs) {
        TopicLookup lookup = topics.lookupTopics(autoCreate, topicNames, nowMs, epoch + 1);
        bumpIf(lookup.changed());
        return lookup;
    }

    /**
     * Starts recording every change for {@link #drainChanges}, from the state as it is now (what is on disk). The
     * coordinator server does; simulations and tests that persist nothing need not.
     */
    public void recordChanges() {
        journal = new ChangeJournal(epoch, nextProducerId, brokers.all());
        partitions.recordChangesIn(journal);
    }

    /**
     * The changes since the last call (or {@link #recordChanges}): change-log records and the LEADER_INFO_DELTA of
     * the epochs they span. Call after each event, before its answer is persisted.
     *
     * @throws IllegalStateException before {@link #recordChanges}
     */
    public Changes drainChanges() {
        if (journal == null) {
            throw new IllegalStateException("recordChanges() first");
        }
        return journal.drain(epoch, nextProducerId, partitions, brokers, replication.minInsyncReplicas());
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
        if (error == ErrorCode.NONE) {
            error = offsets.commit(group, topic, partition, offset);
        }
        if (error == ErrorCode.NONE && journal != null) {
            journal.offsetCommitted(new CoordinatorSnapshot.CommittedOffset(group, topic, partition, offset));
        }
        return error;
    }

    /** Groups that have at least one committed offset, sorted. */
    public java.util.SortedSet<String> groupsWithOffsets() {
        return offsets.groups();
    }

    /** Every committed offset of {@code group}, sorted by topic and partition; empty when it has none. */
    public List<CoordinatorSnapshot.CommittedOffset> committedOffsets(String group) {
        return offsets.offsetsOf(group);
    }

    /**
     * Removes every committed offset of {@code group} (the caller checked that the group has no members). Changes
     * persisted state but not the metadata or epoch.
     *
     * @return how many offsets were removed; 0 (nothing changed) when the group had none
     */
    public int deleteGroupOffsets(String group) {
        int removed = offsets.deleteGroup(group);
        if (removed > 0 && journal != null) {
            journal.groupDeleted(group);
        }
        return removed;
    }

    /**
     * Deletes a topic: it leaves the metadata (a LEADER_INFO_DELTA lists it in {@code deleted_topics}), its brokers
     * count its partitions no more, and the committed offsets of its partitions are removed. Bumps the epoch.
     *
     * @return NONE (the state changed), INVALID_TOPIC (not a topic name) or UNKNOWN_TOPIC; nothing changed on error
     */
    public ErrorCode deleteTopic(String name) {
        if (!io.yak.wire.config.TopicNames.isValid(name)) {
            return ErrorCode.INVALID_TOPIC;
        }
        if (!partitions.contains(name)) {
            return ErrorCode.UNKNOWN_TOPIC;
        }
        TopicEntry t = partitions.remove(name);
        List<List<Integer>> replicas = new ArrayList<>(t.partitionCount());
        for (int p = 0; p < t.partitionCount(); p++) {
            replicas.add(t.partition(p).replicas());
            for (int r : t.partition(p).replicas()) {
                BrokerEntry b = brokers.get(r);
                if (b != null) {
                    b.replicaCount--;
                }
            }
        }
        int dropped = offsets.deleteTopic(name);
        bumpEpoch();
        LOG.info("topic {} deleted (topic id {}, {} partitions, replicas {}); {} committed offsets of it dropped; "
            + "epoch {}", name, t.topicId, t.partitionCount(), replicas, dropped, epoch);
        return ErrorCode.NONE;
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
        TopicEntry t = partitions.get(topic);
        if (t == null) {
            return ErrorCode.UNKNOWN_TOPIC;
        }
        if (partition < 0 || partition >= t.partitionCount()) {
            return ErrorCode.UNKNOWN_PARTITION;
        }
        return ErrorCode.NONE;
    }

    /** Everything to persist, as of now. Copies; cost grows with the number of partitions and committed offsets. */
    public CoordinatorSnapshot snapshot() {
        return ClusterSnapshots.take(epoch, nextProducerId, brokers, partitions, offsets);
    }

    /** Bumps the epoch when {@code changed}, so all changes of one call share one bump; returns {@code changed}. */
    private boolean bumpIf(boolean changed) {
        if (changed) {
            bumpEpoch();
        }
        return changed;
    }

    private void bumpEpoch() {
        epoch++;
        List<BrokerInfo> bs = new ArrayList<>(brokers.size());
        for (BrokerEntry b : brokers.all()) {
            bs.add(b.toInfo());
        }
        List<TopicInfo> ts = new ArrayList<>(partitions.size());
        for (TopicEntry t : partitions.all()) {
            ts.add(t.toInfo(replication.minInsyncReplicas()));
        }
        published = new ClusterMetadata(epoch, bs, ts);
        assert invariants.hold() : "cluster state invariant broken at epoch " + epoch;
    }
}
