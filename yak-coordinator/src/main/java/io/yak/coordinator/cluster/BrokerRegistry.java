package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.message.Codec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The brokers the coordinator knows, and the rules of their membership: who may register (an id in
 * {@code broker.ids}, a sane address, no live broker holding the id), liveness (registration, heartbeats, silence),
 * which brokers may receive new partitions, and when a dead one is forgotten. It knows no topics or leaders: the
 * {@link BrokerLifecycle} applies what follows from these decisions for leadership and logs them with the epoch the
 * {@link ClusterState} bumps to; this class logs only refusals, rate-limited per remote address ({@link
 * RegistrationRefusals}, under the logger name of {@link ClusterState}), and stored brokers that {@code broker.ids}
 * no longer lists.
 *
 * <p>Every refusal is decided before anything changes: a refused registration changes nothing. Not thread-safe:
 * owned by the thread that owns the {@link ClusterState}; time is passed in as {@code nowMs}.
 */
final class BrokerRegistry {
    /** Bound on known brokers (the wire's element count limit). */
    static final int MAX_BROKERS = Codec.MAX_COUNT;
    /** Longest advertised broker host name, in chars. */
    static final int MAX_HOST_LENGTH = 255;
    /** {@code dead.broker.forget.ms} value that keeps dead brokers for ever. */
    static final long FORGET_NEVER = -1;

