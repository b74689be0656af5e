package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.ConsumerRecord;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.PublishResponse;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.record.RecordBatchBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idempotent producer end to end: a retried batch is stored once, whether its answer was lost, it reaches a new
 * leader, or the broker restarted in between ({@code WIRE.md}, "Idempotent publishes").
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class IdempotentProducerIT {
    private static final long PRODUCER_ID = 4242;

    @TempDir
    Path dir;

    private static ByteBuf batch(int sequence, int count) {
        ByteBuf out = Unpooled.buffer();
        RecordBatchBuilder builder = new RecordBatchBuilder();
        long now = System.currentTimeMillis();
        builder.begin(out, now, PRODUCER_ID, (short) 0, sequence);
        for (int i = 0; i < count; i++) {
            builder.append(now, null, ("s" + (sequence + i)).getBytes(UTF_8));
        }
        builder.finish();
        return out;
    }

    private static PublishResponse publish(NetworkClient client, HostPort leader, String topic, int sequence,
                                           int count) throws Exception {
        return (PublishResponse) client.connection(leader)
            .send(new PublishRequest(topic, 0, (short) -1, 10_000, batch(sequence, count))).get(20, TimeUnit.SECONDS);
    }

    private static long logEnd(NetworkClient client, HostPort leader, String topic) throws Exception {
        ListOffsetsResponse r = (ListOffsetsResponse) client.connection(leader)
            .send(new ListOffsetsRequest(topic, 0, ListOffsetsRequest.NO_LEADER_EPOCH, -1)).get(20, TimeUnit.SECONDS);
        assertThat(r.error()).isEqualTo(ErrorCode.NONE);
        return r.offset();
    }

    private static HostPort leaderAddress(TestCluster cluster, YakAdmin admin, String topic) {
        int leader = admin.describeTopic(topic).partition(0).leader();
        return new HostPort("127.0.0.1", cluster.broker(leader).address().getPort());
    }

    @Test
    void shouldAnswerARetryWithItsFirstOffsetAfterALeaderChangeAndAfterRestarts() throws Exception {
        String topic = "retried";
        try (TestCluster cluster = new TestCluster(dir, 3, 4096);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap());
             NetworkClient client = NetworkClient.builder("idempotence-test").build()) {
            admin.createTopic(topic, 1, (short) 3, Map.of());
            HostPort leader = leaderAddress(cluster, admin, topic);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> // until the leader opened the partition
                assertThat(publish(client, leader, topic, 0, 3)).extracting(PublishResponse::error,
                    PublishResponse::baseOffset).containsExactly(ErrorCode.NONE, 0L));
            // the answer was lost: the producer sends the same batch again
            assertThat(publish(client, leader, topic, 0, 3)).extracting(PublishResponse::error,
                PublishResponse::baseOffset).containsExactly(ErrorCode.NONE, 0L);
            assertThat(logEnd(client, leader, topic)).isEqualTo(3);
            assertThat(publish(client, leader, topic, 5, 1).error()).isEqualTo(ErrorCode.OUT_OF_ORDER_SEQUENCE);
            for (int i = 1; i <= 30; i++) { // several segments: snapshots at the rolls
                assertThat(publish(client, leader, topic, i * 3, 3).baseOffset()).isEqualTo(i * 3L);
            }

            // A new leader knows the producer from the batches it replicated.
            int old = admin.describeTopic(topic).partition(0).leader();
            cluster.halt(old);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                int now = admin.describeTopic(topic).partition(0).leader();
                return now != old && now != PartitionInfo.NO_LEADER;
            });
            HostPort next = leaderAddress(cluster, admin, topic);
            assertThat(publish(client, next, topic, 90, 3).baseOffset()).isEqualTo(90);
            assertThat(publish(client, next, topic, 90, 3).baseOffset()).as("a retry at the new leader").isEqualTo(90);
            assertThat(publish(client, next, topic, 87, 3).baseOffset()).isEqualTo(87);
            assertThat(logEnd(client, next, topic)).isEqualTo(93);
            cluster.restart(old);
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTopic(topic).partition(0).isr().size()
                == 3);

            // Every broker in turn restarts, cleanly or as a crash: whoever leads then still knows the producer.
            for (int id = 1; id <= 3; id++) {
                int victim = id;
                if (victim % 2 == 0) {
                    cluster.stop(victim);
                } else {
                    cluster.halt(victim);
                }
                cluster.restart(victim);
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    PartitionInfo p = admin.describeTopic(topic).partition(0);
                    return p.isr().size() == 3 && p.leader() != PartitionInfo.NO_LEADER;
                });
                HostPort now = leaderAddress(cluster, admin, topic);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(publish(client, now, topic, 90, 3)).extracting(PublishResponse::error,
                        PublishResponse::baseOffset).containsExactly(ErrorCode.NONE, 90L));
                assertThat(logEnd(client, now, topic)).isEqualTo(93);
            }
            HostPort last = leaderAddress(cluster, admin, topic);
            assertThat(publish(client, last, topic, 93, 1).baseOffset()).isEqualTo(93);
        }
    }

    @Test
    void shouldStoreEachRecordOnceWhenAnswersAreLost() throws Exception {
        String topic = "lost-answers";
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(topic, 3, (short) 3, Map.of());
            Properties config = new Properties();
            config.setProperty("coordinator", cluster.bootstrap());
            // Answers to acks=all come after the followers fetched: most arrive after 1 ms, so the producer gives up
            // on them and sends the batches again, which the leader already stored.
            config.setProperty("request.timeout.ms", "1");
            config.setProperty("retry.backoff.ms", "5");
            config.setProperty("linger.ms", "1");
            Map<Integer, Map<Long, String>> acked = new ConcurrentHashMap<>();
            AtomicInteger failed = new AtomicInteger();
            int records = 3000;
            try (YakProducer producer = new YakProducer(config)) {
                for (int i = 0; i < records; i++) {
                    send(producer, topic, i, acked, failed);
                }
                producer.flush();
            }
            assertThat(failed.get()).isZero();
            Map<Integer, List<ConsumerRecord>> read = ReadBack.readAll(cluster.bootstrap(), topic, 3);
            assertThat(ReadBack.assertAcknowledgedReadBack(read, acked)).isEqualTo(records);
            ReadBack.assertNoDuplicates(read);
            assertThat(read.values().stream().mapToInt(List::size).sum()).isEqualTo(records);
            assertSendOrder(read);
        }
    }

    @Test
    void shouldStoreEachRecordOnceInOrderAcrossALeaderCrash() throws Exception {
        String topic = "failover";
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(topic, 3, (short) 3, Map.of());
            Properties config = new Properties();
            config.setProperty("coordinator", cluster.bootstrap());
            config.setProperty("linger.ms", "1");
            config.setProperty("retry.backoff.ms", "20");
            Map<Integer, Map<Long, String>> acked = new ConcurrentHashMap<>();
            AtomicInteger failed = new AtomicInteger();
            int records = 12_000;
            int victim = admin.describeTopic(topic).partition(0).leader();
            try (YakProducer producer = new YakProducer(config)) {
                long start = System.nanoTime();
                for (int i = 0; i < records; i++) {
                    if (i == records / 3) {
                        cluster.halt(victim); // while requests of every partition are in flight
                    } else if (i == 2 * records / 3) {
                        cluster.restart(victim);
                    }
                    long due = start + i * TimeUnit.MILLISECONDS.toNanos(1) / 3; // 3,000 records/s
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    send(producer, topic, i, acked, failed);
                }
                producer.flush();
            }
            assertThat(failed.get()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTopic(topic).partitions().stream()
                .allMatch(p -> p.isr().size() == 3));
            Map<Integer, List<ConsumerRecord>> read = ReadBack.readAll(cluster.bootstrap(), topic, 3);
            assertThat(ReadBack.assertAcknowledgedReadBack(read, acked)).isEqualTo(records);
            ReadBack.assertNoDuplicates(read);
            assertThat(read.values().stream().mapToInt(List::size).sum()).isEqualTo(records);
            assertSendOrder(read);
        }
    }

    /** Sends "v<i>" to partition i % 3 and records its acknowledgement or failure. */
    private static void send(YakProducer producer, String topic, int i, Map<Integer, Map<Long, String>> acked,
                             AtomicInteger failed) {
        String value = "v" + i;
        int partition = i % 3;
        producer.send(topic, partition, null, value.getBytes(UTF_8), System.currentTimeMillis())
            .whenComplete((md, e) -> {
                if (e != null) {
                    failed.incrementAndGet();
                } else {
                    ReadBack.acknowledge(acked.computeIfAbsent(partition, p -> new ConcurrentHashMap<>()), partition,
                        md.offset(), value);
                }
            });
    }

    /** Each partition holds its records in the order they were sent: values "v<i>" with increasing i. */
    private static void assertSendOrder(Map<Integer, List<ConsumerRecord>> read) {
        for (Map.Entry<Integer, List<ConsumerRecord>> e : read.entrySet()) {
            List<Integer> numbers = new ArrayList<>();
            for (ConsumerRecord r : e.getValue()) {
                numbers.add(Integer.parseInt(new String(r.value(), UTF_8).substring(1)));
            }
            assertThat(numbers).as("partition %d in send order", e.getKey()).isSorted();
        }
    }

}
