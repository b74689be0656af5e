package io.yak.wire.message;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.testing.Seeds;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ClusterMetadata#apply}: a delta turns the view at its base epoch into the view at its epoch, or is null. */
class ClusterMetadataApplyTest {
    private static final BrokerInfo B1 = new BrokerInfo(1, "h1", 9001, true, 3);
    private static final BrokerInfo B2 = new BrokerInfo(2, "h2", 9002, true, 4);
    private static final BrokerInfo B3 = new BrokerInfo(3, "h3", 9003, false, -1);
    private static final TopicInfo ORDERS = new TopicInfo("orders", List.of(PartitionInfo.single(0, 1, 0),
        PartitionInfo.single(1, 2, 0)), Map.of("retention.ms", "1000"));
    private static final TopicInfo PAYMENTS = new TopicInfo("payments", List.of(PartitionInfo.single(0, 2, 0)));
    private static final ClusterMetadata BASE = new ClusterMetadata(7, List.of(B1, B2, B3), List.of(ORDERS, PAYMENTS));

    private static LeaderInfoDelta delta(long baseEpoch, long epoch, List<BrokerInfo> brokers, List<Integer> removed,
                                         List<TopicInfo> newTopics, List<PartitionChange> partitions) {
        return new LeaderInfoDelta(baseEpoch, epoch, brokers, removed, newTopics, partitions);
    }

