package io.yak.client.admin;

import io.yak.client.TopicPartition;
import java.util.List;
import java.util.Map;

/**
 * A consumer group as {@link YakAdmin#describeGroup} reports it: state ({@code Empty}, {@code PreparingRebalance},
 * {@code CompletingRebalance}, {@code Stable}), protocol type and assignor (null without members), generation,
 * leader, members with their decoded assignments, and committed offsets. Immutable.
 */
public record GroupDescription(String groupId, String state, String protocolType, String protocol, int generation,
                               String leader, List<Member> members, Map<TopicPartition, Long> committedOffsets) {
    public GroupDescription {
        members = List.copyOf(members);
        committedOffsets = Map.copyOf(committedOffsets);
    }

    /**
     * One member.
     *
     * @param assignment its partitions in the current generation, decoded from the consumer protocol's encoding;
     *                   empty before its first sync or when the bytes are not that encoding
     */
    public record Member(String memberId, String groupInstanceId, String clientId, String host,
                         List<TopicPartition> assignment) {
        public Member {
            assignment = List.copyOf(assignment);
        }
    }
}
