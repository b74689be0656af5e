package io.yak.faults;

/**
 * The faults the harness injects. Network faults need the run's namespaces; the others work on loopback too.
 * {@code minHoldMs} is how long a fault must last to matter: a broker paused or cut off from the coordinator for
 * less than the heartbeat timeout is never declared dead.
 */
enum FaultKind {
    KILL_LEADER("kill -9 a partition leader, restart it", false, 0),
    KILL_FOLLOWER("kill -9 a follower, restart it", false, 0),
    KILL_COORDINATOR("kill -9 the coordinator, restart it", false, 0),
    PAUSE_BROKER("SIGSTOP a broker past the heartbeat timeout, SIGCONT", false, Cluster.HEARTBEAT_TIMEOUT_MS + 1000),
    ROLLING_RESTART("SIGTERM and restart each broker in turn", false, 0),
    POWER_LOSS("kill -9 a broker, cut its active segments' unforced tails, restart it", false, 0),
    ISOLATE_FROM_COORDINATOR("cut a broker off from the coordinator (not from clients)", true,
        Cluster.HEARTBEAT_TIMEOUT_MS + 1000),
    ISOLATE_LEADER("cut a leader off from its followers", true, Cluster.REPLICA_LAG_TIME_MAX_MS + 1000),
    CUT_CLIENTS_FROM_LEADER("cut the clients off from a leader", true, 0),
    COMBINED("two of the faults above at once", false, 0);

    private final String description;
    private final boolean network;
    private final long minHoldMs;

    FaultKind(String description, boolean network, long minHoldMs) {
        this.description = description;
        this.network = network;
        this.minHoldMs = minHoldMs;
    }

    String description() {
        return description;
    }

    boolean network() {
        return network;
    }

    long minHoldMs() {
        return minHoldMs;
    }

    /** Faults that may run together in a {@link #COMBINED} one: they hold a while and heal independently. */
    boolean combinable() {
        return this != ROLLING_RESTART && this != POWER_LOSS && this != COMBINED;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
