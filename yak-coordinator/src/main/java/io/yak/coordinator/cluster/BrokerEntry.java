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

    final int id;
    String host;
    int port;
    /** True from registration until the heartbeat timeout; brokers restored from disk start dead. */
    boolean alive;
    /** Coordinator clock, in ms, of the last registration or heartbeat. */
    long lastHeartbeatMs;
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
    /** The address of the last registration rejected for this id (id in use), for rate-limiting its log line. */
    String clashAddress;
    /** When that rejection was last logged at WARN, and how many came since. */
    long clashWarnedMs;
    long clashesNotWarned;

    BrokerEntry(int id, String host, int port) {
        this.id = id;
        this.host = host;
        this.port = port;
    }

    boolean sameAddress(String otherHost, int otherPort) {
        return host.equals(otherHost) && port == otherPort;
    }

    String address() {
        return host + ":" + port;
    }

    BrokerInfo toInfo() {
        return new BrokerInfo(id, host, port, alive);
    }
}
