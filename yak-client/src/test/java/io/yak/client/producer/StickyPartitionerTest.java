package io.yak.client.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyPartitionerTest {
    private static final long SEED = 42;

    private static TopicInfo topic(int partitions, int... offline) {
        List<PartitionInfo> ps = new ArrayList<>();
        Set<Integer> off = new HashSet<>();
        for (int o : offline) {
            off.add(o);
        }
        for (int p = 0; p < partitions; p++) {
            ps.add(new PartitionInfo(p, off.contains(p) ? -1 : 1, 0, 0, List.of(1), List.of(1)));
        }
        return new TopicInfo("t", ps);
    }

    @Test
    void shouldStayOnOnePartitionUntilANewBatchIsNeeded() {
        System.out.println("seed " + SEED);
        StickyPartitioner sp = new StickyPartitioner(new Random(SEED));
        TopicInfo t = topic(6);
        int first = sp.partition(t);
        for (int i = 0; i < 100; i++) {
            assertThat(sp.partition(t)).isEqualTo(first);
        }
        int next = sp.nextPartition(t, first);
        assertThat(next).isNotEqualTo(first).isBetween(0, 5);
        assertThat(sp.partition(t)).isEqualTo(next);
    }

    @Test
    void shouldNotSwitchTwiceWhenAnotherThreadAlreadyMovedOn() {
        StickyPartitioner sp = new StickyPartitioner(new Random(SEED));
        TopicInfo t = topic(6);
        int first = sp.partition(t);
        int second = sp.nextPartition(t, first);
        // a second thread that also saw "first" full must not move the partition again
        assertThat(sp.nextPartition(t, first)).isEqualTo(second);
    }

    @Test
    void shouldSpreadOverAllOnlinePartitionsAndAvoidOfflineOnes() {
        StickyPartitioner sp = new StickyPartitioner(new Random(SEED));
        TopicInfo t = topic(5, 1, 3);
        Set<Integer> seen = new HashSet<>();
        int p = sp.partition(t);
        for (int i = 0; i < 200; i++) {
            p = sp.nextPartition(t, p);
            seen.add(p);
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 2, 4);
    }

    @Test
    void shouldLeaveTheStickyPartitionWhenItLosesItsLeader() {
        StickyPartitioner sp = new StickyPartitioner(new Random(SEED));
        int first = sp.partition(topic(3));
        // the leader of the sticky partition died: the next record goes to a partition that has a leader, and stays
        TopicInfo leaderless = topic(3, first);
        int moved = sp.partition(leaderless);
        assertThat(moved).isNotEqualTo(first).isBetween(0, 2);
        for (int i = 0; i < 10; i++) {
            assertThat(sp.partition(leaderless)).isEqualTo(moved);
        }
        // with no partition online there is nowhere better to go
        assertThat(sp.partition(topic(3, 0, 1, 2))).isEqualTo(moved);
    }

    @Test
    void shouldFallBackToAnyPartitionWhenNoneIsOnline() {
        StickyPartitioner sp = new StickyPartitioner(new Random(SEED));
        TopicInfo t = topic(3, 0, 1, 2);
        int p = sp.partition(t);
        int q = sp.nextPartition(t, p);
        assertThat(q).isNotEqualTo(p).isBetween(0, 2);
        assertThat(sp.nextPartition(topic(1), 0)).isZero();
    }
}
