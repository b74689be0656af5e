package io.yak.client.consumer.assignor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The three assignors: Kafka's documented examples, stickiness, the cooperative hold-back, seeded properties. */
class AssignorsTest {
    private static final Map<String, Integer> TWO_TOPICS = Map.of("t0", 3, "t1", 3);

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    private static Map<String, Subscription> both(String... members) {
        Map<String, Subscription> out = new TreeMap<>();
        for (String m : members) {
            out.put(m, Subscription.of(List.of("t0", "t1")));
        }
        return out;
    }

    @Test
    void shouldSplitEachTopicIntoRangesAsKafkaDoes() {
        Map<String, List<TopicPartition>> a = new RangeAssignor().assign(TWO_TOPICS, both("C0", "C1"));
        assertThat(a.get("C0")).containsExactly(tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1));
        assertThat(a.get("C1")).containsExactly(tp("t0", 2), tp("t1", 2));
    }

    @Test
    void shouldDealPartitionsRoundRobinAsKafkaDoes() {
        Map<String, List<TopicPartition>> a = new RoundRobinAssignor().assign(TWO_TOPICS, both("C0", "C1"));
        assertThat(a.get("C0")).containsExactly(tp("t0", 0), tp("t0", 2), tp("t1", 1));
        assertThat(a.get("C1")).containsExactly(tp("t0", 1), tp("t1", 0), tp("t1", 2));
    }

    @Test
    void shouldGiveEachMemberOnlyTopicsItSubscribesTo() {
        Map<String, Subscription> subs = new TreeMap<>();
        subs.put("a", Subscription.of(List.of("t0")));
        subs.put("b", Subscription.of(List.of("t0", "t1")));
        subs.put("c", Subscription.of(List.of("missing")));
        for (PartitionAssignor assignor : Assignors.parse("range,roundrobin,cooperative-sticky")) {
            Map<String, List<TopicPartition>> a = assignor.assign(TWO_TOPICS, subs);
            assertThat(a.get("a")).as(assignor.name()).allMatch(p -> p.topic().equals("t0"));
            assertThat(a.get("c")).as(assignor.name()).isEmpty();
            assertThat(a.get("b")).as(assignor.name()).contains(tp("t1", 0), tp("t1", 1), tp("t1", 2));
            assertEveryPartitionOnce(a, 6);
        }
    }

    @Test
    void shouldMoveOnlyWhatBalanceNeedsWhenAMemberJoinsAndHoldItBackOneRound() {
        CooperativeStickyAssignor sticky = new CooperativeStickyAssignor();
        Map<String, Integer> topic = Map.of("t", 6);
        Map<String, Subscription> three = new TreeMap<>();
        for (String m : List.of("m1", "m2", "m3")) {
            three.put(m, Subscription.of(List.of("t")));
        }
        Map<String, List<TopicPartition>> first = sticky.assign(topic, three);
        assertThat(first.values()).allSatisfy(l -> assertThat(l).hasSize(2));
        assertEveryPartitionOnce(first, 6);

        // m4 joins: the others keep what they own; what moves is first only revoked
        Map<String, Subscription> four = new TreeMap<>();
        first.forEach((m, owned) -> four.put(m, new Subscription(List.of("t"), owned, 1)));
        four.put("m4", Subscription.of(List.of("t")));
        Map<String, List<TopicPartition>> second = sticky.assign(topic, four);
        Set<TopicPartition> moved = new HashSet<>();
        for (String m : first.keySet()) {
            assertThat(first.get(m)).as("%s keeps all it still has", m).containsAll(second.get(m));
            List<TopicPartition> lost = new ArrayList<>(first.get(m));
            lost.removeAll(second.get(m));
            moved.addAll(lost);
        }
        assertThat(moved).hasSize(1); // 6 over 4: 2, 2, 1, 1
        assertThat(second.get("m4")).as("held back for the follow-up rebalance").isEmpty();

        // follow-up: the revoked partition has no owner any more and goes to m4
        Map<String, Subscription> again = new TreeMap<>();
        second.forEach((m, owned) -> again.put(m, new Subscription(List.of("t"), owned, 2)));
        Map<String, List<TopicPartition>> third = sticky.assign(topic, again);
        assertThat(third.get("m4")).containsExactlyElementsOf(moved);
        assertEveryPartitionOnce(third, 6);
        for (String m : first.keySet()) {
            assertThat(third.get(m)).containsExactlyElementsOf(second.get(m));
        }
    }

    @Test
    void shouldHandADeadMembersPartitionsToTheOthersAtOnce() {
        Map<String, Subscription> two = new TreeMap<>();
        two.put("a", new Subscription(List.of("t"), List.of(tp("t", 0), tp("t", 1)), 3));
        two.put("b", new Subscription(List.of("t"), List.of(tp("t", 2), tp("t", 3)), 3));
        // c owned 4 and 5 and is gone: nobody revokes them, so no hold-back
        Map<String, List<TopicPartition>> a = new CooperativeStickyAssignor().assign(Map.of("t", 6), two);
        assertThat(a.get("a")).hasSize(3).contains(tp("t", 0), tp("t", 1));
        assertThat(a.get("b")).hasSize(3).contains(tp("t", 2), tp("t", 3));
        assertEveryPartitionOnce(a, 6);
    }

    @Test
    void shouldKeepAPartitionClaimedTwiceWithTheNewerGeneration() {
        Map<String, Subscription> subs = new TreeMap<>();
        subs.put("a", new Subscription(List.of("t"), List.of(tp("t", 0)), 4));
        subs.put("b", new Subscription(List.of("t"), List.of(tp("t", 0), tp("t", 1)), 5));
        assertThat(CooperativeStickyAssignor.previousOwners(Map.of("t", 2), subs)).containsEntry(tp("t", 0), "b");
    }

    @Test
    void shouldBalanceWithinOneAndAssignEverythingForAnyMembership() {
        long seed = new Random().nextLong();
        System.out.println("AssignorsTest seed " + seed);
        Random random = new Random(seed);
        CooperativeStickyAssignor sticky = new CooperativeStickyAssignor();
        for (int round = 0; round < 300; round++) {
            int partitions = 1 + random.nextInt(40);
            Map<String, Subscription> subs = new TreeMap<>();
            int members = 1 + random.nextInt(8);
            for (int m = 0; m < members; m++) {
                List<TopicPartition> owned = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    if (random.nextInt(members + 1) == 0) {
                        owned.add(tp("t", p));
                    }
                }
                subs.put("m" + m, new Subscription(List.of("t"), owned, random.nextInt(3)));
            }
            Map<String, List<TopicPartition>> target = CooperativeStickyAssignor.balance(Map.of("t", partitions),
                subs);
            assertEveryPartitionOnce(target, partitions);
            int min = target.values().stream().mapToInt(List::size).min().orElseThrow();
            int max = target.values().stream().mapToInt(List::size).max().orElseThrow();
            assertThat(max - min).as("seed %d round %d", seed, round).isLessThanOrEqualTo(1);
            for (PartitionAssignor plain : List.of(new RangeAssignor(), new RoundRobinAssignor())) {
                assertEveryPartitionOnce(plain.assign(Map.of("t", partitions), subs), partitions);
            }
            // the cooperative result is the target less what changes owner
            Map<String, List<TopicPartition>> held = sticky.assign(Map.of("t", partitions), subs);
            for (String m : held.keySet()) {
                assertThat(target.get(m)).containsAll(held.get(m));
            }
        }
    }

    @Test
    void shouldParseTheStrategyListAndRefuseUnknownNames() {
        assertThat(Assignors.parse(Assignors.DEFAULT_STRATEGY)).extracting(PartitionAssignor::name)
            .containsExactly("range", "cooperative-sticky");
        assertThat(Assignors.parse("org.apache.kafka.clients.consumer.RoundRobinAssignor, Range"))
            .extracting(PartitionAssignor::name).containsExactly("roundrobin", "range");
        assertThatThrownBy(() -> Assignors.parse("sticky")).hasMessageContaining("unknown");
        assertThatThrownBy(() -> Assignors.parse("range,range")).hasMessageContaining("twice");
        assertThatThrownBy(() -> Assignors.parse(" , ")).hasMessageContaining("empty");
    }

    private static void assertEveryPartitionOnce(Map<String, List<TopicPartition>> a, int expected) {
        Map<TopicPartition, String> seen = new HashMap<>();
        for (Map.Entry<String, List<TopicPartition>> e : a.entrySet()) {
            for (TopicPartition tp : e.getValue()) {
                assertThat(seen.put(tp, e.getKey())).as("%s assigned twice", tp).isNull();
            }
        }
        assertThat(seen).hasSize(expected);
    }
}
