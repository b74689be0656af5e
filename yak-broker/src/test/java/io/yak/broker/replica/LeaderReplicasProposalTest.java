package io.yak.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link LeaderReplicas} settles its ISR proposals when answers are lost or late (both found by the
 * replication simulation, {@code ReplicationSimTest}).
 */
class LeaderReplicasProposalTest {
    private static PartitionInfo info(int partitionEpoch, List<Integer> isr) {
        return new PartitionInfo(0, 1, 3, partitionEpoch, List.of(1, 2, 3), isr);
    }

    /** Leader 1 with ISR [1, 2] at partition epoch 4; 2 is at 10, 3 caught up to 5 and is proposed. */
    private static LeaderReplicas expanding() {
        LeaderReplicas r = new LeaderReplicas(info(4, List.of(1, 2)), 1, 0, 0);
        r.onFetch(2, 5, 5, 10);
        r.onFetch(3, 5, 5, 10);
        List<Integer> expanded = r.expandProposal(3, 5);
        assertThat(expanded).containsExactly(1, 2, 3);
        r.proposed(expanded);
        r.onFetch(2, 10, 10, 20);
        return r;
    }

    @Test
    void shouldKeepCountingAMemberWhoseAdditionGotNoAnswer() {
        LeaderReplicas r = expanding();
        r.proposalUnanswered(4);
        assertThat(r.highWatermark(10, 1)).as("the coordinator may have added 3").isEqualTo(5);
        assertThat(r.maximalIsr()).containsExactly(1, 2, 3);
        assertThat(r.proposalPending()).as("nothing else is proposed meanwhile").isTrue();
        // the cluster view of the next registration: the addition was applied
        r.update(info(5, List.of(1, 2, 3)), 30);
        assertThat(r.proposalPending()).isFalse();
        assertThat(r.highWatermark(10, 1)).isEqualTo(5);
    }

    @Test
    void shouldForgetAnUnansweredAdditionTheNextViewDoesNotHave() {
        LeaderReplicas r = expanding();
        r.proposalUnanswered(4);
        r.update(info(4, List.of(1, 2)), 30); // the same state again: the request was lost before it was applied
        assertThat(r.proposalPending()).isFalse();
        assertThat(r.maximalIsr()).containsExactly(1, 2);
        assertThat(r.highWatermark(10, 1)).isEqualTo(10);
    }

    @Test
    void shouldKeepTheCurrentProposalWhenALateRefusalOfAnOlderOneArrives() {
        LeaderReplicas r = expanding();
        // a cluster view at partition epoch 5 (another change) supersedes the proposal; a new one is made from it
        r.update(info(5, List.of(1, 2)), 30);
        assertThat(r.proposalPending()).isFalse();
        r.proposed(List.of(1, 2, 3));
        // the refusal of the first (INVALID_UPDATE_VERSION), sent after that view, arrives now
        r.proposalFailed(4);
        assertThat(r.proposalPending()).as("the coordinator may still apply the second one").isTrue();
        assertThat(r.maximalIsr()).containsExactly(1, 2, 3);
        r.proposalFailed(5);
        assertThat(r.proposalPending()).isFalse();
        r.proposed(List.of(1, 2, 3));
        r.proposalUnanswered(4);
        r.update(info(5, List.of(1, 2)), 40);
        assertThat(r.proposalPending()).as("a lost answer to an older proposal settles nothing").isTrue();
    }

    @Test
    void shouldNeverGoBackToAnOlderState() {
        LeaderReplicas r = new LeaderReplicas(info(4, List.of(1, 2, 3)), 1, 0, 0);
        r.update(info(6, List.of(1, 2)), 10);
        r.update(info(5, List.of(1, 2, 3)), 20); // an answer that arrived after a newer view
        assertThat(r.info().partitionEpoch()).isEqualTo(6);
        assertThat(r.maximalIsr()).containsExactly(1, 2);
    }
}