    @Test
    void shouldAddAndReplaceBrokersKeepingThemInIdOrder() {
        BrokerInfo b0 = new BrokerInfo(0, "h0", 9000, true, 8);
        BrokerInfo b2Moved = new BrokerInfo(2, "h2b", 9102, true, 8);
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(b2Moved, b0), List.of(), List.of(), List.of()));
        assertThat(next).isEqualTo(new ClusterMetadata(8, List.of(b0, B1, b2Moved, B3), BASE.topics()));
    }

    @Test
    void shouldForgetRemovedBrokersAndSkipIdsTheViewDoesNotList() {
        ClusterMetadata next = BASE.apply(delta(7, 9, List.of(), List.of(3, 42), List.of(), List.of()));
        assertThat(next).isEqualTo(new ClusterMetadata(9, List.of(B1, B2), BASE.topics()));
    }

    @Test
    void shouldApplyRemovalsBeforeAdditions() {
        BrokerInfo b3Back = new BrokerInfo(3, "h3", 9003, true, 8);
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(b3Back), List.of(3), List.of(), List.of()));
        assertThat(next.brokers()).containsExactly(B1, B2, b3Back);
    }

    @Test
    void shouldDeleteTopicsBeforeAddingNewOnesSoARecreatedTopicIsTheNewOne() {
        ClusterMetadata gone = BASE.apply(new LeaderInfoDelta(7, 8, List.of(), List.of(), List.of(), List.of(),
            List.of("orders", "no-such-topic")));
        assertThat(gone.topics()).containsExactly(PAYMENTS);
        TopicInfo recreated = new TopicInfo("orders", List.of(PartitionInfo.single(0, 2, 0)), Map.of(), 8);
        ClusterMetadata again = BASE.apply(new LeaderInfoDelta(7, 8, List.of(), List.of(), List.of(recreated),
            List.of(), List.of("orders")));
        assertThat(again.topic("orders")).isEqualTo(recreated);
        assertThat(again.topic("orders").topicId()).isEqualTo(8);
    }

    @Test
    void shouldReplaceAGrownTopicWhole() {
        TopicInfo grown = new TopicInfo("orders", List.of(PartitionInfo.single(0, 1, 0), PartitionInfo.single(1, 2, 0),
            PartitionInfo.single(2, 1, 0)), ORDERS.configs(), ORDERS.topicId());
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(), List.of(), List.of(grown), List.of()));
        assertThat(next.topic("orders").partitionCount()).isEqualTo(3);
    }

    @Test
    void shouldAddNewTopicsInNameOrder() {
        TopicInfo audit = new TopicInfo("audit", List.of(PartitionInfo.single(0, 3, 0)));
        TopicInfo zebra = new TopicInfo("zebra", List.of());
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(), List.of(), List.of(zebra, audit), List.of()));
        assertThat(next.topics()).containsExactly(audit, ORDERS, PAYMENTS, zebra);
        assertThat(next.brokers()).isEqualTo(BASE.brokers());
        assertThat(next.epoch()).isEqualTo(8);
    }

    @Test
    void shouldReplaceChangedPartitionsAndKeepTheTopicsConfigs() {
        PartitionInfo moved = new PartitionInfo(1, 1, 1, 1, List.of(2, 1), List.of(1), List.of(2));
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(), List.of(), List.of(),
            List.of(new PartitionChange("orders", moved))));
        TopicInfo orders = next.topic("orders");
        assertThat(orders.partitions()).containsExactly(ORDERS.partition(0), moved);
        assertThat(orders.configs()).isEqualTo(ORDERS.configs());
        assertThat(next.topic("payments")).isSameAs(PAYMENTS);
        assertThat(next.brokers()).isEqualTo(BASE.brokers());
    }

    @Test
    void shouldLetAPartitionChangeWinOverItsNewTopic() {
        TopicInfo created = new TopicInfo("new", List.of(PartitionInfo.single(0, 1, 0), PartitionInfo.single(1, 2, 0)));
        PartitionInfo offline = new PartitionInfo(1, -1, 1, 1, List.of(2), List.of(2));
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(), List.of(), List.of(created),
            List.of(new PartitionChange("new", offline))));
        assertThat(next.topic("new").partitions()).containsExactly(created.partition(0), offline);
    }

    @Test
    void shouldLetTheLastChangeOfAPartitionWin() {
        PartitionInfo first = PartitionInfo.single(0, 2, 1);
        PartitionInfo second = PartitionInfo.single(0, 1, 2);
        ClusterMetadata next = BASE.apply(delta(7, 8, List.of(), List.of(), List.of(),
            List.of(new PartitionChange("orders", first), new PartitionChange("orders", second))));
        assertThat(next.topic("orders").partition(0)).isEqualTo(second);
    }

    @Test
    void shouldGiveNullForAnotherBaseEpoch() {
        LeaderInfoDelta gap = delta(8, 9, List.of(B1), List.of(), List.of(), List.of());
        assertThat(BASE.apply(gap)).as("a push was missed").isNull();
        assertThat(BASE.apply(delta(6, 7, List.of(), List.of(), List.of(), List.of()))).as("older").isNull();
        assertThat(BASE.apply(delta(6, 8, List.of(), List.of(), List.of(), List.of()))).as("from older").isNull();
    }

    @Test
    void shouldGiveNullForAChangeToAPartitionTheViewLacks() {
        LeaderInfoDelta unknownTopic = delta(7, 8, List.of(), List.of(), List.of(),
            List.of(new PartitionChange("nope", PartitionInfo.single(0, 1, 0))));
        assertThat(BASE.apply(unknownTopic)).isNull();
        LeaderInfoDelta beyondTheTopic = delta(7, 8, List.of(), List.of(), List.of(),
            List.of(new PartitionChange("payments", PartitionInfo.single(1, 1, 0))));
        assertThat(BASE.apply(beyondTheTopic)).isNull();
    }

    @Test
    void shouldLeaveTheBaseViewUntouched() {
        ClusterMetadata before = new ClusterMetadata(BASE.epoch(), BASE.brokers(), BASE.topics());
        BASE.apply(delta(7, 8, List.of(new BrokerInfo(9, "h", 1, true)), List.of(1), List.of(new TopicInfo("a",
            List.of())), List.of(new PartitionChange("orders", PartitionInfo.single(0, 2, 5)))));
        assertThat(BASE).isEqualTo(before);
    }

    @Test
    void shouldStartFromTheEmptyViewAtEpochZero() {
        ClusterMetadata next = ClusterMetadata.EMPTY.apply(delta(0, 1, List.of(B2, B1), List.of(), List.of(PAYMENTS,
            ORDERS), List.of()));
        assertThat(next).isEqualTo(new ClusterMetadata(1, List.of(B1, B2), List.of(ORDERS, PAYMENTS)));
    }

    static LongStream seeds() {
        return Seeds.seeds(20);
    }

    /** Any change of a sorted view, sent as the delta between the two, turns the old view into the new one. */
    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldTurnAViewIntoTheNextOneThroughTheirDifference(long seed) {
        Random random = Seeds.random("ClusterMetadataApplyTest", seed);
        ClusterMetadata view = randomView(random, random.nextInt(100));
        for (int step = 0; step < 20; step++) {
            ClusterMetadata next = change(random, view);
            LeaderInfoDelta delta = difference(view, next);
            assertThat(view.apply(delta)).as("step %s", step).isEqualTo(next);
            view = next;
        }
    }

    private static ClusterMetadata randomView(Random random, long epoch) {
        TreeMap<Integer, BrokerInfo> brokers = new TreeMap<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            BrokerInfo b = randomBroker(random);
            brokers.put(b.id(), b);
        }
        TreeMap<String, TopicInfo> topics = new TreeMap<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            TopicInfo t = randomTopic(random, "t" + random.nextInt(20));
            topics.put(t.name(), t);
        }
        return new ClusterMetadata(epoch, new ArrayList<>(brokers.values()), new ArrayList<>(topics.values()));
    }

    private static BrokerInfo randomBroker(Random random) {
        return new BrokerInfo(random.nextInt(10), "h" + random.nextInt(3), 9000 + random.nextInt(3),
            random.nextBoolean(), random.nextInt(5) - 1);
    }

    private static TopicInfo randomTopic(Random random, String name) {
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = random.nextInt(5); p > 0; p--) {
            partitions.add(randomPartition(random, partitions.size()));
        }
        return new TopicInfo(name, partitions, random.nextBoolean() ? Map.of() : Map.of("retention.ms", "5"));
    }

    private static PartitionInfo randomPartition(Random random, int partition) {
        int leader = random.nextInt(4) - 1;
        return new PartitionInfo(partition, leader, random.nextInt(3), random.nextInt(3), List.of(1, 2),
            leader < 0 ? List.of() : List.of(leader), random.nextBoolean() ? List.of() : List.of(2));
    }

    /** The view one epoch or more later: brokers come, change and go, topics appear, partitions change. */
    private static ClusterMetadata change(Random random, ClusterMetadata view) {
        TreeMap<Integer, BrokerInfo> brokers = new TreeMap<>();
        for (BrokerInfo b : view.brokers()) {
            if (random.nextInt(6) != 0) {
                brokers.put(b.id(), random.nextInt(4) == 0 ? new BrokerInfo(b.id(), b.host(), b.port(), !b.alive(),
                    b.brokerEpoch()) : b);
            }
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            BrokerInfo b = randomBroker(random);
            brokers.put(b.id(), b);
        }
        TreeMap<String, TopicInfo> topics = new TreeMap<>();
        for (TopicInfo t : view.topics()) {
            List<PartitionInfo> partitions = new ArrayList<>(t.partitions());
            for (int p = 0; p < partitions.size(); p++) {
                if (random.nextInt(4) == 0) {
                    partitions.set(p, randomPartition(random, p));
                }
            }
            topics.put(t.name(), new TopicInfo(t.name(), partitions, t.configs()));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            String name = "t" + random.nextInt(40);
            topics.putIfAbsent(name, randomTopic(random, name));
        }
        return new ClusterMetadata(view.epoch() + 1 + random.nextInt(3), new ArrayList<>(brokers.values()),
            new ArrayList<>(topics.values()));
    }

    /** What a coordinator sends for the step from {@code from} to {@code to} (topics are never deleted). */
    private static LeaderInfoDelta difference(ClusterMetadata from, ClusterMetadata to) {
        List<BrokerInfo> brokers = new ArrayList<>();
        for (BrokerInfo b : to.brokers()) {
            if (!b.equals(from.broker(b.id()))) {
                brokers.add(b);
            }
        }
        List<Integer> removed = new ArrayList<>();
        for (BrokerInfo b : from.brokers()) {
            if (to.broker(b.id()) == null) {
                removed.add(b.id());
            }
        }
        List<TopicInfo> newTopics = new ArrayList<>();
        Map<String, PartitionChange> changes = new LinkedHashMap<>();
        for (TopicInfo t : to.topics()) {
            TopicInfo before = from.topic(t.name());
            if (before == null) {
                newTopics.add(t);
                continue;
            }
            for (PartitionInfo p : t.partitions()) {
                if (!p.equals(before.partition(p.partition()))) {
                    changes.put(t.name() + "-" + p.partition(), new PartitionChange(t.name(), p));
                }
            }
        }
        return new LeaderInfoDelta(from.epoch(), to.epoch(), brokers, removed, newTopics,
            new ArrayList<>(changes.values()));
    }
}
