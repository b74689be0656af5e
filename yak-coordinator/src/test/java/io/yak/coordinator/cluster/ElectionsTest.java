package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionInfo;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/**
 * The election rules as pure functions: a partition's state and who can serve in, the next state out. The tests
 * before the eligible-leader ones run with {@code min.insync.replicas} 1, where no replica is ever an eligible leader.
 */
class ElectionsTest {
    private static final int NONE = PartitionInfo.NO_LEADER;

    private static PartitionState state(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                        int partitionEpoch) {
        return new PartitionState(replicas, isr, leader, leaderEpoch, partitionEpoch);
    }

    /** Exactly these brokers can serve the partition. */
    private static IntPredicate serving(Integer... ids) {
        Set<Integer> set = Set.of(ids);
        return set::contains;
    }

    @Test
    void shouldElectTheFirstOtherIsrMemberInReplicasOrderWhenTheLeaderDies() {
        PartitionState p = state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 7);

        PartitionState next = Elections.withoutBroker(p, 1, serving(2, 3), 1);

        assertThat(next).isEqualTo(state(List.of(1, 2, 3), List.of(2, 3), 2, 5, 8));
    }

    @Test
    void shouldSkipIsrMembersThatCannotServeAndNeverPickAReplicaOutsideTheIsr() {
        PartitionState p = state(List.of(1, 2, 3), List.of(1, 3), 1, 4, 7);

        assertThat(Elections.withoutBroker(p, 1, serving(2, 3), 1)).as("2 is not in sync")
            .isEqualTo(state(List.of(1, 2, 3), List.of(3), 3, 5, 8));
        assertThat(Elections.withoutBroker(p, 1, serving(2), 1)).as("3 cannot serve, 2 is not in sync")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 3), NONE, 4, 8));
    }

    @Test
    void shouldKeepTheLastReplicaStandingInTheIsrOfAnOfflinePartition() {
        PartitionState p = state(List.of(1, 2, 3), List.of(1), 1, 4, 7);

        PartitionState offline = Elections.withoutBroker(p, 1, serving(2, 3), 1);

        assertThat(offline).isEqualTo(state(List.of(1, 2, 3), List.of(1), NONE, 4, 8));
        assertThat(Elections.withoutBroker(offline, 2, serving(3), 1)).as("not in the isr").isSameAs(offline);
        assertThat(Elections.electFromIsr(offline, serving(2, 3), 1)).as("only the last in sync may lead")
            .isSameAs(offline);
        assertThat(Elections.electFromIsr(offline, serving(1, 2, 3), 1)).as("it returns")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1), 1, 5, 9));
    }

    @Test
    void shouldDropAFollowerFromTheIsrOfALedPartitionAndKeepTheIsrOfAnOfflineOne() {
        PartitionState led = state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 7);
        PartitionState offline = state(List.of(1, 2, 3), List.of(2, 3), NONE, 4, 7);

        assertThat(Elections.withoutBroker(led, 3, serving(1, 2), 1))
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 2), 1, 4, 8));
        assertThat(Elections.withoutBroker(offline, 3, serving(1), 1)).isSameAs(offline);
        assertThat(Elections.withoutBroker(led, 4, serving(1, 2, 3), 1)).isSameAs(led);
    }

    @Test
    void shouldLeaveDeadMembersOutOfTheIsrWhenAnOfflinePartitionIsLedAgain() {
        PartitionState offline = state(List.of(1, 2, 3), List.of(1, 2), NONE, 4, 7);

        assertThat(Elections.electFromIsr(offline, serving(2, 3), 1))
            .isEqualTo(state(List.of(1, 2, 3), List.of(2), 2, 5, 8));
    }

    @Test
    void shouldElectUncleanlyOnlyWhenNoIsrMemberCanServe() {
        PartitionState offline = state(List.of(1, 2, 3), List.of(1), NONE, 4, 7);

        assertThat(Elections.electUnclean(offline, serving(3, 2)))
            .isEqualTo(state(List.of(1, 2, 3), List.of(2), 2, 5, 8));
        assertThat(Elections.electUnclean(offline, serving(1, 2))).as("a clean election is due").isSameAs(offline);
        assertThat(Elections.electUnclean(offline, serving())).isSameAs(offline);
        PartitionState led = state(List.of(1, 2, 3), List.of(1), 1, 4, 7);
        assertThat(Elections.electUnclean(led, serving(2, 3))).isSameAs(led);
    }

    @Test
    void shouldMoveLeadershipBackToThePreferredReplicaOnlyOnceItIsInSyncAndCanServe() {
        PartitionState moved = state(List.of(1, 2, 3), List.of(2, 3), 2, 5, 8);
        assertThat(Elections.electPreferred(moved, serving(1, 2, 3), 1)).as("not in sync yet").isSameAs(moved);

        PartitionState caughtUp = moved.withIsr(List.of(3, 1, 2), 1);
        assertThat(Elections.electPreferred(caughtUp, serving(2, 3), 1)).as("cannot serve").isSameAs(caughtUp);
        assertThat(Elections.electPreferred(caughtUp, serving(1, 2, 3), 1))
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 6, 10));
        PartitionState home = state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 6, 10);
        assertThat(Elections.electPreferred(home, serving(1, 2, 3), 1)).isSameAs(home);
    }

    private static PartitionState state(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                        int partitionEpoch, List<Integer> eligibleLeaders) {
        return new PartitionState(replicas, isr, leader, leaderEpoch, partitionEpoch, eligibleLeaders);
    }

    @Test
    void shouldMakeMembersThatLeaveAnIsrBelowMinInsyncReplicasEligibleLeaders() {
        PartitionState full = state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 7);

        PartitionState two = Elections.withoutBroker(full, 3, serving(1, 2), 2);
        PartitionState alone = Elections.withoutBroker(two, 2, serving(1), 2);
        PartitionState offline = Elections.withoutBroker(alone, 1, serving(), 2);

        assertThat(two).as("the ISR still has 2: the high watermark may move past 3")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 2), 1, 4, 8));
        assertThat(alone).as("below 2: the high watermark stays within what 2 has")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1), 1, 4, 9, List.of(2)));
        assertThat(offline).isEqualTo(state(List.of(1, 2, 3), List.of(1), NONE, 4, 10, List.of(2)));
        assertThat(Elections.electFromIsr(offline, serving(2, 3), 2)).as("2 leads, 1 (dead) becomes eligible")
            .isEqualTo(state(List.of(1, 2, 3), List.of(2), 2, 5, 11, List.of(1)));
        assertThat(Elections.electFromIsr(offline, serving(3), 2)).as("3 left while the ISR still had 2")
            .isSameAs(offline);
    }

    @Test
    void shouldHandLeadershipToAnEligibleLeaderWhenNoIsrMemberCanServe() {
        PartitionState p = state(List.of(1, 2, 3), List.of(1), 1, 4, 9, List.of(2));

        assertThat(Elections.withoutBroker(p, 1, serving(2, 3), 2))
            .isEqualTo(state(List.of(1, 2, 3), List.of(2), 2, 5, 10, List.of(1)));
        PartitionState offline = p.offline();
        assertThat(Elections.electUnclean(offline, serving(2, 3))).as("a clean election is due").isSameAs(offline);
    }

    @Test
    void shouldClearTheEligibleLeadersOnceTheIsrIsBackToMinInsyncReplicas() {
        PartitionState p = state(List.of(1, 2, 3), List.of(2), 2, 5, 10, List.of(1, 3));

        assertThat(p.withIsr(List.of(3, 2), 2)).isEqualTo(state(List.of(1, 2, 3), List.of(2, 3), 2, 5, 11));
        assertThat(p.withIsr(List.of(2, 3), 3)).as("still below 3: 3 joins the ISR, 1 stays eligible")
            .isEqualTo(state(List.of(1, 2, 3), List.of(2, 3), 2, 5, 11, List.of(1)));
    }

    @Test
    void shouldDropAReplicaBackFromAnUncleanShutdownOnlyWhileAnotherCandidateRemains() {
        PartitionState waiting = state(List.of(1, 2, 3), List.of(1), NONE, 4, 10, List.of(2));
        PartitionState lastHope = state(List.of(1, 2, 3), List.of(1), NONE, 4, 10);

        PartitionState without1 = Elections.withoutUncleanReplica(waiting, 1);

        assertThat(without1).isEqualTo(state(List.of(1, 2, 3), List.of(), NONE, 4, 11, List.of(2)));
        assertThat(Elections.electFromIsr(without1, serving(1, 3), 2)).as("only 2 may lead now").isSameAs(without1);
        assertThat(Elections.electFromIsr(without1, serving(1, 2, 3), 2))
            .isEqualTo(state(List.of(1, 2, 3), List.of(2), 2, 5, 12));
        assertThat(Elections.withoutUncleanReplica(without1, 2)).as("its only candidate stays").isSameAs(without1);
        assertThat(Elections.withoutUncleanReplica(lastHope, 1)).as("its only candidate stays").isSameAs(lastHope);
        assertThat(Elections.withoutUncleanReplica(waiting, 3)).as("not a candidate").isSameAs(waiting);
        PartitionState led = state(List.of(1, 2, 3), List.of(1), 1, 4, 10, List.of(2, 3));
        assertThat(Elections.withoutUncleanReplica(led, 2)).as("its leader holds what 2 may have lost")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1), 1, 4, 11, List.of(3)));
    }
}
