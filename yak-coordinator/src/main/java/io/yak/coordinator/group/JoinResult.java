package io.yak.coordinator.group;

import io.yak.wire.ErrorCode;
import java.util.List;

/**
 * The answer to a join: the generation, the chosen assignor, the leader, the member's id, and for the leader only
 * every member with its subscription bytes for that assignor (the leader computes the assignment).
 */
public record JoinResult(ErrorCode error, int generation, String protocol, String leaderId, String memberId,
                         List<MemberSubscription> members) {
    /** A member as the leader sees it. */
    public record MemberSubscription(String memberId, String instanceId, byte[] metadata) {
    }

    static JoinResult failed(ErrorCode error, String memberId) {
        return new JoinResult(error, -1, null, null, memberId, List.of());
    }
}
