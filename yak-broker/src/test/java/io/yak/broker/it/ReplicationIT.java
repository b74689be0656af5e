package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.ConsumerRecord;
import io.yak.client.RecordMetadata;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
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
 * Three brokers in this JVM, a topic with replication factor 3: acks=all records survive the crash of every
 * partition's leader in turn (a new leader is elected from the ISR within the heartbeat timeout), the crashed
 * broker rejoins as a follower and catches up, and every acknowledged record is read back exactly once, in order.
 */
class ReplicationIT {
    private static final String TOPIC = "replicated";
    private static final int PARTITIONS = 3;
    private static final int ROUND = 3000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldLoseNoAcknowledgedRecordWhenLeadersCrash() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(TOPIC, PARTITIONS, (short) 3, Map.of());
            TopicInfo topic = admin.describeTopic(TOPIC);
            for (PartitionInfo p : topic.partitions()) {
                assertThat(p.replicas()).hasSize(3).doesNotHaveDuplicates();
                assertThat(p.isr()).containsExactlyInAnyOrderElementsOf(p.replicas());
                assertThat(p.leader()).isEqualTo(p.preferredLeader());
            }
            Map<Integer, Map<Long, Integer>> stored = new HashMap<>();
            int sent = 0;
            sent = produce(cluster.bootstrap(), sent, stored);
            for (int round = 0; round < PARTITIONS; round++) {
                int partition = round;
                int victim = admin.describeTopic(TOPIC).partition(partition).leader();
                int leaderEpoch = admin.describeTopic(TOPIC).partition(partition).leaderEpoch();
                cluster.halt(victim);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    PartitionInfo p = admin.describeTopic(TOPIC).partition(partition);
                    assertThat(p.leader()).as("a new leader from the ISR").isNotIn(victim, PartitionInfo.NO_LEADER);
                    assertThat(p.leaderEpoch()).isGreaterThan(leaderEpoch);
                    assertThat(p.isr()).doesNotContain(victim);
                });
                sent = produce(cluster.bootstrap(), sent, stored);
                cluster.restart(victim);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (PartitionInfo p : admin.describeTopic(TOPIC).partitions()) {
                        assertThat(p.isr()).as("partition %d back in sync", p.partition()).hasSize(3);
                    }
                });
            }
            List<ConsumerRecord> read = consumeAll(cluster.bootstrap(), sent);
            assertExactlyOnceInOrder(read, stored, sent);
        }
    }

    /** Sends ROUND keyed records with acks=all; records partition -> offset -> record number from the acks. */
    private static int produce(String bootstrap, int from, Map<Integer, Map<Long, Integer>> stored) throws Exception {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("acks", "all");
        p.setProperty("linger.ms", "2");
        List<CompletableFuture<RecordMetadata>> acks = new ArrayList<>(ROUND);
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = from; i < from + ROUND; i++) {
                acks.add(producer.send(TOPIC, key(i), value(i)));
            }
            producer.flush();
        }
        for (int i = 0; i < ROUND; i++) {
            RecordMetadata md = acks.get(i).get(60, TimeUnit.SECONDS);
            Integer previous = stored.computeIfAbsent(md.partition(), k -> new HashMap<>()).put(md.offset(), from + i);
            assertThat(previous).as("offset %d of partition %d acknowledged twice", md.offset(), md.partition())
                .isNull();
        }
        return from + ROUND;
    }

    private static List<ConsumerRecord> consumeAll(String bootstrap, int expected) {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("auto.offset.reset", "earliest");
        List<ConsumerRecord> out = new ArrayList<>(expected);
        try (YakConsumer consumer = new YakConsumer(p)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (out.size() < expected && System.nanoTime() < deadline) {
                out.addAll(consumer.poll(Duration.ofMillis(500)));
            }
            out.addAll(consumer.poll(Duration.ofMillis(300)));
        }
        return out;
    }

    /**
     * Every acknowledged record is read exactly once at the offset it was acknowledged with. Records that were
     * retried after a leader crash may also be stored twice (no idempotence yet): those extra copies are allowed
     * only at offsets nobody acknowledged.
     */
    private static void assertExactlyOnceInOrder(List<ConsumerRecord> records, Map<Integer, Map<Long, Integer>> stored,
                                                 int sent) {
        Map<Integer, Long> lastOffset = new HashMap<>();
        int acknowledgedRead = 0;
        for (ConsumerRecord r : records) {
            Long last = lastOffset.put(r.partition(), r.offset());
            assertThat(r.offset()).as("partition %d in order, no gap", r.partition())
                .isEqualTo(last == null ? 0 : last + 1);
            Integer i = stored.get(r.partition()).get(r.offset());
            if (i != null) {
                acknowledgedRead++;
                assertThat(r.key()).isEqualTo(key(i));
                assertThat(r.value()).isEqualTo(value(i));
            }
        }
        assertThat(acknowledgedRead).as("every acknowledged record read back").isEqualTo(sent);
    }

    private static byte[] key(int i) {
        return ("key-" + (i % 997)).getBytes(UTF_8);
    }

    private static byte[] value(int i) {
        return ("value-" + i).getBytes(UTF_8);
    }
}
