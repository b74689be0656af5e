package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.TopicPartition;
import io.yak.client.admin.YakAdmin;
import io.yak.client.cli.YakCli;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import io.yak.client.ConsumerRecord;
import io.yak.client.admin.OffsetReset;
import io.yak.client.admin.ResetSpec;
import io.yak.wire.ErrorCode;
import io.yak.client.YakException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, administration: every {@code yak groups} and {@code yak topics delete} command run in-process, as the CLI
 * runs them, against a real coordinator and brokers in this JVM.
 */
class AdminCliIT {
    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /** One CLI run: exit code, stdout, stderr. */
    record Run(int code, String out, String err) {
    }

    private static Run yak(TestCluster cluster, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--coordinator");
        all.add(cluster.bootstrap());
        int code = YakCli.run(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8), all.toArray(new String[0]));
        return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    private static Run ok(TestCluster cluster, String... args) {
        Run r = yak(cluster, args);
        assertThat(r.code()).as("exit code of %s; stderr: %s", List.of(args), r.err()).isZero();
        return r;
    }

    private TestCluster cluster(int brokers) throws Exception {
        TestCluster c = new TestCluster(dir, brokers, 1 << 20);
        toClose.add(c);
        return c;
    }

    private YakProducer producer(TestCluster cluster) {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("acks", "all");
        YakProducer producer = new YakProducer(p);
        toClose.add(producer);
        return producer;
    }

    private static void produce(YakProducer producer, String topic, int partition, int count, String prefix)
            throws Exception {
        for (int i = 0; i < count; i++) {
            producer.send(topic, partition, null, (prefix + i).getBytes(UTF_8), System.currentTimeMillis())
                .get(30, TimeUnit.SECONDS);
        }
    }

    /** The line of {@code out} that starts with {@code prefix}'s words (split on any spaces). */
    private static List<String> rowStartingWith(String out, String... words) {
        for (String line : out.split("\n")) {
            List<String> cells = List.of(line.trim().split("\\s+"));
            if (cells.size() >= words.length && cells.subList(0, words.length).equals(List.of(words))) {
                return cells;
            }
        }
        throw new AssertionError("no line starting with " + List.of(words) + " in:\n" + out);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldListDescribeResetAndDeleteGroups() throws Exception {
        TestCluster cluster = cluster(1);
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic("lagged", 2);
        }
        YakProducer producer = producer(cluster);
        produce(producer, "lagged", 0, 10, "a");
        produce(producer, "lagged", 1, 3, "b");

        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("group.id", "g1");
        p.setProperty("client.id", "lag-client");
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("auto.offset.reset", "earliest");
        YakConsumer consumer = new YakConsumer(p);
        try {
            consumer.subscribe(List.of("lagged"));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return consumer.assignment().size() == 2;
            });
            consumer.commitSync(Map.of(new TopicPartition("lagged", 0), 4L));

            Run list = ok(cluster, "groups", "list");
            assertThat(rowStartingWith(list.out(), "g1")).containsExactly("g1", "Stable", "1");

            Run describe = ok(cluster, "groups", "describe", "--group", "g1");
            assertThat(describe.out()).contains("STATE Stable").contains("consumer/").contains("lag-client")
                .contains("127.0.0.1")
                .contains("lagged-0,lagged-1");
            // lag: 10 produced, 4 committed
            assertThat(rowStartingWith(describe.out(), "lagged", "0").subList(0, 5))
                .containsExactly("lagged", "0", "4", "10", "6");
            assertThat(rowStartingWith(describe.out(), "lagged", "1").subList(0, 5))
                .containsExactly("lagged", "1", "-", "3", "-");

