package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.RecordMetadata;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker stopped cleanly tells the coordinator (Kafka's controlled shutdown): its partitions go offline at once,
 * not after the heartbeat timeout (a minute here), so records without a key move on to the other broker's
 * partitions right away; a restart brings them back.
 */
class CleanShutdownIT {
    private static final String TOPIC = "events";
    private static final long HEARTBEAT_TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldTakeACleanlyStoppedBrokersPartitionsOfflineAtOnce() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 2, 1 << 20, HEARTBEAT_TIMEOUT_MS);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(Duration.ofSeconds(20))
                .until(() -> admin.describeCluster().brokers().stream().filter(BrokerInfo::alive).count() == 2);
            admin.createTopic(TOPIC, 4);
            TopicInfo topic = admin.describeTopic(TOPIC);
            List<Integer> stopped = topic.partitions().stream().filter(p -> p.leader() == 2)
                .map(PartitionInfo::partition).toList();
            assertThat(stopped).hasSize(2);

            Properties p = new Properties();
            p.setProperty("coordinator", cluster.bootstrap());
            p.setProperty("linger.ms", "0");
            try (YakProducer producer = new YakProducer(p)) {
                for (int i = 0; i < 20; i++) {
                    producer.send(TOPIC, null, ("before " + i).getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
                }
                long epochBefore = admin.describeCluster().epoch();

                cluster.stop(2);

                // well within the minute the heartbeat timeout would take
                await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
                    ClusterMetadata md = admin.describeCluster();
                    assertThat(md.broker(2).alive()).isFalse();
                    assertThat(md.epoch()).isGreaterThan(epochBefore);
                    for (int partition : stopped) {
                        assertThat(md.topic(TOPIC).partition(partition).online()).as("partition %d", partition)
                            .isFalse();
                    }
                    // and the coordinator's push reached the producer
                    assertThat(producer.partitionsFor(TOPIC).stream().filter(PartitionInfo::online)
                        .map(PartitionInfo::partition).toList()).doesNotContainAnyElementsOf(stopped);
                });
                for (int i = 0; i < 50; i++) {
                    RecordMetadata md = producer.send(TOPIC, null, ("after " + i).getBytes(UTF_8))
                        .get(10, TimeUnit.SECONDS);
                    assertThat(md.partition()).as("record %d went to a live broker's partition", i)
                        .isNotIn(stopped);
                }
            }

            cluster.restart(2);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (int partition : stopped) {
                    assertThat(admin.describeTopic(TOPIC).partition(partition).leader()).isEqualTo(2);
                }
            });
        }
    }
}
