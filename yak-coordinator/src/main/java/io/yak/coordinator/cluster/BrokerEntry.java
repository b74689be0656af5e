package io.yak.coordinator.cluster;

import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionRef;
import java.util.Set;

/**
 * One broker as the coordinator tracks it. Mutable; owned by the thread that owns the {@link ClusterState}.
 */
final class BrokerEntry {
    /** Connection id of a broker restored from the state file: no connection yet. */
    static final long NO_CONNECTION = 0;
    /** {@link #deadSinceMs} of a broker no liveness check has seen dead yet. */
    static final long DEAD_SINCE_UNSEEN = Long.MIN_VALUE;

    final int id;
    String host;
    int port;
    /** True from registration until the heartbeat timeout; brokers restored from disk start dead. */
    boolean alive;
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
     * How many partitions are assigned to this broker (it holds their only replica). Never decreases (topics are
     * never deleted or moved); a broker is forgotten only while it is 0. Checked against the topics by the
     * cluster state's invariants.
     */
    int replicaCount;
    /** The connection the broker registered on; identifies a second registration as a restart or a clash. */
    long connectionId;
    boolean connectionOpen;
    /**
     * Partitions assigned to this broker that its latest heartbeat lists as ones it cannot serve (the entries that
     * name one of its partitions; others are ignored). Each of them has no leader. Empty while the broker is dead
     * and from each registration that makes it lead its partitions again until its next heartbeat says otherwise.
     * Replaced whole, never changed in place.
     */
    Set<PartitionRef> offline = Set.of();
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

    BrokerInfo toInfo() {
        return new BrokerInfo(id, host, port, alive);
    }
}
