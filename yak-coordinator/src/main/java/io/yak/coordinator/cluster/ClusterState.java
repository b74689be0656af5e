package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.coordinator.store.StateRecord;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Codec;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as the coordinator knows it, and the one place that changes it. It orchestrates separate pieces: the
 * brokers ({@link BrokerRegistry}: who may register, incarnations and broker epochs, liveness, forgetting), the
 * topics and their partitions' replication state ({@link PartitionStates}, changed only through the pure rules of
 * {@link Elections}, {@link IsrChanges} and {@link ReplicaPlacement}), what brokers report they cannot serve
 * ({@link OfflineReports}), the cluster epoch, the producer id counter and consumer groups' committed offsets
 * ({@link CommittedOffsets}). Pure logic: no I/O, no Netty, time passed in as {@code nowMs} by the caller (any
 * monotonic millisecond clock). The rules are STATE.md's "Leadership" table.
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
    /** Auto-creation refused for its replication factor is logged at WARN at most this often. */
    static final long AUTO_CREATE_WARN_INTERVAL_MS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final long heartbeatTimeoutMs;
    private final int numPartitions;
    private final boolean autoCreateTopics;
    private final ReplicationSettings replication;
    private final BrokerRegistry brokers;
    private final PartitionStates partitions = new PartitionStates();
    private final CommittedOffsets offsets = new CommittedOffsets();

    /** Grows by exactly one per change of the metadata; never decreases, also across restarts. */
    private long epoch;
    /** The next producer id to hand out; persisted, so ids are never reused across restarts. */
    private long nextProducerId = 1;
    /** When an auto-creation refused for its replication factor was last logged at WARN. */
    private long autoCreateWarnedMs = Long.MIN_VALUE;
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
        this.numPartitions = numPartitions;
        this.autoCreateTopics = autoCreateTopics;
        this.replication = replication;
        this.brokers = new BrokerRegistry(heartbeatTimeoutMs, brokerIds, deadBrokerForgetMs);
    }

    /** {@link #restore(long, int, boolean, BrokerIds, long, ReplicationSettings, CoordinatorSnapshot, long)} (tests). */
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
        for (CoordinatorSnapshot.Broker b : snapshot.brokers()) {
            s.brokers.restore(b.id(), b.host(), b.port(), b.incarnationId(), b.brokerEpoch(), b.alive(), nowMs);
        }
        for (CoordinatorSnapshot.Topic t : snapshot.topics()) {
            List<PartitionState> states = new ArrayList<>(t.partitions().size());
            for (int p = 0; p < t.partitions().size(); p++) {
                states.add(s.restorePartition(t.name(), p, t.partitions().get(p)));
            }
            String configProblem = TopicConfigs.problem(t.configs());
            if (configProblem != null) {
                throw new IllegalStateException("topic " + t.name() + " stored with an invalid config: "
                    + configProblem);
            }
            if (s.partitions.contains(t.name())) {
                throw new IllegalStateException("topic " + t.name() + " stored twice");
            }
            s.partitions.add(new TopicEntry(t.name(), states, t.configs()));
        }
        for (CoordinatorSnapshot.CommittedOffset o : snapshot.offsets()) {
            s.offsets.restore(o);
        }
        s.nextProducerId = snapshot.nextProducerId();
        s.epoch = snapshot.epoch();
        long newEpoch = s.epoch + 1;
        // A consistent file changes nothing here: only a broker broker.ids no longer allows (restored dead) can
        // still lead or be in an ISR, and leaves it as at a death.
        for (BrokerEntry b : s.brokers.all()) {
            if (!b.alive) {
                s.brokerGone(b, "broker " + b.id + " not in broker.ids", newEpoch);
            }
        }
        s.electUncleanIfEnabled(newEpoch);
        s.bumpEpoch();
        s.brokers.warnNotAllowed();
        return s;
    }

    private PartitionState restorePartition(String topic, int p, CoordinatorSnapshot.Partition stored) {
        String problem = CoordinatorSnapshot.Partition.problem(stored.replicas(), stored.isr(), stored.leader(),
            stored.leaderEpoch(), stored.partitionEpoch(), stored.eligibleLeaders());
        if (problem != null) {
            throw new IllegalStateException("partition " + topic + "-" + p + ": " + problem);
        }
        for (int r : stored.replicas()) {
            BrokerEntry replica = brokers.get(r);
            if (replica == null) {
                throw new IllegalStateException("partition " + topic + "-" + p + " has a replica on unknown broker "
                    + r);
            }
            replica.replicaCount++;
        }
        return new PartitionState(stored.replicas(), stored.isr(), stored.leader(), stored.leaderEpoch(),
            stored.partitionEpoch(), stored.eligibleLeaders());
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
        BrokerRegistry.Registration r = brokers.register(id, host, port, incarnationId, connectionId, remote, nowMs);
        if (r.error() != ErrorCode.NONE) {
            return new RegisterResult(r.error(), false, BrokerInfo.NO_EPOCH);
        }
        BrokerEntry b = r.broker();
        long newEpoch = epoch + 1;
        String address = LogText.safe(b.address());
        switch (r.change()) {
            case NONE -> {
                return new RegisterResult(ErrorCode.NONE, false, b.brokerEpoch);
            }
            case NEW -> {
                b.brokerEpoch = newEpoch;
                LOG.info("broker {} registered at {} (new), brokerEpoch {}, epoch {}", id, address, b.brokerEpoch,
                    newEpoch);
            }
            case MOVED -> LOG.info("broker {} moved from {} to {} on the same connection, epoch {}", id,
                LogText.safe(r.oldAddress()), address, newEpoch);
            case RECONNECTED -> {
                if (!r.addressChanged()) {
                    LOG.info("broker {} at {} registered again on a new connection (same incarnation, brokerEpoch "
                        + "{}): nothing changes", id, address, b.brokerEpoch);
                    return new RegisterResult(ErrorCode.NONE, false, b.brokerEpoch);
                }
                LOG.info("broker {} registered again (same incarnation, brokerEpoch {}), moved from {} to {}, "
                    + "epoch {}", id, b.brokerEpoch, LogText.safe(r.oldAddress()), address, newEpoch);
            }
            case RETURNED -> {
                LOG.info("broker {} at {} is back (same incarnation, brokerEpoch {}; was declared dead), epoch {}",
                    id, address, b.brokerEpoch, newEpoch);
                electWhereInIsr(b, "broker " + id + " is back", newEpoch);
            }
            case NEW_INCARNATION -> {
                if (r.wasAlive()) {
                    LOG.info("broker {} restarted (new incarnation at {}): its previous incarnation (brokerEpoch {}) "
                        + "is treated as dead, epoch {}", id, address, b.brokerEpoch, newEpoch);
                    brokerGone(b, "broker " + id + " restarted", newEpoch);
                }
                b.brokerEpoch = newEpoch;
                LOG.info("broker {} registered at {} (new incarnation, was {}, after {} shutdown), brokerEpoch {}, "
                    + "epoch {}", id, address, LogText.safe(r.oldAddress()), cleanShutdown ? "a clean" : "an unclean",
                    b.brokerEpoch, newEpoch);
                if (!cleanShutdown) {
                    withoutUncleanReplica(b, newEpoch);
                }
                electWhereInIsr(b, "broker " + id + " registered", newEpoch);
            }
            default -> throw new IllegalStateException("registration change " + r.change());
        }
        electUncleanIfEnabled(newEpoch);
        bumpEpoch();
        return new RegisterResult(ErrorCode.NONE, true, b.brokerEpoch);
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
        BrokerEntry b = brokers.heartbeat(brokerId, connectionId, nowMs);
        if (b == null) {
            return HeartbeatResult.UNKNOWN;
        }
        boolean firstReport = !b.reportKnown;
        b.reportKnown = true;
        OfflineReports.Change change = OfflineReports.apply(b, offlinePartitions, partitions, nowMs);
        long newEpoch = epoch + 1;
        int changed = 0;
        for (PartitionRef ref : change.listed()) {
            TopicEntry t = partitions.get(ref.topic());
            int p = ref.partition();
            if (partitions.apply(t, p, Elections.withoutBroker(t.partition(p), b.id, canServe(t, p), minIsr(t, p)),
                    "broker " + b.id + " reports it cannot serve it; the reason is in that broker's log", false,
                    newEpoch)) {
                changed++;
            }
        }
        for (PartitionRef ref : change.unlisted()) {
            TopicEntry t = partitions.get(ref.topic());
            int p = ref.partition();
            PartitionState s = t.partition(p);
            if ((s.inIsr(b.id) || s.isEligibleLeader(b.id))
                    && partitions.apply(t, p, Elections.electFromIsr(s, canServe(t, p), minIsr(t, p)),
                    "broker " + b.id + " no longer reports it cannot serve it", false, newEpoch)) {
                changed++;
            }
        }
        if (firstReport) {
            // restored from the state file: now that its list is known, it may lead what has no leader
            changed += electWhereInIsr(b, "broker " + b.id + " heard from after the coordinator's restart",
                newEpoch);
        }
        if (!change.isEmpty() || firstReport) {
            changed += electUncleanIfEnabled(newEpoch);
        }
        if (changed == 0) {
            return HeartbeatResult.UNCHANGED; // nothing listed, or only partitions whose ISR it is not in
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
     * Declares dead every live broker with no registration or heartbeat for longer than the heartbeat timeout (the
     * broker-death rule applies to each: see {@link Elections#withoutBroker}), and forgets brokers that need not be
     * remembered: one just declared dead that never sent a heartbeat since it registered, and one dead for {@code
     * deadBrokerForgetMs}, when it holds no partition. A forgotten broker is gone from the metadata and the state
     * file; it registers again as a new one. Everything one call changes shares one epoch bump.
     *
     * @return true when the state changed (a broker declared dead or forgotten)
     */
    public boolean checkLiveness(long nowMs) {
        List<BrokerEntry> dead = brokers.silent(nowMs);
        long newEpoch = epoch + 1;
        for (BrokerEntry b : dead) {
            LOG.info("broker {} at {} declared dead: no heartbeat for {} ms (heartbeat.timeout.ms {}), epoch {}",
                b.id, LogText.safe(b.address()), nowMs - b.lastHeartbeatMs, heartbeatTimeoutMs, newEpoch);
            brokers.markDead(b); // all of them first: none of them may be elected in place of another
        }
        for (BrokerEntry b : dead) {
            brokerGone(b, "broker " + b.id + " dead", newEpoch);
        }
        for (BrokerEntry b : dead) {
            forgetIfNeverHeard(b, newEpoch);
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
        electUncleanIfEnabled(newEpoch);
        bumpEpoch();
        return true;
    }

    /**
     * A broker that never sent a heartbeat since it registered and holds no partition is forgotten at once when it
     * dies: it never showed it serves anything (issue 19: fake brokers stayed in every metadata).
     */
    private void forgetIfNeverHeard(BrokerEntry b, long newEpoch) {
        if (brokers.forgetIfNeverHeard(b)) {
            LOG.info("broker {} at {} forgotten: no heartbeat since it registered and holds no partition, epoch {}",
                b.id, LogText.safe(b.address()), newEpoch);
        }
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
        BrokerEntry b = brokers.registeredOn(brokerId, connectionId);
        if (b == null) {
            return false;
        }
        long newEpoch = epoch + 1;
        LOG.info("broker {} at {} shut down cleanly: its leaderships move to other in-sync replicas, epoch {}", b.id,
            LogText.safe(b.address()), newEpoch);
        brokers.markDead(b);
        brokerGone(b, "broker " + b.id + " shut down", newEpoch);
        forgetIfNeverHeard(b, newEpoch);
        electUncleanIfEnabled(newEpoch);
        bumpEpoch();
        return true;
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
        long newEpoch = epoch + 1;
        int changed = partitions.applyToAll((t, p, s) -> Elections.electPreferred(s, canServe(t, p),
            minIsr(t, p)),
            "preferred replica back in sync", false, newEpoch);
        if (changed == 0) {
            return false;
        }
        bumpEpoch();
        return true;
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
        BrokerEntry b = brokers.get(brokerId);
        if (b == null || !b.alive) {
            return new AlterIsrOutcome(ErrorCode.UNKNOWN_BROKER, List.of(), false);
        }
        if (b.brokerEpoch != brokerEpoch) {
            return new AlterIsrOutcome(ErrorCode.STALE_BROKER_EPOCH, List.of(), false);
        }
        long newEpoch = epoch + 1;
        List<AlterIsrResult> results = new ArrayList<>(asked.size());
        boolean changed = false;
        for (AlterIsrPartition a : asked) {
            TopicEntry t = partitions.get(a.topic());
            if (t == null || a.partition() < 0 || a.partition() >= t.partitionCount()) {
                results.add(new AlterIsrResult(a.topic(), a.partition(), t == null ? ErrorCode.UNKNOWN_TOPIC
                    : ErrorCode.UNKNOWN_PARTITION, PartitionInfo.NO_LEADER, -1, -1, List.of()));
                continue;
            }
            int p = a.partition();
            IsrChanges.Decision d = IsrChanges.decide(t.partition(p), brokerId, a, canServe(t, p),
                minIsr(t, p));
            if (d.error() == ErrorCode.NONE) {
                changed |= partitions.apply(t, p, d.state(), "asked by leader " + brokerId, false, newEpoch);
            }
            PartitionState s = d.state();
            results.add(new AlterIsrResult(a.topic(), p, d.error(), s.leader(), s.leaderEpoch(), s.partitionEpoch(),
                s.isr()));
        }
        if (changed) {
            bumpEpoch();
        }
        return new AlterIsrOutcome(ErrorCode.NONE, results, changed);
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
        TopicCreation check = validateNewTopic(name, partitions, replicationFactor, configs, nowMs);
        if (check.error() != ErrorCode.NONE) {
            return check;
        }
        addTopic(name, partitions == -1 ? numPartitions : partitions, replicationFactor(replicationFactor), configs,
            epoch + 1, nowMs);
        bumpEpoch();
        return TopicCreation.CREATED;
    }

    /** Why a topic could not be created now with the default replication factor, or NONE. */
    public ErrorCode validateNewTopic(String name, int partitions, Map<String, String> configs, long nowMs) {
        return validateNewTopic(name, partitions, -1, configs, nowMs).error();
    }

    /** Why a topic could not be created now, or NONE. Does not change anything. */
    public TopicCreation validateNewTopic(String name, int partitions, int replicationFactor,
                                          Map<String, String> configs, long nowMs) {
        if (!TopicNames.isValid(name)) {
            return new TopicCreation(ErrorCode.INVALID_TOPIC, null);
        }
        int n = partitions == -1 ? numPartitions : partitions;
        if (n < 1 || n > MAX_PARTITIONS_PER_TOPIC) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, null);
        }
        if (replicationFactor < 1 && replicationFactor != -1) {
            return new TopicCreation(ErrorCode.INVALID_REQUEST, "replication factor " + replicationFactor
                + " (1.." + ReplicationSettings.MAX_REPLICATION_FACTOR + ", or -1 for "
                + ReplicationSettings.DEFAULT_REPLICATION_FACTOR + " " + replication.defaultReplicationFactor()
                + ")");
        }
        if (TopicConfigs.problem(configs) != null) {
            return new TopicCreation(ErrorCode.INVALID_CONFIG, null);
        }
        if (this.partitions.contains(name)) {
            return new TopicCreation(ErrorCode.TOPIC_ALREADY_EXISTS, null);
        }
        if (this.partitions.totalPartitions() + n > MAX_TOTAL_PARTITIONS) {
            LOG.warn("rejecting topic {} with {} partitions: cluster has {} of at most {} partitions", name, n,
                this.partitions.totalPartitions(), MAX_TOTAL_PARTITIONS);
            return new TopicCreation(ErrorCode.INVALID_REQUEST, null);
        }
        List<BrokerEntry> eligible = brokers.eligibleForNewPartitions(nowMs);
        if (eligible.isEmpty()) {
            return new TopicCreation(ErrorCode.NO_LIVE_BROKERS, null);
        }
        int rf = replicationFactor(replicationFactor);
        if (rf > eligible.size()) {
            return new TopicCreation(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor " + rf + " > "
                + eligible.size() + " brokers available (ids " + PartitionStates.ids(ids(eligible)) + ")");
        }
        return TopicCreation.CREATED;
    }

    private int replicationFactor(int asked) {
        return asked == -1 ? replication.defaultReplicationFactor() : asked;
    }

    private static List<Integer> ids(List<BrokerEntry> bs) {
        List<Integer> ids = new ArrayList<>(bs.size());
        for (BrokerEntry b : bs) {
            ids.add(b.id);
        }
        return ids;
    }

    private void addTopic(String name, int count, int replicationFactor, Map<String, String> configs, long newEpoch,
                          long nowMs) {
        List<BrokerEntry> eligible = brokers.eligibleForNewPartitions(nowMs);
        Map<Integer, Integer> load = new HashMap<>(partitions.leaderCounts());
        for (BrokerEntry b : eligible) {
            load.merge(b.id, b.offline.size(), Integer::sum); // a failing broker is not preferred
        }
        List<List<Integer>> placed = ReplicaPlacement.place(count, replicationFactor, ids(eligible), load);
        List<PartitionState> states = new ArrayList<>(count);
        for (List<Integer> replicas : placed) {
            states.add(PartitionState.initial(replicas));
            for (int r : replicas) {
                brokers.get(r).replicaCount++;
            }
        }
        TopicEntry t = new TopicEntry(name, states, configs);
        partitions.add(t);
        List<String> replicaLists = new ArrayList<>(count);
        for (List<Integer> replicas : placed) {
            replicaLists.add(PartitionStates.ids(replicas));
        }
        LOG.info("topic {} created with {} partitions, replication factor {}, configs {}, replicas {} (the first "
            + "leads, all in sync, leaderEpoch 0, partitionEpoch 0), epoch {}", name, count, replicationFactor,
            t.configs, replicaLists, newEpoch);
    }

    /**
     * Resolves the topic list of a METADATA request: missing topics are created with num.partitions, {@code
     * default.replication.factor} and no per-topic configs (broker defaults) when both the request and the
     * configuration allow it. Creations of one request share one epoch bump. Topics are created in request order;
     * the first one that cannot be created stops the creation of the ones after it. One refused because the
     * default replication factor exceeds the brokers available is answered UNKNOWN_TOPIC (retriable: brokers may
     * still be starting) and logged at WARN at most every {@value #AUTO_CREATE_WARN_INTERVAL_MS} ms.
     *
     * @param topicNames the topics asked for; empty means all (and creates nothing)
     * @param nowMs      for the choice of brokers, as in {@link #createTopic(String, int, int, Map, long)}
     */
    public TopicLookup lookupTopics(boolean autoCreate, List<String> topicNames, long nowMs) {
        Set<String> created = new LinkedHashSet<>();
        Set<String> unknown = new LinkedHashSet<>();
        ErrorCode createError = ErrorCode.NONE;
        String createErrorTopic = null;
        String createErrorMessage = null;
        boolean create = autoCreate && autoCreateTopics;
        long newEpoch = epoch + 1;
        for (String name : topicNames) {
            if (partitions.contains(name) || created.contains(name) || unknown.contains(name)) {
                continue;
            }
            if (create && createError == ErrorCode.NONE) {
                TopicCreation c = validateNewTopic(name, numPartitions, -1, Map.of(), nowMs);
                if (c.error() == ErrorCode.NONE) {
                    addTopic(name, numPartitions, replication.defaultReplicationFactor(), Map.of(), newEpoch, nowMs);
                    created.add(name);
                    continue;
                }
                createError = c.error();
                createErrorTopic = name;
                createErrorMessage = c.message();
            }
            unknown.add(name);
        }
        if (!created.isEmpty()) {
            bumpEpoch();
        }
        if (createError == ErrorCode.INVALID_REPLICATION_FACTOR) {
            String message = "cannot create topic '" + createErrorTopic + "' yet: " + createErrorMessage + " ("
                + ReplicationSettings.DEFAULT_REPLICATION_FACTOR + "); unknown topics " + unknown;
            if (nowMs - autoCreateWarnedMs >= AUTO_CREATE_WARN_INTERVAL_MS || autoCreateWarnedMs == Long.MIN_VALUE) {
                autoCreateWarnedMs = nowMs;
                LOG.warn("{} (logged at most every {} s)", message, AUTO_CREATE_WARN_INTERVAL_MS / 1000);
            } else {
                LOG.debug(message);
            }
            return new TopicLookup(ErrorCode.UNKNOWN_TOPIC, message, List.copyOf(created));
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
        List<CoordinatorSnapshot.Broker> bs = new ArrayList<>(brokers.size());
        for (BrokerEntry b : brokers.all()) {
            bs.add(new CoordinatorSnapshot.Broker(b.id, b.host, b.port, b.incarnationId, b.brokerEpoch, b.alive));
        }
        List<CoordinatorSnapshot.Topic> ts = new ArrayList<>(partitions.size());
        for (TopicEntry t : partitions.all()) {
            List<CoordinatorSnapshot.Partition> ps = new ArrayList<>(t.partitionCount());
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionState s = t.partition(p);
                ps.add(new CoordinatorSnapshot.Partition(s.replicas(), s.isr(), s.leader(), s.leaderEpoch(),
                    s.partitionEpoch(), s.eligibleLeaders()));
            }
            ts.add(new CoordinatorSnapshot.Topic(t.name, ps, t.configs));
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, bs, ts, offsets.snapshot());
    }

    /**
     * Whether a broker could lead partition p of t now, or join its ISR: alive, its list of partitions it cannot
     * serve known (not a broker restored from the state file before its first heartbeat) and without this one.
     */
    private IntPredicate canServe(TopicEntry t, int p) {
        return id -> {
            BrokerEntry b = brokers.get(id);
            return b != null && b.alive && b.reportKnown
                && (b.offline.isEmpty() || !b.offline.contains(new PartitionRef(t.name, p)));
        };
    }

    /**
     * The broker-death rule for broker {@code b} on every partition (it died, shut down, or its incarnation ended:
     * then it is still alive, and the rule itself never elects it).
     *
     * @return how many partitions changed
     */
    private int brokerGone(BrokerEntry b, String why, long newEpoch) {
        return partitions.applyToAll((t, p, s) -> Elections.withoutBroker(s, b.id, canServe(t, p), minIsr(t, p)),
            why, false, newEpoch);
    }

    /**
     * Clean elections of the offline partitions that have broker {@code b} in their ISR or eligible leaders, now
     * that it can serve.
     *
     * @return how many partitions got a leader
     */
    private int electWhereInIsr(BrokerEntry b, String why, long newEpoch) {
        return partitions.applyToAll((t, p, s) -> s.online() || !s.inIsr(b.id) && !s.isEligibleLeader(b.id) ? s
            : Elections.electFromIsr(s, canServe(t, p), minIsr(t, p)), why, false, newEpoch);
    }

    /**
     * A new incarnation of {@code b} that registered after an unclean shutdown stops being a candidate of the
     * offline partitions that have another one (see {@link Elections#withoutUncleanReplica}); then those partitions
     * are elected again, as its leaving may leave an eligible leader that can serve first in line.
     *
     * @return how many partitions changed
     */
    private int withoutUncleanReplica(BrokerEntry b, long newEpoch) {
        String why = "broker " + b.id + " registered after an unclean shutdown: records it had not flushed may be "
            + "gone, so another in-sync or eligible replica leads";
        int changed = partitions.applyToAll((t, p, s) -> Elections.withoutUncleanReplica(s, b.id), why, false,
            newEpoch);
        if (changed > 0) {
            changed += partitions.applyToAll((t, p, s) -> Elections.electFromIsr(s, canServe(t, p), minIsr(t, p)),
                why, false, newEpoch);
        }
        for (TopicEntry t : partitions.all()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionState s = t.partition(p);
                if (!s.online() && (s.inIsr(b.id) || s.isEligibleLeader(b.id))
                        && s.isr().size() + s.eligibleLeaders().size() == 1) {
                    LOG.warn("partition {}-{}: broker {} registered after an unclean shutdown and is its only "
                        + "candidate left; it may lead again, and records it lost from its unflushed tail are lost",
                        t.name, p, b.id);
                }
            }
        }
        return changed;
    }

    /**
     * Partition p's {@code min.insync.replicas}: the topic's config, else the cluster's, capped at its replica
     * count as leaders cap it (so the eligible-leader rule and the leaders' high watermark rule agree).
     */
    private int minIsr(TopicEntry t, int p) {
        long configured = t.longConfig(TopicConfigs.MIN_INSYNC_REPLICAS, replication.minInsyncReplicas());
        return (int) Math.min(configured, t.partition(p).replicas().size());
    }

    /**
     * With {@code unclean.leader.election.enable}, gives every offline partition none of whose ISR members can serve
     * to the first replica that can (WARN: records only the ISR had are lost). Runs after every change of who can
     * serve what.
     *
     * @return how many partitions got a leader
     */
    private int electUncleanIfEnabled(long newEpoch) {
        if (!replication.uncleanLeaderElectionEnable()) {
            return 0;
        }
        return partitions.applyToAll((t, p, s) -> Elections.electUnclean(s, canServe(t, p)),
            "unclean.leader.election.enable", true, newEpoch);
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
        assert invariantsHold() : "cluster state invariant broken at epoch " + epoch;
    }

    /**
     * Across brokers and partitions (each partition's own invariants hold by construction, see {@link
     * PartitionState}): every replica is a known broker and each broker's replica count is the number of partitions
     * it holds a replica of (so one is forgotten only when it holds none); a led partition's leader and ISR members
     * are alive and do not report it; an offline partition has no ISR member that could lead it (else the election
     * rules missed it), nor, with unclean election on, any replica that could; a broker reports only partitions it
     * holds a replica of, and only while alive.
     */
    private boolean invariantsHold() {
        Map<Integer, Integer> replicaCounts = partitions.replicaCounts();
        for (TopicEntry t : partitions.all()) {
            for (int p = 0; p < t.partitionCount(); p++) {
                PartitionState s = t.partition(p);
                IntPredicate can = canServe(t, p);
                for (int r : s.replicas()) {
                    if (brokers.get(r) == null) {
                        LOG.error("partition {}-{} has a replica on broker {}, which is not known", t.name, p, r);
                        return false;
                    }
                }
                PartitionRef ref = new PartitionRef(t.name, p);
                for (int r : s.isr()) {
                    BrokerEntry b = brokers.get(r);
                    boolean serving = b.alive && !b.offline.contains(ref);
                    if (s.online() && !serving || !s.online() && can.test(r)) {
                        LOG.error("partition {}-{} {}: isr member {} alive {} reports offline {}", t.name, p, s, r,
                            b.alive, b.offline);
                        return false;
                    }
                }
                for (int r : s.eligibleLeaders()) {
                    if (!s.online() && can.test(r)) {
                        LOG.error("partition {}-{} {} offline with eligible leader {} that can lead", t.name, p, s, r);
                        return false;
                    }
                }
                if (!s.online() && replication.uncleanLeaderElectionEnable()
                        && s.replicas().stream().anyMatch(can::test)) {
                    LOG.error("partition {}-{} {} offline with a replica that can lead and unclean election on",
                        t.name, p, s);
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
                TopicEntry t = partitions.get(ref.topic());
                if (!b.alive || t == null || !t.partition(ref.partition()).isReplica(b.id)) {
                    LOG.error("broker {} (alive {}) reports offline {}, not one of its partitions", b.id, b.alive, ref);
                    return false;
                }
            }
        }
        return true;
    }
}
