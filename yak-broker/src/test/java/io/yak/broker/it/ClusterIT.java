package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.ConsumerRecord;
import io.yak.client.RecordMetadata;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system on loopback: a coordinator and 3 brokers, 100,000 keyed records through a 6-partition topic,
 * read back exactly once and in order; then one broker stops abruptly, is seen dead with its partitions offline,
 * restarts, recovers its log, and every record is readable again.
 */
class ClusterIT {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;
    private static final int RECORDS = 100_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryRecordExactlyOnceAndSurviveABrokerCrash() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> aliveBrokers(admin.describeCluster()) == 3);
            admin.createTopic(TOPIC, PARTITIONS);
            TopicInfo topic = admin.describeTopic(TOPIC);
            assertThat(topic.partitionCount()).isEqualTo(PARTITIONS);
            Map<Integer, Long> leadersPerBroker = new HashMap<>();
            topic.partitions().forEach(p -> leadersPerBroker.merge(p.leader(), 1L, Long::sum));
            assertThat(leadersPerBroker).as("leaders spread evenly").containsOnly(
                Map.entry(1, 2L), Map.entry(2, 2L), Map.entry(3, 2L));

            Map<Integer, Map<Long, Integer>> stored = produce(cluster.bootstrap());
            assertThat(stored.values().stream().mapToInt(Map::size).sum()).isEqualTo(RECORDS);

            List<ConsumerRecord> first = consumeAll(cluster.bootstrap());
            assertExactlyOnceInOrder(first, stored);

            int victim = 2;
            List<Integer> victimPartitions = topic.partitions().stream()
                .filter(p -> p.leader() == victim).map(PartitionInfo::partition).toList();
            long epochBefore = admin.describeCluster().epoch();
            cluster.halt(victim);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                ClusterMetadata md = admin.describeCluster();
                assertThat(md.broker(victim).alive()).isFalse();
                assertThat(md.epoch()).isGreaterThan(epochBefore);
                for (int p : victimPartitions) {
                    assertThat(md.topic(TOPIC).partition(p).online()).as("partition %d offline", p).isFalse();
                }
            });

            cluster.restart(victim);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                ClusterMetadata md = admin.describeCluster();
                assertThat(md.broker(victim).alive()).isTrue();
                for (int p : victimPartitions) {
                    assertThat(md.topic(TOPIC).partition(p).leader()).isEqualTo(victim);
                }
            });
            List<ConsumerRecord> second = consumeAll(cluster.bootstrap());
            assertExactlyOnceInOrder(second, stored);
        }
    }

    private static long aliveBrokers(ClusterMetadata md) {
        return md.brokers().stream().filter(BrokerInfo::alive).count();
    }

    /** Sends every record; returns partition -> offset -> record number, from the acknowledgements. */
    private static Map<Integer, Map<Long, Integer>> produce(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("linger.ms", "2");
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(RECORDS);
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < RECORDS; i++) {
                acks.add(producer.send(TOPIC, key(i), value(i)));
            }
            producer.flush();
        }
        Map<Integer, Map<Long, Integer>> stored = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            RecordMetadata md = acks.get(i).get(30, TimeUnit.SECONDS);
            Integer previous = stored.computeIfAbsent(md.partition(), k -> new HashMap<>()).put(md.offset(), i);
            assertThat(previous).as("offset %d of partition %d acknowledged twice", md.offset(), md.partition())
                .isNull();
            Integer keyPartition = partitionOfKey.putIfAbsent(new String(key(i), UTF_8), md.partition());
            assertThat(keyPartition == null || keyPartition == md.partition()).as("one partition per key").isTrue();
        }
        return stored;
    }

    private static List<ConsumerRecord> consumeAll(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("auto.offset.reset", "earliest");
        List<ConsumerRecord> out = new ArrayList<>(RECORDS);
        try (YakConsumer consumer = new YakConsumer(p)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < RECORDS && System.nanoTime() < deadline) {
                out.addAll(consumer.poll(Duration.ofMillis(500)));
            }
            // Anything beyond the expected count would be a duplicate: give it a chance to show up.
            out.addAll(consumer.poll(Duration.ofMillis(300)));
        }
        return out;
    }

    private static void assertExactlyOnceInOrder(List<ConsumerRecord> records, Map<Integer, Map<Long, Integer>> stored) {
        assertThat(records).hasSize(RECORDS);
        Map<Integer, Long> lastOffset = new HashMap<>();
        for (ConsumerRecord r : records) {
            assertThat(r.topic()).isEqualTo(TOPIC);
            Long last = lastOffset.put(r.partition(), r.offset());
            assertThat(r.offset()).as("partition %d in order", r.partition()).isEqualTo(last == null ? 0 : last + 1);
            Integer i = stored.get(r.partition()).get(r.offset());
            assertThat(i).as("record at %d/%d was acknowledged", r.partition(), r.offset()).isNotNull();
            assertThat(r.key()).isEqualTo(key(i));
            assertThat(r.value()).isEqualTo(value(i));
        }
        for (Map.Entry<Integer, Map<Long, Integer>> e : stored.entrySet()) {
            assertThat(lastOffset.get(e.getKey()) + 1).isEqualTo(e.getValue().size());
        }
    }

    private static byte[] key(int i) {
        return ("key-" + (i % 997)).getBytes(UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i + "-" + "x".repeat(i % 50)).getBytes(UTF_8);
    }
}
