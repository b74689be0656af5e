package io.yak.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.fake.FakeCoordinator;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.PartitionChange;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.NetworkClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class MetadataCacheTest {
    private final NetworkClient net = ClientNetwork.create("test", 1000, 1000, 4);
    private final MetadataCache cache = new MetadataCache(net, new HostPort("127.0.0.1", 1), MetadataCache.Role.ADMIN,
        "test", null, 100, System::nanoTime);

    @AfterEach
    void close() {
        net.close();
    }

    private static TopicInfo topic(String name, int leader, int leaderEpoch) {
        return new TopicInfo(name,
            List.of(new PartitionInfo(0, leader, leaderEpoch, leaderEpoch, List.of(1), List.of(1))));
    }

    private static final List<BrokerInfo> BROKERS = List.of(new BrokerInfo(1, "127.0.0.1", 9001, true),
        new BrokerInfo(2, "127.0.0.1", 9002, true));

    @Test
    void shouldKeepTheHighestEpochAndMergeTopics() {
        AtomicInteger changes = new AtomicInteger();
        cache.addListener(changes::incrementAndGet);
        assertThat(cache.update(new ClusterMetadata(5, BROKERS, List.of(topic("a", 1, 0))))).isTrue();
        assertThat(cache.update(new ClusterMetadata(6, BROKERS, List.of(topic("b", 2, 0))))).isTrue();
        assertThat(cache.topic("a")).isNotNull();
        assertThat(cache.leaderAddress("b", 0)).isEqualTo(new HostPort("127.0.0.1", 9002));
        assertThat(cache.update(new ClusterMetadata(4, BROKERS, List.of(topic("a", 2, 7))))).isFalse();
        assertThat(cache.leaderId("a", 0)).isEqualTo(1);
        assertThat(cache.epoch()).isEqualTo(6);
        assertThat(cache.cluster().topics()).extracting(TopicInfo::name).containsExactly("a", "b");
        assertThat(changes.get()).isEqualTo(2);
    }

    @Test
    void shouldReportNoLeaderForOfflineOrUnknownPartitions() {
        cache.update(new ClusterMetadata(1, BROKERS, List.of(topic("a", -1, 1))));
        assertThat(cache.leaderAddress("a", 0)).isNull();
        assertThat(cache.leaderAddress("a", 1)).isNull();
        assertThat(cache.leaderAddress("nope", 0)).isNull();
        assertThat(cache.leaderId("a", 0)).isEqualTo(PartitionInfo.NO_LEADER);
    }

    private static LeaderInfoDelta moveLeader(long baseEpoch, long epoch, String topic, int leader) {
        return new LeaderInfoDelta(baseEpoch, epoch, List.of(), List.of(), List.of(),
            List.of(new PartitionChange(topic, new PartitionInfo(0, leader, (int) epoch, (int) epoch, List.of(1, 2),
                List.of(leader)))));
    }

    @Test
    void shouldApplyADeltaBasedOnTheWholeView() {
        AtomicInteger changes = new AtomicInteger();
        cache.addListener(changes::incrementAndGet);
        cache.push(new LeaderInfo(new ClusterMetadata(5, BROKERS, List.of(topic("a", 1, 0), topic("b", 1, 0)))));
        BrokerInfo third = new BrokerInfo(3, "127.0.0.1", 9003, true);
        cache.push(new LeaderInfoDelta(5, 6, List.of(third), List.of(1), List.of(topic("c", 3, 0)),
            List.of(new PartitionChange("a", PartitionInfo.single(0, 2, 1)))));

        assertThat(cache.epoch()).isEqualTo(6);
        assertThat(cache.leaderAddress("a", 0)).isEqualTo(new HostPort("127.0.0.1", 9002));
        assertThat(cache.leaderId("b", 0)).isEqualTo(1);
        assertThat(cache.leaderAddress("c", 0)).isEqualTo(new HostPort("127.0.0.1", 9003));
        assertThat(cache.cluster().brokers()).extracting(BrokerInfo::id).containsExactly(2, 3);
        assertThat(cache.cluster().topics()).extracting(TopicInfo::name).containsExactly("a", "b", "c");
        assertThat(changes.get()).isEqualTo(2);

        cache.push(moveLeader(6, 7, "b", 2)); // deltas chain
        assertThat(cache.leaderId("b", 0)).isEqualTo(2);
        assertThat(changes.get()).isEqualTo(3);
    }

    @Test
    void shouldIgnoreAStaleDelta() {
        AtomicInteger changes = new AtomicInteger();
        cache.push(new LeaderInfo(new ClusterMetadata(5, BROKERS, List.of(topic("a", 1, 0)))));
        cache.push(moveLeader(5, 6, "a", 2));
        cache.addListener(changes::incrementAndGet);

        cache.push(moveLeader(5, 6, "a", 1)); // the same epoch again
        cache.push(moveLeader(2, 4, "a", 1)); // older
        assertThat(cache.epoch()).isEqualTo(6);
        assertThat(cache.leaderId("a", 0)).isEqualTo(2);
        assertThat(changes.get()).as("nothing applied, no listener called").isZero();
    }

    @Test
    void shouldAskForTheWholeViewAfterAGap() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(1)) {
            coordinator.addBroker(1, 9001);
            coordinator.addBroker(2, 9002);
            coordinator.createTopic("a", 1, (short) 2, Map.of());
            MetadataCache producer = registeredProducer(coordinator);
            int asked = coordinator.metadataRequests.get();

            coordinator.setLeader("a", 0, 2, false); // a change whose push is lost
            long before = coordinator.metadata().epoch();
            coordinator.setLeader("a", 0, 1, false);
            ClusterMetadata now = coordinator.metadata();
            coordinator.push(new LeaderInfoDelta(before, now.epoch(), List.of(), List.of(), List.of(),
                List.of(new PartitionChange("a", now.topic("a").partition(0)))));

            await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == now.epoch());
            assertThat(coordinator.metadataRequests.get()).as("one METADATA request for all topics")
                .isEqualTo(asked + 1);
            assertThat(producer.topic("a")).isEqualTo(now.topic("a"));

            coordinator.setLeader("a", 0, 2, false);
            ClusterMetadata next = coordinator.metadata();
            coordinator.push(new LeaderInfoDelta(now.epoch(), next.epoch(), List.of(), List.of(), List.of(),
                List.of(new PartitionChange("a", next.topic("a").partition(0)))));
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == next.epoch());
            assertThat(producer.leaderId("a", 0)).as("the answer is a base for the next delta").isEqualTo(2);
            assertThat(coordinator.metadataRequests.get()).isEqualTo(asked + 1);
        }
    }

    /**
     * A METADATA answer for some topics raises the epoch of the merged view while the other topics stay as they
     * were: a delta from that epoch would leave them stale, so it is not applied to the merged view.
     */
    @Test
    void shouldNotApplyADeltaToAViewMergedFromAPartialAnswer() throws Exception {
        try (FakeCoordinator coordinator = new FakeCoordinator(1)) {
            coordinator.addBroker(1, 9001);
            coordinator.addBroker(2, 9002);
            coordinator.createTopic("a", 1, (short) 2, Map.of());
            coordinator.createTopic("b", 1, (short) 2, Map.of());
            MetadataCache producer = registeredProducer(coordinator);

            coordinator.setLeader("b", 0, 2, false);
            producer.fetch(List.of("a"), false).get(10, TimeUnit.SECONDS);
            long partialEpoch = coordinator.metadata().epoch();
            assertThat(producer.epoch()).isEqualTo(partialEpoch);
            assertThat(producer.leaderId("b", 0)).as("not asked for").isEqualTo(1);
            int asked = coordinator.metadataRequests.get();

            coordinator.setLeader("a", 0, 2, false);
            ClusterMetadata now = coordinator.metadata();
            coordinator.push(new LeaderInfoDelta(partialEpoch, now.epoch(), List.of(), List.of(), List.of(),
                List.of(new PartitionChange("a", now.topic("a").partition(0)))));

            await().atMost(Duration.ofSeconds(10)).until(() -> producer.epoch() == now.epoch());
            assertThat(coordinator.metadataRequests.get()).isEqualTo(asked + 1);
            assertThat(producer.leaderId("a", 0)).isEqualTo(2);
            assertThat(producer.leaderId("b", 0)).as("from the whole view").isEqualTo(2);
        }
    }

    /** A producer's cache registered with {@code coordinator}: its registration answer is its whole view. */
    private MetadataCache registeredProducer(FakeCoordinator coordinator) throws Exception {
        MetadataCache producer = new MetadataCache(net, new HostPort("127.0.0.1", coordinator.port()),
            MetadataCache.Role.PRODUCER, "test", null, 100, System::nanoTime);
        producer.fetch(List.of("a"), false).get(10, TimeUnit.SECONDS); // connects, registering first
        assertThat(coordinator.registeredClients()).isEqualTo(1);
        assertThat(producer.epoch()).isEqualTo(coordinator.metadata().epoch());
        return producer;
    }
}