            Run refused = yak(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged",
                "--to-earliest", "--execute");
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.err()).contains("consumer group is not inactive").contains("Stable");
            Run notEmpty = yak(cluster, "groups", "delete", "--group", "g1");
            assertThat(notEmpty.code()).isEqualTo(1);
            assertThat(notEmpty.err()).contains("NON_EMPTY_GROUP");
        } finally {
            consumer.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() ->
            rowStartingWith(ok(cluster, "groups", "list").out(), "g1").get(1).equals("Empty"));

        Run dryRun = ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--to-earliest");
        assertThat(rowStartingWith(dryRun.out(), "g1", "lagged", "0")).containsExactly("g1", "lagged", "0", "4", "0");
        assertThat(rowStartingWith(dryRun.out(), "g1", "lagged", "1")).containsExactly("g1", "lagged", "1", "-", "0");
        assertThat(dryRun.err()).contains("dry run");
        assertThat(rowStartingWith(ok(cluster, "groups", "describe", "--group", "g1").out(), "lagged", "0").get(2))
            .as("a dry run commits nothing").isEqualTo("4");

        ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--to-earliest", "--execute");
        assertThat(rowStartingWith(ok(cluster, "groups", "describe", "--group", "g1").out(), "lagged", "0")
            .subList(0, 5)).containsExactly("lagged", "0", "0", "10", "10");
        ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--shift-by", "3", "--execute");
        Run shifted = ok(cluster, "groups", "describe", "--group", "g1");
        assertThat(rowStartingWith(shifted.out(), "lagged", "0").get(2)).isEqualTo("3");
        assertThat(rowStartingWith(shifted.out(), "lagged", "1").get(2)).isEqualTo("3");
        Run clamped = ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--to-offset",
            "100", "--execute");
        assertThat(rowStartingWith(clamped.out(), "g1", "lagged", "0").get(4)).as("clamped to the log end")
            .isEqualTo("10");
        assertThat(rowStartingWith(clamped.out(), "g1", "lagged", "1").get(4)).isEqualTo("3");
        Run future = ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--to-datetime",
            "2999-01-01T00:00:00Z");
        assertThat(rowStartingWith(future.out(), "g1", "lagged", "0").get(4)).isEqualTo("10");
        Run past = ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--to-datetime",
            "2000-01-01T00:00:00Z", "--execute");
        assertThat(rowStartingWith(past.out(), "g1", "lagged", "0").get(4)).isEqualTo("0");
        ok(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged", "--to-latest", "--execute");
        assertThat(rowStartingWith(ok(cluster, "groups", "describe", "--group", "g1").out(), "lagged", "0")
            .subList(2, 5)).containsExactly("10", "10", "0");

        Run noTarget = yak(cluster, "groups", "reset-offsets", "--group", "g1", "--topic", "lagged");
        assertThat(noTarget.code()).isEqualTo(2);
        Run unknown = yak(cluster, "groups", "describe", "--group", "nobody");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("consumer group 'nobody' does not exist").contains("GROUP_ID_NOT_FOUND");

        assertThat(ok(cluster, "groups", "delete", "--group", "g1").out()).contains("Deleted consumer group g1");
        assertThat(ok(cluster, "groups", "list").out()).doesNotContain("g1");
        assertThat(yak(cluster, "groups", "describe", "--group", "g1").code()).isEqualTo(1);
        assertThat(yak(cluster, "groups", "delete", "--group", "g1").err()).contains("GROUP_ID_NOT_FOUND");
    }

    private Path partitionDir(int broker, String name) {
        return dir.resolve("broker-" + broker).resolve(name);
    }

    private static String topicIdFile(Path partitionDir) throws Exception {
        return Files.readString(partitionDir.resolve("partition.meta"), UTF_8);
    }

    /**
     * A topic of three replicas is deleted while one broker is down: the live brokers drop its partitions at once,
     * its committed offsets are gone, and the broker that comes back deletes its old copy instead of serving it. The
     * topic created again starts empty at offset 0 on every replica and reads back only the new records.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldDeleteATopicEverywhereAlsoOnABrokerThatWasDownAndCreateItAgainEmpty() throws Exception {
        TestCluster cluster = cluster(3);
        assertThat(ok(cluster, "topics", "create", "--topic", "doomed", "--partitions", "2", "--replication-factor",
            "3").out()).contains("Created topic doomed");
        YakProducer producer = producer(cluster);
        produce(producer, "doomed", 0, 5, "old");
        produce(producer, "doomed", 1, 5, "old");
        long oldId;
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            oldId = admin.describeTopic("doomed").topicId();
            admin.commitOffsets("gd", List.of(new OffsetReset(new TopicPartition("doomed", 0), -1, 3)));
        }
        for (int b = 1; b <= 3; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(partitionDir(broker, "doomed-1")
                .resolve("partition.meta")));
            assertThat(topicIdFile(partitionDir(b, "doomed-0"))).contains("topic.id=" + oldId);
        }

        cluster.stop(3);
        assertThat(ok(cluster, "topics", "delete", "--topic", "doomed").out()).contains("Deleted topic doomed");
        assertThat(ok(cluster, "topics", "list").out()).doesNotContain("doomed");
        for (int b = 1; b <= 2; b++) {
            int broker = b;
            await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(partitionDir(broker, "doomed-0"))
                && !Files.exists(partitionDir(broker, "doomed-1")));
        }
        assertThat(partitionDir(3, "doomed-0")).as("broker 3 was down").exists();
        Run gone = yak(cluster, "groups", "describe", "--group", "gd");
        assertThat(gone.code()).as("the group's only offsets were of the deleted topic").isEqualTo(1);
        assertThat(yak(cluster, "topics", "delete", "--topic", "doomed").err()).contains("UNKNOWN_TOPIC");
        Run badName = yak(cluster, "topics", "delete", "--topic", "no/such name");
        assertThat(badName.code()).isEqualTo(1);
        assertThat(badName.err()).contains("INVALID_TOPIC").contains("must match");

        cluster.restart(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(partitionDir(3, "doomed-0"))
            && !Files.exists(partitionDir(3, "doomed-1")));

        ok(cluster, "topics", "create", "--topic", "doomed", "--partitions", "2", "--replication-factor", "3");
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            long newId = admin.describeTopic("doomed").topicId();
            assertThat(newId).isGreaterThan(oldId);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.highWatermarks("doomed")).containsEntry(0, 0L).containsEntry(1, 0L));
            assertThat(admin.logStartOffsets("doomed")).containsEntry(0, 0L).containsEntry(1, 0L);
            for (int b = 1; b <= 3; b++) {
                int broker = b;
                await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(partitionDir(broker, "doomed-0")
                    .resolve("partition.meta")) && topicIdFile(partitionDir(broker, "doomed-0"))
                    .contains("topic.id=" + newId));
            }
        }
        produce(producer, "doomed", 0, 3, "new");
        Map<Integer, List<ConsumerRecord>> read = ReadBack.readAll(cluster.bootstrap(), "doomed", 2);
        assertThat(read.get(0)).extracting(r -> new String(r.value(), UTF_8)).containsExactly("new0", "new1", "new2");
        assertThat(read.get(0)).extracting(ConsumerRecord::offset).containsExactly(0L, 1L, 2L);
        assertThat(read.get(1)).isEmpty();

        // re-created while a broker is down, placed elsewhere: the old copy there has another topic id
        ok(cluster, "topics", "create", "--topic", "phoenix", "--partitions", "1", "--replication-factor", "3");
        produce(producer, "phoenix", 0, 4, "old");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(partitionDir(3, "phoenix-0")
            .resolve("partition.meta")));
        cluster.stop(3);
        ok(cluster, "topics", "delete", "--topic", "phoenix");
        ok(cluster, "topics", "create", "--topic", "phoenix", "--partitions", "1", "--replication-factor", "2");
        cluster.restart(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Files.exists(partitionDir(3, "phoenix-0")));
        assertThat(ReadBack.readAll(cluster.bootstrap(), "phoenix", 1).get(0)).isEmpty();
    }

    /** A topic grows: the brokers serve the new partitions and a group subscribed to it rebalances onto them. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldGrowATopicAndRefuseToShrinkIt() throws Exception {
        TestCluster cluster = cluster(2);
        ok(cluster, "topics", "create", "--topic", "grow", "--partitions", "2", "--replication-factor", "2");
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("group.id", "growers");
        p.setProperty("auto.offset.reset", "earliest");
        YakConsumer consumer = new YakConsumer(p);
        toClose.add(consumer);
        consumer.subscribe(List.of("grow"));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return consumer.assignment().size() == 2;
        });

        Run grown = ok(cluster, "topics", "alter", "--topic", "grow", "--partitions", "4");
        assertThat(grown.out()).contains("Topic grow now has 4 partitions");
        assertThat(grown.err()).contains("WARNING").contains("key");
        assertThat(rowStartingWith(ok(cluster, "topics", "describe", "--topic", "grow").out(), "grow", "3"))
            .hasSizeGreaterThan(3);

        YakProducer producer = producer(cluster);
        produce(producer, "grow", 3, 2, "new");
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            consumer.poll(Duration.ofMillis(100));
            return consumer.assignment().size() == 4;
        });
        assertThat(ReadBack.readAll(cluster.bootstrap(), "grow", 4).get(3)).hasSize(2);

        Run shrink = yak(cluster, "topics", "alter", "--topic", "grow", "--partitions", "3");
        assertThat(shrink.code()).isEqualTo(1);
        assertThat(shrink.err()).contains("has 4 partitions").contains("can only grow");
        assertThat(yak(cluster, "topics", "alter", "--topic", "nope", "--partitions", "3").err())
            .contains("UNKNOWN_TOPIC");
    }

    private long segmentFiles(int broker, String partition) throws Exception {
        try (var files = Files.list(partitionDir(broker, partition))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }

    /** A config change is validated, shown by configs describe, and applied by the broker without a restart. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldAlterTopicConfigsAndHaveTheBrokerApplyThem() throws Exception {
        TestCluster cluster = new TestCluster(dir, 1, 64 * 1024); // the active segment fills at 64 KiB, then rolls
        toClose.add(cluster);
        ok(cluster, "topics", "create", "--topic", "cfg", "--partitions", "1", "--config", "flush.ms=60000");
        YakProducer producer = producer(cluster);
        String kb = "x".repeat(1000);
        produce(producer, "cfg", 0, 10, kb);
        assertThat(segmentFiles(1, "cfg-0")).as("10 KB in a 64 KiB segment").isEqualTo(1);

        Run altered = ok(cluster, "topics", "alter", "--topic", "cfg", "--config", "segment.bytes=4096",
            "--config", "retention.ms=86400000", "--delete-config", "flush.ms");
        assertThat(altered.out()).contains("configs changed");
        Run described = ok(cluster, "configs", "describe", "--topic", "cfg");
        assertThat(rowStartingWith(described.out(), "segment.bytes")).containsExactly("segment.bytes", "4096",
            "topic");
        assertThat(rowStartingWith(described.out(), "retention.ms")).containsExactly("retention.ms", "86400000",
            "topic");
        assertThat(rowStartingWith(described.out(), "flush.ms")).containsExactly("flush.ms", "-", "default");
        assertThat(rowStartingWith(described.out(), "min.insync.replicas").get(2)).isEqualTo("topic-or-cluster");

        // the broker rolls at the new segment size from the next roll on, without a restart
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            produce(producer, "cfg", 0, 6, kb);
            assertThat(segmentFiles(1, "cfg-0")).isGreaterThan(2);
        });

        Run bad = yak(cluster, "topics", "alter", "--topic", "cfg", "--config", "segment.bytes=1");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("INVALID_CONFIG").contains("segment.bytes");
        assertThat(yak(cluster, "topics", "alter", "--topic", "cfg", "--delete-config", "no.such.key").err())
            .contains("INVALID_CONFIG");
        assertThat(yak(cluster, "topics", "alter", "--topic", "cfg").code()).isEqualTo(2);
        assertThat(yak(cluster, "configs", "describe", "--topic", "nope").err()).contains("UNKNOWN_TOPIC");
        ok(cluster, "topics", "alter", "--topic", "cfg", "--delete-config", "segment.bytes");
        assertThat(rowStartingWith(ok(cluster, "configs", "describe", "--topic", "cfg").out(), "segment.bytes"))
            .containsExactly("segment.bytes", "-", "default");
    }
}
