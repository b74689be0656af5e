package io.yak.broker.it;

import static io.yak.broker.log.LogTestSupport.flipByte;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.testing.CapturedLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live broker that cannot serve one of its partitions (a sealed segment with a CRC32C mismatch) tells the
 * coordinator, which shows that partition without a leader, as a client sees it, while the broker stays alive and
 * keeps leading its other partitions; once the segment is repaired and the broker restarted, the partition has its
 * leader back.
 */
class DamagedPartitionIT {
    private static final String TOPIC = "damaged";
    private static final int VICTIM = 1;
    /** STORAGE.md, "Segment header": the first batch of a segment starts after these bytes. */
    private static final int SEGMENT_HEADER_BYTES = 16;
    private static final Duration AWAIT = Duration.ofSeconds(20);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldShowAPartitionItsLiveBrokerCannotServeWithoutLeaderAndLeadItAgainOnceRepaired() throws Exception {
        try (CapturedLogs leadership = new CapturedLogs("io.yak.coordinator.cluster.PartitionStates");
             TestCluster cluster = new TestCluster(dir, 1, LogConfig.MIN_SEGMENT_BYTES);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(AWAIT).until(() -> cluster.broker(1).registered());
            admin.createTopic(TOPIC, 3);
            Path victimDir = PartitionLog.directoryFor(cluster.root().resolve("broker-1"), TOPIC, VICTIM);
            try (YakProducer producer = producer(cluster)) {
                for (int i = 0; i < 20; i++) {
                    send(producer, i % 3, i); // one batch per record: several sealed segments per partition
                }
            }
            assertThat(segments(victimDir)).as("sealed segments and the active one").isGreaterThanOrEqualTo(3);

            // Stop the broker, then flip a record byte of the first sealed segment's first batch. Without a
            // recovery point (and after an unclean stop) the next open checks every sealed segment and refuses it.
            cluster.halt(1);
            Files.deleteIfExists(victimDir.resolve("recovery-point"));
            Files.deleteIfExists(victimDir.resolve(".clean_shutdown"));
            Path firstSegment = victimDir.resolve("00000000000000000000.log");
            long damaged = SEGMENT_HEADER_BYTES + RecordBatchLayout.RECORDS_OFFSET + 2;
            flipByte(firstSegment, damaged);
            cluster.restart(1);

            await().atMost(AWAIT).untilAsserted(() -> {
                ClusterMetadata md = admin.describeCluster();
                assertThat(md.broker(1).alive()).as("the broker itself is alive").isTrue();
                TopicInfo t = md.topic(TOPIC);
                assertThat(t.partition(VICTIM)).extracting(PartitionInfo::leader, PartitionInfo::preferredLeader)
                    .containsExactly(PartitionInfo.NO_LEADER, 1);
                assertThat(t.partition(0).leader()).isEqualTo(1);
                assertThat(t.partition(2).leader()).isEqualTo(1);
            });
            // It stays that way: every heartbeat lists it again, and nothing flaps.
            long epoch = admin.describeCluster().epoch();
            await().during(Duration.ofMillis(10 * TestCluster.HEARTBEAT_INTERVAL_MS)).atMost(AWAIT).until(() -> {
                ClusterMetadata md = admin.describeCluster();
                return md.epoch() == epoch && !md.topic(TOPIC).partition(VICTIM).online();
            });
            assertThat(leadership.at(Level.INFO)).anySatisfy(line -> assertThat(line).startsWith(
                "partition damaged-1 leader 1 -> none").contains("(broker 1 reports it cannot serve it; the reason is "
                    + "in that broker's log)"));
            int offlineLeaderEpoch = admin.describeTopic(TOPIC).partition(VICTIM).leaderEpoch();
            try (YakProducer producer = producer(cluster)) {
                send(producer, 0, 100); // the broker's other partitions are served as before
            }

            // The operator repairs the segment and restarts the broker: the partition is led again, in a new term.
            cluster.halt(1);
            flipByte(firstSegment, damaged);
            cluster.restart(1);
            await().atMost(AWAIT).untilAsserted(() -> {
                PartitionInfo p = admin.describeTopic(TOPIC).partition(VICTIM);
                assertThat(p.leader()).isEqualTo(1);
                assertThat(p.leaderEpoch()).isGreaterThan(offlineLeaderEpoch);
            });
            assertThat(leadership.at(Level.INFO)).anySatisfy(line -> assertThat(line).startsWith(
                "partition damaged-1 leader none -> 1"));
            try (YakProducer producer = producer(cluster)) {
                send(producer, VICTIM, 101);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepEveryPartitionOfABrokerOfflineWhenItsDataDirComesBackEmpty() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 1, LogConfig.MIN_SEGMENT_BYTES);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(AWAIT).until(() -> cluster.broker(1).registered());
            admin.createTopic(TOPIC, 3);
            try (YakProducer producer = producer(cluster)) {
                for (int i = 0; i < 6; i++) {
                    send(producer, i % 3, i);
                }
            }
            // The disk "does not mount": the broker restarts on an empty directory at the same path.
            cluster.halt(1);
            Path dataDir = cluster.root().resolve("broker-1");
            Files.move(dataDir, dir.resolve("unmounted"));
            Files.createDirectories(dataDir);
            cluster.restart(1);

            await().atMost(AWAIT).untilAsserted(() -> {
                ClusterMetadata md = admin.describeCluster();
                assertThat(md.broker(1).alive()).isTrue();
                assertThat(md.topic(TOPIC).partitions()).extracting(PartitionInfo::leader)
                    .containsOnly(PartitionInfo.NO_LEADER);
            });
            assertThat(PartitionLog.directoryFor(dataDir, TOPIC, 0)).as("nothing created empty").doesNotExist();
            admin.createTopic("fresh", 1); // a topic created now is new on this broker: it is served
            try (YakProducer producer = producer(cluster)) {
                producer.send("fresh", 0, null, "x".getBytes(UTF_8), System.currentTimeMillis())
                    .get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static YakProducer producer(TestCluster cluster) {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        return new YakProducer(p);
    }

    private static void send(YakProducer producer, int partition, int i) throws Exception {
        producer.send(TOPIC, partition, ("k" + i).getBytes(UTF_8), ("value-" + i + "-" + "x".repeat(300))
            .getBytes(UTF_8), System.currentTimeMillis()).get(30, TimeUnit.SECONDS);
    }

    private static long segments(Path partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }
}
