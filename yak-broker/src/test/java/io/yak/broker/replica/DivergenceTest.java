package io.yak.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.broker.log.EpochEndOffset;
import org.junit.jupiter.api.Test;

/** {@link Divergence}: KIP-279's leader answer and follower truncation point. */
class DivergenceTest {
    private static EpochEndOffset eo(int epoch, long end) {
        return new EpochEndOffset(epoch, end);
    }

    @Test
    void shouldLetAFollowerWhoseLastEpochTheLeaderHasUpToItsEndFetch() {
        assertThat(Divergence.divergence(eo(3, 10), 3, 0, 3, 10)).as("same epoch, same end").isNull();
        assertThat(Divergence.divergence(eo(3, 12), 4, 0, 3, 10)).as("the leader went on in that epoch").isNull();
    }

    @Test
    void shouldAnswerTheLeadersEpochWhenTheFollowersLastEpochIsUnknownToIt() {
        // KIP-279: the follower's last epoch 2 was never the leader's; its largest epoch at or below is 1, ending at 7
        assertThat(Divergence.divergence(eo(1, 7), 3, 0, 2, 10)).isEqualTo(eo(1, 7));
    }

    @Test
    void shouldAnswerWhereTheEpochEndsWhenTheFollowerHasMoreOfIt() {
        // KIP-101: the follower kept records of epoch 3 past where that epoch ended on the leader
        assertThat(Divergence.divergence(eo(3, 8), 4, 0, 3, 10)).isEqualTo(eo(3, 8));
    }

    @Test
    void shouldLeaveFollowersWithoutEpochsToTheOffsetRangeCheck() {
        assertThat(Divergence.divergence(EpochEndOffset.UNDEFINED, 3, 0, -1, 0)).isNull();
        assertThat(Divergence.divergence(EpochEndOffset.UNDEFINED, -1, 0, 2, 10)).as("leader knows no epoch").isNull();
        assertThat(Divergence.divergence(EpochEndOffset.UNDEFINED, 5, 20, 2, 20))
            .as("all the follower's records are below the leader's log start").isNull();
    }

    @Test
    void shouldTruncateAFollowerWhoseEpochsAreAllOlderThanTheLeaders() {
        // b1 led epoch 0 and wrote offsets 0..9, none committed; b2 (empty, in sync) led epoch 1 and wrote 0..4. The
        // leader's cache answers undefined for epoch 0; without a divergence, b1 would be told to truncate to 5 (out
        // of range) and keep offsets 0..4 of epoch 0, which the leader holds with epoch 1.
        EpochEndOffset leader = Divergence.divergence(EpochEndOffset.UNDEFINED, 1, 0, 0, 10);
        assertThat(leader).isEqualTo(eo(0, 0));
        long target = Divergence.truncationTarget(eo(0, 10), 0, leader.epoch(), leader.endOffset(), 10, 0);
        assertThat(target).isZero();
    }

    @Test
    void shouldTruncateToTheSmallerOfTheTwoEndsOfTheDivergingEpoch() {
        // follower epochs {0:0, 1:5, 2:8}, end 10; leader {0:0, 1:5, 3:7}: the leader answers (1, 7)
        assertThat(Divergence.truncationTarget(eo(1, 8), 0, 1, 7, 10, 0)).isEqualTo(7);
        // the follower's epoch 1 ended before the leader's did
        assertThat(Divergence.truncationTarget(eo(1, 6), 0, 1, 7, 10, 0)).isEqualTo(6);
        // the follower knows only older epochs: its own end of the largest one at or below
        assertThat(Divergence.truncationTarget(eo(0, 5), 0, 1, 7, 10, 0)).isEqualTo(5);
        // the follower knows no epoch at all: its log end bounds it
        assertThat(Divergence.truncationTarget(EpochEndOffset.UNDEFINED, -1, 1, 7, 4, 0)).isEqualTo(4);
        // the follower knows only newer epochs, from offset 0 (records 0.. of an epoch the leader never had): all go.
        // Found by the replication simulation (seed 2549 with power losses of the last ISR member allowed), where
        // taking the log end instead truncated nothing and fetched the same divergence forever
        assertThat(Divergence.truncationTarget(EpochEndOffset.UNDEFINED, 0, 0, 1, 1, 0)).isZero();
        assertThat(Divergence.truncationTarget(EpochEndOffset.UNDEFINED, 3, 1, 7, 10, 0)).isEqualTo(3);
        // never below the follower's log start
        assertThat(Divergence.truncationTarget(eo(1, 8), 0, 1, 2, 10, 5)).isEqualTo(5);
    }

    @Test
    void shouldRefuseAnAnswerForAnotherEpoch() {
        assertThatThrownBy(() -> Divergence.truncationTarget(eo(4, 8), 0, 3, 7, 10, 0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leader epoch 3");
    }
}
