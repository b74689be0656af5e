package io.yak.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.config.HostPort;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.NetworkClient;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
}
