package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.client.RecordMetadata;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.testing.CapturedLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, scenario 5: a broker restarted on an empty data.dir (a disk that did not mount) while the cluster has
 * replicas on it. It keeps those partitions offline on itself ({@code broker.meta} is missing, STORAGE.md "Partition
 * directory"): it creates no empty log, fetches nothing, never joins an ISR, and when every ISR member dies the
 * partitions stay offline instead of moving to it. Once the operator confirms the loss (writes {@code broker.meta})
 * and restarts it, it re-replicates from the leaders and joins each ISR only with a log that reached the leader's end;
 * the replicas end byte-identical.
 */
class EmptyDataDirIT {
    private static final String TOPIC = "restored";
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 12_000;
    private static final int VICTIM = 3;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldNeitherJoinTheIsrNorLeadWithAnEmptyLogUntilReplicated() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(TOPIC, PARTITIONS, 3, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
            Map<Integer, Map<Long, String>> acked = new HashMap<>();
            produce(cluster.bootstrap(), 0, RECORDS, acked);

            Path victimDir = cluster.root().resolve("broker-" + VICTIM);
            cluster.stop(VICTIM);
            deleteTree(victimDir);
            try (CapturedLogs logs = new CapturedLogs("io.yak.broker")) {
                cluster.restart(VICTIM);
                await().atMost(Duration.ofSeconds(10)).until(() -> alive(cluster, VICTIM));
                await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (PartitionInfo p : admin.describeTopic(TOPIC).partitions()) {
                        assertThat(p.isr()).as("partition %d isr", p.partition()).doesNotContain(VICTIM);
                        assertThat(p.leader()).as("partition %d leader", p.partition()).isNotEqualTo(VICTIM);
                    }
                    assertThat(partitionDirs(victimDir)).as("no log created empty").isEmpty();
                    assertThat(victimDir.resolve("broker.meta")).doesNotExist();
                });
                assertThat(logs.at(Level.ERROR)).anyMatch(line -> line.contains("is the disk mounted"));
            }

            // Every ISR member dies: the partitions wait for one of them rather than move to the empty broker.
            cluster.halt(1);
            cluster.halt(2);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (PartitionInfo p : admin.describeTopic(TOPIC).partitions()) {
                    assertThat(p.leader()).as("partition %d offline", p.partition()).isEqualTo(PartitionInfo.NO_LEADER);
                }
            });
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (PartitionInfo p : admin.describeTopic(TOPIC).partitions()) {
                    assertThat(p.leader()).as("partition %d never led by %d", p.partition(), VICTIM)
                        .isEqualTo(PartitionInfo.NO_LEADER);
                    assertThat(p.isr()).doesNotContain(VICTIM);
                }
            });
            cluster.restart(1);
            cluster.restart(2);
            Map<Integer, Long> ends = new TreeMap<>();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (PartitionInfo p : admin.describeTopic(TOPIC).partitions()) {
                    assertThat(p.isr()).as("partition %d isr", p.partition()).containsExactlyInAnyOrder(1, 2);
                }
                Map<Integer, Long> hw = admin.highWatermarks(TOPIC);
                for (Map.Entry<Integer, Map<Long, String>> e : acked.entrySet()) {
                    assertThat(hw.get(e.getKey())).isGreaterThan(((TreeMap<Long, String>) e.getValue()).lastKey());
                }
                ends.putAll(hw);
            });

            // The operator confirms the loss: the broker starts its logs empty and replicates them.
            cluster.stop(VICTIM);
            Files.writeString(victimDir.resolve("broker.meta"), "broker.id=" + VICTIM + "\n");
            cluster.restart(VICTIM);
            Map<Integer, Long> endAtJoin = watchIsrJoins(cluster, victimDir);
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(endAtJoin.get(p)).as("log end of partition %d on broker %d when it joined the ISR (the "
                    + "leader's end is %d)", p, VICTIM, ends.get(p)).isGreaterThanOrEqualTo(ends.get(p));
            }
            produce(cluster.bootstrap(), RECORDS, 1000, acked);
            int found = ReadBack.assertAcknowledgedReadBack(ReadBack.readAll(cluster.bootstrap(), TOPIC, PARTITIONS),
                acked);
            assertThat(found).isEqualTo(RECORDS + 1000);
            Map<Integer, Long> finalHw = admin.highWatermarks(TOPIC);
            for (int b = 1; b <= 3; b++) {
                cluster.stop(b);
            }
            for (int p = 0; p < PARTITIONS; p++) {
                LastReplicaStandingIT.assertReplicasIdentical(cluster.root(), TOPIC + "-" + p, finalHw.get(p));
            }
        }
    }

    /**
     * Polls the coordinator's view every millisecond until {@link #VICTIM} is in every partition's ISR; the moment
     * it first shows in one, reads the log end of its copy from its files.
     */
    private static Map<Integer, Long> watchIsrJoins(TestCluster cluster, Path victimDir) throws Exception {
        Map<Integer, Long> endAtJoin = new TreeMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (endAtJoin.size() < PARTITIONS) {
            assertThat(System.nanoTime()).as("broker %d joins every ISR within 60 s", VICTIM).isLessThan(deadline);
            TopicInfo t = cluster.coordinator().metadata().topic(TOPIC);
            for (PartitionInfo p : t.partitions()) {
                if (p.isr().contains(VICTIM) && !endAtJoin.containsKey(p.partition())) {
                    long end = PartitionFiles.logEndOffset(victimDir.resolve(TOPIC + "-" + p.partition()));
                    endAtJoin.put(p.partition(), end);
                    System.out.println("EmptyDataDirIT: broker " + VICTIM + " joined the ISR of partition "
                        + p.partition() + " with log end " + end);
                }
                assertThat(p.leader()).isNotEqualTo(VICTIM);
            }
            Thread.sleep(1);
        }
        return endAtJoin;
    }

    private static boolean alive(TestCluster cluster, int id) {
        BrokerInfo b = cluster.coordinator().metadata().broker(id);
        return b != null && b.alive();
    }

    private static List<Path> partitionDirs(Path dataDir) throws IOException {
        if (!Files.exists(dataDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dataDir)) {
            return s.filter(Files::isDirectory).toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@code count} records of about 700 bytes with acks=all, acknowledged offsets into {@code acked}. */
    private static void produce(String bootstrap, int from, int count, Map<Integer, Map<Long, String>> acked)
            throws Exception {
        Properties props = new Properties();
        props.setProperty("coordinator", bootstrap);
        props.setProperty("acks", "all");
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>(count);
        String padding = "p".repeat(700);
        try (YakProducer producer = new YakProducer(props)) {
            for (int i = from; i < from + count; i++) {
                sent.add(producer.send(TOPIC, ("k" + i).getBytes(UTF_8), (i + padding).getBytes(UTF_8)));
            }
            producer.flush();
        }
        for (int i = 0; i < count; i++) {
            RecordMetadata md = sent.get(i).get(60, TimeUnit.SECONDS);
            ReadBack.acknowledge(acked.computeIfAbsent(md.partition(), k -> new TreeMap<>()), md.partition(),
                md.offset(), (from + i) + padding);
        }
    }
}