    private static final Logger LOG = LoggerFactory.getLogger(BrokerRegistry.class);
    /**
     * An advertised host: a DNS name (letters, digits, '-', '.', and '_' as some container names have), or an IPv4
     * or IPv6 literal (':', '%' for a zone, brackets). No space, no control character: the host goes into every
     * client's metadata and into log lines.
     */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\[\\]-]{1," + MAX_HOST_LENGTH + "}");

    private final long heartbeatTimeoutMs;
    private final BrokerIds allowed;
    private final long deadBrokerForgetMs;
    /** Refusals are logged under ClusterState's name, as they always were: operators' log filters keep working. */
    private final RegistrationRefusals refusals = new RegistrationRefusals(LoggerFactory.getLogger(ClusterState.class));
    /** By id; sorted so metadata lists brokers in id order. */
    private final TreeMap<Integer, BrokerEntry> brokers = new TreeMap<>();

    /**
     * @param allowed            ids that may register ({@code broker.ids})
     * @param deadBrokerForgetMs a dead broker holding no partition is forgotten after this long; {@link
     *                           #FORGET_NEVER} keeps it
     */
    BrokerRegistry(long heartbeatTimeoutMs, BrokerIds allowed, long deadBrokerForgetMs) {
        if (heartbeatTimeoutMs <= 0 || allowed == null || (deadBrokerForgetMs < 0
                && deadBrokerForgetMs != FORGET_NEVER)) {
            throw new IllegalArgumentException("heartbeatTimeoutMs " + heartbeatTimeoutMs + ", allowed " + allowed
                + ", deadBrokerForgetMs " + deadBrokerForgetMs);
        }
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        this.allowed = allowed;
        this.deadBrokerForgetMs = deadBrokerForgetMs;
    }

    /** What a registration changed. */
    enum Change {
        /** Refused, or a repeat on the broker's own connection: nothing the metadata shows changed. */
        NONE,
        /** An id never seen (or forgotten): a new, alive broker. */
        NEW,
        /** A live broker registered again on its connection with another address. */
        MOVED,
        /**
         * The same incarnation, alive, registered on a new connection (its connection dropped, or the coordinator
         * restarted): changes no leadership; the metadata changes only when its address did.
         */
        RECONNECTED,
        /** The same incarnation, declared dead meanwhile, is alive again. */
        RETURNED,
        /**
         * A new incarnation (a restarted process) of a known broker: the old one is treated as dead first (when it
         * was alive), then the new one gets a new broker epoch.
         */
        NEW_INCARNATION
    }

    /**
     * Outcome of {@link #register}.
     *
     * @param error      NONE, INVALID_REQUEST (bad id or address, id not in broker.ids, too many brokers) or
     *                   BROKER_ID_IN_USE
     * @param change     what the registration changed (NONE also for every refusal)
     * @param broker     the broker registered (null when refused)
     * @param oldAddress its address before, for the log
     * @param wasAlive   whether it was alive before this registration
     */
    record Registration(ErrorCode error, Change change, BrokerEntry broker, String oldAddress, boolean wasAlive) {
        static Registration refused(ErrorCode error) {
            return new Registration(error, Change.NONE, null, null, false);
        }

        boolean addressChanged() {
            return oldAddress != null && !oldAddress.equals(broker.address());
        }
    }

    /**
     * A broker announces itself (first start, restart, reconnection, or return after being declared dead). Refused,
     * changing nothing, when the id is negative or not in {@code broker.ids}, the address is not a sane host and
     * port, the registry is full, or the id belongs to another live process: a second process with the same id is
     * refused, even with the same address (two brokers both advertising {@code localhost:9092}, say), as Kafka
     * refuses a broker id whose session is still alive. Accepted when the id is new, when the broker is dead, when it
     * registers again on the same connection, when the same incarnation registers again from the same address (the
     * same process: its connection dropped), or when its previous registration is over: its connection closed (a
     * process that exited, even by {@code kill -9}), or, from the same host:port, silent for half the heartbeat
     * timeout (a restart after the host or the network lost the old connection without closing it). Each refusal is
     * logged, at most once per remote address per minute at WARN. The broker epoch of a new incarnation is set by
     * the caller, which knows the cluster epoch.
     *
     * @param incarnationId the process's random id ({@code REGISTER_BROKER_REQUEST.incarnation_id})
     * @param connectionId  identifies the connection it registered on (any value but 0)
     * @param remote        the peer's socket address, for the log (only its IP counts: see {@link #remoteKey})
     */
    Registration register(int id, String host, int port, long incarnationId, long connectionId, SocketAddress remote,
                          long nowMs) {
        String problem = addressProblem(id, host, port);
        if (problem == null && !allowed.allows(id)) {
            problem = "broker id " + id + " is not in broker.ids " + allowed;
        }
        BrokerEntry b = problem == null ? brokers.get(id) : null;
        if (problem == null && b == null && brokers.size() >= MAX_BROKERS) {
            problem = brokers.size() + " brokers known already (at most " + MAX_BROKERS + ")";
        }
        if (problem != null) {
            refusals.refused(remoteKey(remote), id, host, port, problem, nowMs);
            return Registration.refused(ErrorCode.INVALID_REQUEST);
        }
        if (b == null) {
            b = new BrokerEntry(id, host, port);
            b.incarnationId = incarnationId;
            brokers.put(id, b);
            attach(b, connectionId, nowMs);
            return new Registration(ErrorCode.NONE, Change.NEW, b, null, false);
        }
        boolean sameIncarnation = b.brokerEpoch != BrokerEntry.NO_EPOCH && b.incarnationId == incarnationId;
        if (b.alive && b.connectionId == connectionId && sameIncarnation) {
            // A repeat on its own connection (a registration in flight twice): proof of life, not a heartbeat.
            b.lastHeartbeatMs = nowMs;
            if (b.sameAddress(host, port)) {
                return new Registration(ErrorCode.NONE, Change.NONE, b, b.address(), true);
            }
            String old = b.address();
            b.host = host;
            b.port = port;
            return new Registration(ErrorCode.NONE, Change.MOVED, b, old, true);
        }
        boolean sameProcess = sameIncarnation && b.sameAddress(host, port);
        if (b.alive && b.connectionOpen && b.connectionId != connectionId
            && (!b.sameAddress(host, port) || (!sameProcess && nowMs - b.lastHeartbeatMs < heartbeatTimeoutMs / 2))) {
            refusals.refused(remoteKey(remote), id, host, port, clash(b, host, port, nowMs), nowMs);
            return Registration.refused(ErrorCode.BROKER_ID_IN_USE);
        }
        boolean wasAlive = b.alive;
        String old = b.address();
        b.host = host;
        b.port = port;
        attach(b, connectionId, nowMs);
        if (sameIncarnation) {
            // The same process. Alive, it keeps its view, including the partitions it reported it cannot serve.
            // Declared dead, that list was cleared: it is elected nowhere until its next heartbeat brings it again.
            if (!wasAlive) {
                b.reportKnown = false;
            }
            return new Registration(ErrorCode.NONE, wasAlive ? Change.RECONNECTED : Change.RETURNED, b, old,
                wasAlive);
        }
        // A new process opens its logs afresh: its next heartbeat (sent right after the registration) names the
        // partitions it cannot serve.
        b.incarnationId = incarnationId;
        b.offline = Set.of();
        b.reportKnown = true;
        return new Registration(ErrorCode.NONE, Change.NEW_INCARNATION, b, old, wasAlive);
    }

    /** Why this id and address cannot be a broker's, or null when they can. */
    private static String addressProblem(int id, String host, int port) {
        if (id < 0) {
            return "invalid broker id " + id;
        }
        if (host == null || !HOST.matcher(host).matches()) {
            return "invalid host (1.." + MAX_HOST_LENGTH + " letters, digits and . - _ : % [ ])";
        }
        if (port < 1 || port > 65535) {
            return "invalid port " + port;
        }
        return null;
    }

    private static String clash(BrokerEntry b, String host, int port, long nowMs) {
        String why = b.sameAddress(host, port)
            ? " on another connection, heard from " + (nowMs - b.lastHeartbeatMs) + " ms ago (a second process with "
                + "this id and address? A restart is accepted once the old connection closes or stays silent for half "
                + "the heartbeat timeout)"
            : "";
        return "id in use by live broker at " + LogText.safe(b.address()) + why;
    }

    private static void attach(BrokerEntry b, long connectionId, long nowMs) {
        b.alive = true;
        b.lastHeartbeatMs = nowMs;
        b.heardSinceRegistration = false;
        b.connectionId = connectionId;
        b.connectionOpen = true;
    }

    /**
     * The key a refusal is counted under: the peer's IP (no port: a peer that reconnects is the same peer), never
     * resolved; the text of any other kind of address, escaped.
     */
    static String remoteKey(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            InetAddress ip = inet.getAddress();
            return ip != null ? ip.getHostAddress() : LogText.safe(inet.getHostString());
        }
        return remote == null ? "unknown address" : LogText.safe(remote.toString());
    }

    /**
     * A heartbeat on {@code connectionId}: the broker is heard from now.
     *
     * @return the broker, or null (nothing changed) when it is unknown, not alive, or registered on another
     *     connection
     */
    BrokerEntry heartbeat(int brokerId, long connectionId, long nowMs) {
        BrokerEntry b = registeredOn(brokerId, connectionId);
        if (b != null) {
            b.lastHeartbeatMs = nowMs;
            b.heardSinceRegistration = true;
        }
        return b;
    }

    /** The broker, when it is alive and registered on {@code connectionId}; else null (unknown, dead, or stale). */
    BrokerEntry registeredOn(int brokerId, long connectionId) {
        BrokerEntry b = brokers.get(brokerId);
        return b != null && b.alive && b.connectionId == connectionId ? b : null;
    }

    /** A connection closed: another process may now register with the id of a broker registered on it. */
    void connectionClosed(long connectionId) {
        for (BrokerEntry b : brokers.values()) {
            if (b.connectionId == connectionId) {
                b.connectionOpen = false;
            }
        }
    }

    /** Every live broker is taken as heard from at most half a heartbeat timeout ago. See ClusterState. */
    void forgiveSilence(long nowMs) {
        long heardBy = nowMs - heartbeatTimeoutMs / 2;
        for (BrokerEntry b : brokers.values()) {
            if (b.alive && b.lastHeartbeatMs < heardBy) {
                b.lastHeartbeatMs = heardBy;
            }
        }
    }

    /** Live brokers with no registration or heartbeat for longer than the heartbeat timeout. Changes nothing. */
    List<BrokerEntry> silent(long nowMs) {
        List<BrokerEntry> silent = new ArrayList<>();
        for (BrokerEntry b : brokers.values()) {
            if (b.alive && nowMs - b.lastHeartbeatMs > heartbeatTimeoutMs) {
                silent.add(b);
            }
        }
        return silent;
    }

    /** The broker is dead from now on (timeout or clean shutdown); the caller takes its partitions offline. */
    void markDead(BrokerEntry b) {
        b.alive = false;
        b.offline = Set.of(); // it serves nothing now; a registration starts its report afresh
        b.reportKnown = true;
        b.deadSinceMs = BrokerEntry.DEAD_SINCE_UNSEEN;
    }

    /**
     * Forgets a broker that just died without a heartbeat since it registered and holds no partition: a process
     * that registered and never proved it serves (issue 19: a fuzzer left ~790 such brokers in every metadata).
     *
     * @return whether it was forgotten
     */
    boolean forgetIfNeverHeard(BrokerEntry b) {
        if (b.alive || b.heardSinceRegistration || b.replicaCount != 0
                || b.connectionId == BrokerEntry.NO_CONNECTION) {
            return false; // (one restored alive that never registered again served before the restart)
        }
        brokers.remove(b.id);
        return true;
    }

    /**
     * Starts the dead clock of brokers no check has seen dead yet, and forgets those dead for {@code
     * dead.broker.forget.ms} that hold no partition (a broker that holds a replica may hold the only copy left of
     * some records: it is kept for ever).
     *
     * @return the brokers forgotten, in id order
     */
    List<BrokerEntry> forgetLongDead(long nowMs) {
        List<BrokerEntry> forgotten = List.of();
        for (Iterator<BrokerEntry> it = brokers.values().iterator(); it.hasNext(); ) {
            BrokerEntry b = it.next();
            if (b.alive) {
                continue;
            }
            if (b.deadSinceMs == BrokerEntry.DEAD_SINCE_UNSEEN) {
                b.deadSinceMs = nowMs;
            }
            if (b.replicaCount == 0 && deadBrokerForgetMs != FORGET_NEVER
                    && nowMs - b.deadSinceMs >= deadBrokerForgetMs) {
                if (forgotten.isEmpty()) {
                    forgotten = new ArrayList<>();
                }
                forgotten.add(b);
                it.remove();
            }
        }
        return forgotten;
    }

    long deadBrokerForgetMs() {
        return deadBrokerForgetMs;
    }

    /**
     * Brokers a new partition may be placed on: alive, heard from by a heartbeat since their registration (a real
     * broker sends one right after registering), and within the last half heartbeat timeout. A broker that only
     * registered, or whose heartbeats are late, would leave the partition offline from its creation.
     */
    List<BrokerEntry> eligibleForNewPartitions(long nowMs) {
        List<BrokerEntry> eligible = new ArrayList<>();
        for (BrokerEntry b : brokers.values()) {
            if (b.alive && b.heardSinceRegistration && nowMs - b.lastHeartbeatMs <= heartbeatTimeoutMs / 2) {
                eligible.add(b);
            }
        }
        return eligible;
    }

    /**
     * A broker from the state file. One stored alive (and still in {@code broker.ids}) is alive now, heard from at
     * {@code nowMs}: it has the whole heartbeat timeout from the coordinator's start to register again; the others
     * are dead until they register.
     *
     * @param brokerEpoch {@link BrokerEntry#NO_EPOCH} when no incarnation is known (version 1 and 2 files): the
     *                    broker is then dead, and its next registration is a new incarnation
     * @throws IllegalStateException when the id is stored twice
     */
    void restore(int id, String host, int port, long incarnationId, long brokerEpoch, boolean alive, long nowMs) {
        BrokerEntry b = new BrokerEntry(id, host, port);
        b.incarnationId = incarnationId;
        b.brokerEpoch = brokerEpoch;
        b.alive = alive && brokerEpoch != BrokerEntry.NO_EPOCH && allowed.allows(id);
        b.lastHeartbeatMs = nowMs;
        b.reportKnown = !b.alive;
        if (brokers.put(id, b) != null) {
            throw new IllegalStateException("broker " + id + " stored twice");
        }
    }

    /** Logs the stored brokers that {@code broker.ids} no longer lets register: they stay dead. */
    void warnNotAllowed() {
        List<Integer> refused = new ArrayList<>();
        for (BrokerEntry b : brokers.values()) {
            if (!allowed.allows(b.id)) {
                refused.add(b.id);
            }
        }
        if (!refused.isEmpty()) {
            LOG.warn("broker(s) {} of the state file are not in broker.ids {}: they stay dead and cannot register "
                + "(one without partitions is forgotten after dead.broker.forget.ms)",
                refused, allowed);
        }
    }

    BrokerEntry get(int id) {
        return brokers.get(id);
    }

    /** Every known broker, in id order; unmodifiable view. */
    Collection<BrokerEntry> all() {
        return Collections.unmodifiableCollection(brokers.values());
    }

    int size() {
        return brokers.size();
    }
}
