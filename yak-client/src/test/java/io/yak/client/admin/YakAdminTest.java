package io.yak.client.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.client.fake.FakeCluster;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class YakAdminTest {
    private final FakeCluster cluster = new FakeCluster(2, 3);

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void shouldCreateListAndDescribeTopics() {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            TopicInfo created = admin.createTopic("orders", 4);
            assertThat(created.partitionCount()).isEqualTo(4);
            assertThat(admin.createTopic("defaults", -1).partitionCount()).isEqualTo(3);
            assertThat(admin.listTopics()).containsExactly("defaults", "orders");
            TopicInfo t = admin.describeTopic("orders");
            assertThat(t.partitions()).extracting(PartitionInfo::leader).containsExactly(1, 2, 1, 2);
            ClusterMetadata m = admin.describeCluster();
            assertThat(m.brokers()).extracting(BrokerInfo::id).containsExactly(1, 2);
            assertThat(m.epoch()).isPositive();
            // describing never creates
            assertThat(cluster.coordinator.metadata().topic("ghost")).isNull();
        }
    }

    @Test
    void shouldCreateReplicatedTopicsAndRefuseMoreReplicasThanBrokers() {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            TopicInfo t = admin.createTopic("copies", 3, 2, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
            assertThat(cluster.coordinator.lastCreateTopic().replicationFactor()).isEqualTo((short) 2);
            assertThat(t.partitions()).allSatisfy(p -> {
                assertThat(p.replicas()).hasSize(2).doesNotHaveDuplicates();
                assertThat(p.isr()).containsExactlyElementsOf(p.replicas());
                assertThat(p.leader()).isEqualTo(p.preferredLeader());
            });
            assertThat(t.configs()).containsEntry(TopicConfigs.MIN_INSYNC_REPLICAS, "2");
            admin.createTopic("plain", 1);
            assertThat(cluster.coordinator.lastCreateTopic().replicationFactor())
                .as("the old signature asks for the coordinator's default").isEqualTo((short) -1);
            assertThatThrownBy(() -> admin.createTopic("toomany", 1, 3, Map.of()))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR))
                .hasMessageContaining("replication factor 3").hasMessageContaining("2 available broker(s)");
            assertThat(cluster.coordinator.metadata().topic("toomany")).isNull();
            assertThatThrownBy(() -> admin.createTopic("zero", 1, 0, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("replication factor 0");
        }
    }

    @Test
    void shouldReadTheHighWatermarksFromTheLeaders() {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic("marks", 3, 2, Map.of());
            cluster.store.appendValues("marks", 0, java.util.List.of("a", "b", "c"), 2);
            cluster.store.appendValues("marks", 1, java.util.List.of("a"), 1);
            cluster.broker(2).highWatermarkLag(1); // partition 1's leader: one record not on every replica yet
            cluster.coordinator.setLeader("marks", 2, -1, false);
            assertThat(admin.highWatermarks("marks")).containsExactly(Map.entry(0, 3L), Map.entry(1, 0L));
            assertThatThrownBy(() -> admin.highWatermarks("ghost")).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC));
        }
    }

    @Test
    void shouldReportServerErrorsWithTheirCodes() {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic("dup", 1);
            assertThatThrownBy(() -> admin.createTopic("dup", 1)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS)).hasMessageContaining("dup");
            assertThatThrownBy(() -> admin.createTopic("bad name!", 1)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_TOPIC));
            assertThatThrownBy(() -> admin.describeTopic("ghost")).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC)).hasMessageContaining("ghost");
            assertThat(cluster.coordinator.metadata().topic("ghost")).isNull();
        }
    }

    @Test
    void shouldCreateTopicsWithConfigsAndDescribeThem() {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put(TopicConfigs.SEGMENT_BYTES, "1048576");
            configs.put(TopicConfigs.RETENTION_MS, "1000");
            TopicInfo created = admin.createTopic("short-lived", 2, configs);
            assertThat(created.configs()).containsExactly(Map.entry("retention.ms", "1000"),
                Map.entry("segment.bytes", "1048576"));
            TopicInfo described = admin.describeTopic("short-lived");
            assertThat(described.config(TopicConfigs.RETENTION_MS)).isEqualTo("1000");
            assertThat(described.longConfig(TopicConfigs.SEGMENT_BYTES, 0)).isEqualTo(1048576);
            assertThat(described.longConfig(TopicConfigs.FLUSH_MS, -7)).isEqualTo(-7);
            assertThat(admin.createTopic("plain", 1).configs()).isEmpty();
            assertThat(admin.describeTopic("plain").configs()).isEmpty();
        }
    }

    @Test
    void shouldReportInvalidConfigsNamingKeyAndValue() {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            assertThatThrownBy(() -> admin.createTopic("t", 1, Map.of("retention.ms", "soon")))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("retention.ms").hasMessageContaining("soon");
            assertThatThrownBy(() -> admin.createTopic("t", 1, Map.of("compression.type", "zstd")))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("compression.type").hasMessageContaining("zstd");
            assertThat(admin.listTopics()).isEmpty();
        }
    }

    @Test
    void shouldReportAnUnreachableCoordinator() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (YakAdmin admin = YakAdmin.connect("127.0.0.1:" + port)) {
            assertThatThrownBy(admin::listTopics).isInstanceOfSatisfying(YakConnectionException.class, e -> {
                assertThat(e.reason()).isEqualTo("connection refused");
                assertThat(e.retriable()).isTrue();
            });
        }
    }
}
