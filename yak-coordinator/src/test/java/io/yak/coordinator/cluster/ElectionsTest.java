package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionInfo;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The election rules as pure functions: a partition's state and who can serve in, the next state out. */
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

        PartitionState next = Elections.withoutBroker(p, 1, serving(2, 3));

        assertThat(next).isEqualTo(state(List.of(1, 2, 3), List.of(2, 3), 2, 5, 8));
    }

    @Test
    void shouldSkipIsrMembersThatCannotServeAndNeverPickAReplicaOutsideTheIsr() {
        PartitionState p = state(List.of(1, 2, 3), List.of(1, 3), 1, 4, 7);

        assertThat(Elections.withoutBroker(p, 1, serving(2, 3))).as("2 is not in sync")
            .isEqualTo(state(List.of(1, 2, 3), List.of(3), 3, 5, 8));
        assertThat(Elections.withoutBroker(p, 1, serving(2))).as("3 cannot serve, 2 is not in sync")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 3), NONE, 4, 8));
    }

    @Test
    void shouldKeepTheLastReplicaStandingInTheIsrOfAnOfflinePartition() {
        PartitionState p = state(List.of(1, 2, 3), List.of(1), 1, 4, 7);

        PartitionState offline = Elections.withoutBroker(p, 1, serving(2, 3));

        assertThat(offline).isEqualTo(state(List.of(1, 2, 3), List.of(1), NONE, 4, 8));
        assertThat(Elections.withoutBroker(offline, 2, serving(3))).as("not in the isr").isSameAs(offline);
        assertThat(Elections.electFromIsr(offline, serving(2, 3))).as("only the last in sync may lead")
            .isSameAs(offline);
        assertThat(Elections.electFromIsr(offline, serving(1, 2, 3))).as("it returns")
            .isEqualTo(state(List.of(1, 2, 3), List.of(1), 1, 5, 9));
    }

    @Test
    void shouldDropAFollowerFromTheIsrOfALedPartitionAndKeepTheIsrOfAnOfflineOne() {
        PartitionState led = state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 4, 7);
        PartitionState offline = state(List.of(1, 2, 3), List.of(2, 3), NONE, 4, 7);

        assertThat(Elections.withoutBroker(led, 3, serving(1, 2)))
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 2), 1, 4, 8));
        assertThat(Elections.withoutBroker(offline, 3, serving(1))).isSameAs(offline);
        assertThat(Elections.withoutBroker(led, 4, serving(1, 2, 3))).isSameAs(led);
    }

    @Test
    void shouldLeaveDeadMembersOutOfTheIsrWhenAnOfflinePartitionIsLedAgain() {
        PartitionState offline = state(List.of(1, 2, 3), List.of(1, 2), NONE, 4, 7);

        assertThat(Elections.electFromIsr(offline, serving(2, 3)))
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
        assertThat(Elections.electPreferred(moved, serving(1, 2, 3))).as("not in sync yet").isSameAs(moved);

        PartitionState caughtUp = moved.withIsr(List.of(3, 1, 2));
        assertThat(Elections.electPreferred(caughtUp, serving(2, 3))).as("cannot serve").isSameAs(caughtUp);
        assertThat(Elections.electPreferred(caughtUp, serving(1, 2, 3)))
            .isEqualTo(state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 6, 10));
        PartitionState home = state(List.of(1, 2, 3), List.of(1, 2, 3), 1, 6, 10);
        assertThat(Elections.electPreferred(home, serving(1, 2, 3))).isSameAs(home);
    }
}
