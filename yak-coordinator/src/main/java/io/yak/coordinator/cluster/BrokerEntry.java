package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionRef;
import java.util.Set;

/**
 * One broker as the coordinator tracks it. Mutable; owned by the thread that owns the {@link ClusterState}.
 */
final class BrokerEntry {
    /** Connection id of a broker restored from the state file: no connection yet. */
    static final long NO_CONNECTION = 0;
    /** {@link #brokerEpoch} of a broker with no registration known (restored from a version 1 or 2 state file). */
    static final long NO_EPOCH = BrokerInfo.NO_EPOCH;
    /** {@link #deadSinceMs} of a broker no liveness check has seen dead yet. */
    static final long DEAD_SINCE_UNSEEN = Long.MIN_VALUE;

    final int id;
    String host;
    int port;
    /**
     * True from registration until the heartbeat timeout or a clean shutdown. A broker restored from the state file
     * is alive when it was when the file was written, until the heartbeat timeout counted from the coordinator's
     * start (it keeps serving meanwhile, and registers again with the same incarnation).
     */
    boolean alive;
    /**
     * The random id the broker process chose at its start ({@code REGISTER_BROKER_REQUEST.incarnation_id}): the
     * same id again is the same process (its connection dropped, the coordinator restarted), another id a new process
     * whose predecessor is treated as dead first. Meaningless while {@link #brokerEpoch} is {@link #NO_EPOCH}.
     */
    long incarnationId;
    /**
     * The epoch of this incarnation's registration: the cluster epoch its first registration bumped to, so it is
     * larger than every broker epoch given before. Kept while the broker is dead (the same incarnation may come
     * back); {@link #NO_EPOCH} when no incarnation is known. Leaders refuse replica fetches and the coordinator
     * refuses ALTER_ISR carrying another one.
     */
    long brokerEpoch = NO_EPOCH;
    /** Coordinator clock, in ms, of the last registration or heartbeat. */
    long lastHeartbeatMs;
    /**
     * Whether a heartbeat came on the current registration: false from each registration until its first heartbeat.
     * A broker never heard from this way gets no new partitions, and is forgotten when it dies holding none.
     */
    boolean heardSinceRegistration;
    /**
     * Coordinator clock, in ms, from which this dead broker counts as dead for {@code dead.broker.forget.ms};
     * {@link #DEAD_SINCE_UNSEEN} until the first liveness check after its death (or after a coordinator restart:
     * the time of death is not stored). Meaningless while alive.
     */
    long deadSinceMs = DEAD_SINCE_UNSEEN;
    /**
     * How many partitions this broker is a replica of. Never decreases (topics are never deleted, replicas never
     * moved); a broker is forgotten only while it is 0 (a replica's data may be the only copy left). Checked against
     * the topics by the cluster state's invariants.
     */
    int replicaCount;
    /** The connection the broker registered on; identifies a second registration as a restart or a clash. */
    long connectionId;
    boolean connectionOpen;
    /**
     * Partitions this broker is a replica of that its latest heartbeat lists as ones it cannot serve (the entries
     * that name one of its partitions; others are ignored). It neither leads them nor is in their ISR while they
     * have a leader, and it cannot join their ISR. Empty while the broker is dead and from each new incarnation's
     * registration until its next heartbeat says otherwise. Replaced whole, never changed in place.
     */
    Set<PartitionRef> offline = Set.of();
    /**
     * Whether {@link #offline} is this broker's current list: false for a broker restored alive from the state file
     * (the list is not stored) until its first heartbeat. Until then it keeps what it leads and the ISRs it is in,
     * but is neither elected nor added anywhere: it may not be able to serve what it would get.
     */
    boolean reportKnown = true;
    /** The ignored entries of the last heartbeat logged at WARN, for rate-limiting that line, and the repeats since. */
    String ignoredReport;
    long ignoredWarnedMs;
    long ignoredNotWarned;

    BrokerEntry(int id, String host, int port) {
        this.id = id;
        this.host = host;
        this.port = port;
    }

    boolean sameAddress(String otherHost, int otherPort) {
        return host.equals(otherHost) && port == otherPort;
    }

    /** host:port as advertised; the host may come from an old state file, so escape it before logging. */
    String address() {
        return host + ":" + port;
    }

    /** The broker as the state file and the change log store it. */
    CoordinatorSnapshot.Broker toStored() {
        return new CoordinatorSnapshot.Broker(id, host, port, incarnationId, brokerEpoch, alive);
    }

    BrokerInfo toInfo() {
        return new BrokerInfo(id, host, port, alive, alive ? brokerEpoch : NO_EPOCH);
    }
}
