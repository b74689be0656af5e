package io.yak.coordinator.cluster;

/**
 * Outcome of a broker heartbeat.
 *
 * @param known   false when the broker is unknown or not alive (declared dead, or the coordinator restarted): it
 *                must register again, and its report was not applied
 * @param changed true when the partitions it reports it cannot serve changed leadership (epoch bumped): persist
 *                the state and broadcast LEADER_INFO
 */
public record HeartbeatResult(boolean known, boolean changed) {
    static final HeartbeatResult UNKNOWN = new HeartbeatResult(false, false);
    static final HeartbeatResult UNCHANGED = new HeartbeatResult(true, false);
    static final HeartbeatResult CHANGED = new HeartbeatResult(true, true);
}
