package io.yak.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderReplicasTest {
    private static final long LAG_MS = 1000;

    private static PartitionInfo info(int partitionEpoch, List<Integer> isr) {
        return new PartitionInfo(0, 1, 3, partitionEpoch, List.of(1, 2, 3), isr);
    }

    @Test
    void shouldKeepTheHighWatermarkAtTheSlowestInSyncReplica() {
        LeaderReplicas r = new LeaderReplicas(info(0, List.of(1, 2, 3)), 1, 0, 0);
        assertThat(r.highWatermark(10, 2)).as("followers not heard from yet").isEqualTo(LeaderReplicas.UNKNOWN);
        r.onFetch(2, 10, 10, 5);
        assertThat(r.highWatermark(10, 2)).isEqualTo(LeaderReplicas.UNKNOWN);
        r.onFetch(3, 4, 10, 5);
        assertThat(r.highWatermark(10, 2)).isEqualTo(4);
        r.onFetch(3, 10, 12, 6);
        assertThat(r.highWatermark(12, 2)).isEqualTo(10);
    }

    @Test
    void shouldNotAdvanceTheHighWatermarkBelowMinInsyncReplicas() {
        LeaderReplicas r = new LeaderReplicas(info(4, List.of(1)), 1, 0, 0);
        assertThat(r.highWatermark(10, 2)).isEqualTo(LeaderReplicas.UNKNOWN);
        assertThat(r.highWatermark(10, 1)).isEqualTo(10);
    }

    @Test
    void shouldProposeToDropAFollowerThatStaysBehind() {
        LeaderReplicas r = new LeaderReplicas(info(0, List.of(1, 2, 3)), 1, 0, 0);
        r.onFetch(2, 0, 0, 100);
        r.onFetch(3, 0, 0, 100);
        // broker 2 keeps up; broker 3 keeps fetching an old offset while the leader grows
        for (long t = 200; t <= 2000; t += 100) {
            r.onFetch(2, t, t, t);
            r.onFetch(3, 1, t, t);
        }
        assertThat(r.shrinkProposal(2000, LAG_MS)).containsExactly(1, 2);
        assertThat(r.lagging(2000, LAG_MS)).contains("broker 3");
        r.proposed(List.of(1, 2));
        assertThat(r.shrinkProposal(2000, LAG_MS)).as("one proposal at a time").isNull();
        assertThat(r.maximalIsr()).as("until accepted, the HW still counts broker 3").containsExactly(1, 2, 3);
        r.update(info(1, List.of(1, 2)), 2100);
        assertThat(r.proposalPending()).isFalse();
        assertThat(r.highWatermark(2000, 2)).isEqualTo(2000);
    }

    @Test
    void shouldCountAFollowerCaughtUpWhenItReachesTheEndOfThePreviousFetch() {
        LeaderReplicas r = new LeaderReplicas(info(0, List.of(1, 2)), 1, 0, 0);
        // the leader grows between every fetch, but the follower always reaches where the leader was
        long end = 10;
        for (long t = 100; t <= 5000; t += 100) {
            r.onFetch(2, end - 10, end, t);
            end += 10;
        }
        assertThat(r.shrinkProposal(5000, LAG_MS)).isNull();
    }

    @Test
    void shouldLetAFollowerJoinOnlyOnceItReachesTheHighWatermarkAndTheEpochStart() {
        LeaderReplicas r = new LeaderReplicas(info(2, List.of(1, 2)), 1, 50, 0);
        r.onFetch(2, 60, 60, 10);
        long hw = r.highWatermark(60, 1);
        assertThat(hw).isEqualTo(60);
        r.onFetch(3, 40, 60, 10);
        assertThat(r.expandProposal(3, hw)).as("behind the epoch start and the HW").isNull();
        r.onFetch(3, 55, 60, 20);
        assertThat(r.expandProposal(3, hw)).as("behind the HW").isNull();
        r.onFetch(3, 60, 60, 30);
        assertThat(r.expandProposal(3, hw)).containsExactly(1, 2, 3);
        assertThat(r.expandProposal(4, hw)).as("not a replica").isNull();
    }

    @Test
    void shouldIgnoreFetchesFromBrokersThatAreNotReplicas() {
        LeaderReplicas r = new LeaderReplicas(info(0, List.of(1, 2, 3)), 1, 0, 0);
        assertThat(r.onFetch(9, 0, 0, 0)).isFalse();
        assertThat(r.onFetch(1, 0, 0, 0)).as("the leader itself").isFalse();
    }
}
