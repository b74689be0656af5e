package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Placement and leadership decisions, checked directly and through {@link ClusterState}. */
class LeaderElectorTest {
    private static final long TIMEOUT_MS = 1000;

    private final LeaderElector elector = new LeaderElector();

    private static BrokerEntry live(int id) {
        BrokerEntry b = new BrokerEntry(id, "h" + id, 9000 + id);
        b.alive = true;
        return b;
    }

    private static TopicEntry topic(String name, int... replicas) {
        return new TopicEntry(name, replicas, replicas.clone(), new int[replicas.length], Map.of());
    }

    /** Partitions led per live broker. */
    private static Map<Integer, Integer> leaderCounts(ClusterMetadata md) {
        Map<Integer, Integer> counts = new TreeMap<>();
        for (BrokerInfo b : md.brokers()) {
            if (b.alive()) {
                counts.put(b.id(), 0);
            }
        }
        for (TopicInfo t : md.topics()) {
            for (PartitionInfo p : t.partitions()) {
                if (p.online()) {
                    counts.merge(p.leader(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private static int spread(Collection<Integer> counts) {
        return counts.stream().mapToInt(i -> i).max().orElse(0) - counts.stream().mapToInt(i -> i).min().orElse(0);
    }

    @Test
    void shouldGiveEachOfThreeBrokersTwoOfSixPartitions() {
        int[] replicas = elector.assign(6, List.of(live(1), live(2), live(3)), List.of());

        assertThat(replicas).containsExactly(1, 2, 3, 1, 2, 3);
    }

    @Test
    void shouldStartWithLeastLoadedBroker() {
        List<TopicEntry> existing = List.of(topic("a", 1, 2, 1, 2));

        int[] replicas = elector.assign(3, List.of(live(1), live(2), live(3)), existing);

        assertThat(replicas).containsExactly(3, 1, 2);
    }

    @Test
    void shouldIgnoreLeadersOfOfflinePartitionsAndDeadBrokers() {
        TopicEntry t = topic("a", 1, 2, 9);
        t.leaders[2] = PartitionInfo.NO_LEADER;

        int[] replicas = elector.assign(2, List.of(live(1), live(2), live(3)), List.of(t));

        assertThat(replicas).containsExactly(3, 1);
    }

    @Test
    void shouldTakeOnlyDeadBrokersPartitionsOffline() {
        BrokerEntry two = live(2);
        TopicEntry a = topic("a", 1, 2, 3, 2);
        TopicEntry b = topic("b", 2, 1);

        int changed = elector.brokerDied(two, List.of(a, b), 5, "dead");

        assertThat(changed).isEqualTo(3);
        assertThat(a.leaders).containsExactly(1, -1, 3, -1);
        assertThat(b.leaders).containsExactly(-1, 1);
        assertThat(a.leaderEpochs).containsOnly(0);
    }

    @Test
    void shouldBumpLeaderEpochWhenBrokerLeadsAgain() {
        BrokerEntry two = live(2);
        TopicEntry a = topic("a", 1, 2, 3, 2);
        elector.brokerDied(two, List.of(a), 5, "dead");

        int changed = elector.brokerLeads(two, List.of(a), 6, "registered");

        assertThat(changed).isEqualTo(2);
        assertThat(a.leaders).containsExactly(1, 2, 3, 2);
        assertThat(a.leaderEpochs).containsExactly(0, 1, 0, 1);
    }

    @Test
    void shouldSpreadSixPartitionsOverThreeBrokersTwoEach() {
        ClusterState state = new ClusterState(TIMEOUT_MS, 3, true);
        for (int id = 1; id <= 3; id++) {
            state.registerBroker(id, "h" + id, 9000 + id, id, ClusterStateTest.REMOTE, 0);
            state.heartbeat(id, id, List.of(), 0);
        }

        assertThat(state.createTopic("t", 6, 0)).isEqualTo(ErrorCode.NONE);

        assertThat(leaderCounts(state.metadata())).containsExactly(Map.entry(1, 2), Map.entry(2, 2),
            Map.entry(3, 2));
    }

    @RepeatedTest(20)
    void shouldKeepLeadersBalancedAcrossManyTopics() {
        long seed = System.nanoTime();
        System.out.println("LeaderElectorTest.shouldKeepLeadersBalancedAcrossManyTopics seed=" + seed);
        Random random = new Random(seed);
        int brokers = 1 + random.nextInt(7);
        ClusterState state = new ClusterState(TIMEOUT_MS, 3, true);
        for (int id = 1; id <= brokers; id++) {
            state.registerBroker(id * 10, "h" + id, 9000 + id, id, ClusterStateTest.REMOTE, 0);
            state.heartbeat(id * 10, id, List.of(), 0);
        }
        List<Integer> spreads = new ArrayList<>();
        for (int t = 0; t < 30; t++) {
            int partitions = 1 + random.nextInt(12);
            assertThat(state.createTopic("topic-" + t, partitions, 0)).isEqualTo(ErrorCode.NONE);
            spreads.add(spread(leaderCounts(state.metadata()).values()));
        }

        assertThat(spreads).as("seed %d, %d brokers", seed, brokers).allMatch(s -> s <= 1);
    }

    @Test
    void shouldFillUpNewBrokerFirst() {
        ClusterState state = new ClusterState(TIMEOUT_MS, 3, true);
        state.registerBroker(1, "h1", 9001, 1, ClusterStateTest.REMOTE, 0);
        state.registerBroker(2, "h2", 9002, 2, ClusterStateTest.REMOTE, 0);
        state.heartbeat(1, 1, List.of(), 0);
        state.heartbeat(2, 2, List.of(), 0);
        state.createTopic("old", 4, 0);
        state.registerBroker(3, "h3", 9003, 3, ClusterStateTest.REMOTE, 0);
        state.heartbeat(3, 3, List.of(), 0);

        state.createTopic("new", 2, 0);

        assertThat(state.metadata().topic("new").partitions()).extracting(PartitionInfo::replica)
            .containsExactly(3, 1);
    }
}
