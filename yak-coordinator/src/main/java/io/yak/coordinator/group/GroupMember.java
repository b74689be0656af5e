package io.yak.coordinator.group;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** One member of a {@link ConsumerGroup}; mutable, owned by its group. */
final class GroupMember {
    final String memberId;
    final String instanceId;
    final String clientId;
    final String host;
    final int sessionTimeoutMs;
    final int rebalanceTimeoutMs;
    /** Assignor name to that assignor's subscription bytes, in the member's order of preference. */
    Map<String, byte[]> protocols;
    byte[] assignment = new byte[0];
    long lastSeenMs;
    Consumer<JoinResult> awaitingJoin;
    Consumer<SyncResult> awaitingSync;

    GroupMember(String memberId, String instanceId, String clientId, String host, int sessionTimeoutMs,
                int rebalanceTimeoutMs, Map<String, byte[]> protocols, long nowMs) {
        this.memberId = memberId;
        this.instanceId = instanceId;
        this.clientId = clientId;
        this.host = host;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.rebalanceTimeoutMs = rebalanceTimeoutMs;
        this.protocols = new LinkedHashMap<>(protocols);
        this.lastSeenMs = nowMs;
    }

    /** The same assignors in the same order of preference, whatever the subscriptions. */
    boolean sameAssignors(Map<String, byte[]> other) {
        return protocols.keySet().stream().toList().equals(other.keySet().stream().toList());
    }

    boolean sameProtocols(Map<String, byte[]> other) {
        if (!protocols.keySet().stream().toList().equals(other.keySet().stream().toList())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : protocols.entrySet()) {
            if (!Arrays.equals(e.getValue(), other.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
