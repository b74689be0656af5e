package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;

/**
 * Outcome of a broker registration.
 *
 * @param error       NONE, INVALID_REQUEST or BROKER_ID_IN_USE
 * @param changed     true when the cluster state changed (epoch bumped): persist it and broadcast LEADER_INFO
 * @param brokerEpoch with NONE, the broker epoch of this registration's incarnation; -1 with an error
 */
public record RegisterResult(ErrorCode error, boolean changed, long brokerEpoch) {
}
