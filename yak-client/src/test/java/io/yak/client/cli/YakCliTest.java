package io.yak.client.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.yak.client.fake.FakeCluster;
import io.yak.client.fake.FakeLogStore;
import io.yak.wire.config.TopicConfigs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class YakCliTest {
    private final FakeCluster cluster = new FakeCluster(2, 2);

    /** Exit code and captured streams of one in-process run. */
    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }

        List<String> outLines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    private static Run run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = YakCli.run(new ByteArrayInputStream(stdin.getBytes(UTF_8)), new PrintStream(out, true, UTF_8),
            new PrintStream(err, true, UTF_8), args);
        return new Run(code, out.toString(UTF_8), err.toString(UTF_8));
    }

    private Run yak(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("--coordinator", cluster.bootstrap()));
        all.addAll(List.of(args));
        return run(stdin, all.toArray(new String[0]));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldExitWithTwoAndOneLineOnBadArguments() {
        for (String[] args : List.of(new String[] {}, new String[] {"topics"}, new String[] {"nonsense"},
            new String[] {"topics", "create"}, new String[] {"--coordinator", "nohostport", "cluster"},
            new String[] {"consume", "--topic", "t", "--offset", "3"},
            new String[] {"consume", "--topic", "t", "--max-messages", "x"},
            new String[] {"produce", "--topic", "t", "--acks", "2"},
            new String[] {"topics", "create", "--topic", "t", "--config", "retention.ms"},
            new String[] {"produce", "--topic", "t", "--producer-property", "max.request.size"})) {
            Run r = run("", args);
            assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
            assertThat(r.errLines()).as("stderr of %s", List.of(args)).hasSize(1);
            assertThat(r.err()).startsWith("yak: ").doesNotContain("option option");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void shouldRefuseNonPositivePartitionCountsAndOtherNonsenseNumbersNamingTheOption() {
        // issue 19: --partitions -1 was taken for "not given" and created the coordinator's default count
        for (String[] args : List.of(
            new String[] {"topics", "create", "--topic", "t", "--partitions", "-1"},
            new String[] {"topics", "create", "--topic", "t", "--partitions", "0"},
            new String[] {"topics", "create", "--topic", "t", "--partitions", "-5"},
            new String[] {"consume", "--topic", "t", "--timeout-ms", "0"},
            new String[] {"consume", "--topic", "t", "--timeout-ms", "-2"},
            new String[] {"consume", "--topic", "t", "--max-messages", "0"},
            new String[] {"consume", "--topic", "t", "--max-messages", "-1"},
            new String[] {"consume", "--topic", "t", "--partition", "-1"},
            new String[] {"consume", "--topic", "t", "--partition", "0", "--offset", "-1"})) {
            Run r = yak("", args);
            String option = args[args.length - 2];
            assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
            assertThat(r.errLines()).as("stderr of %s", List.of(args)).singleElement().asString()
                .startsWith("yak: ").contains(option).contains(args[args.length - 1]);
            assertThat(r.out()).isEmpty();
        }
        assertThat(cluster.coordinator.metadata().topic("t")).isNull();
        Run port0 = run("", "cluster", "--coordinator", "127.0.0.1:0");
        assertThat(port0.code()).isEqualTo(2);
        assertThat(port0.errLines()).singleElement().asString().contains("--coordinator").contains("port 0");

        Run byDefault = yak("", "topics", "create", "--topic", "t");
        assertThat(byDefault.code()).isZero();
        assertThat(byDefault.outLines()).as("no --partitions: the coordinator's num.partitions")
            .containsExactly("Created topic t with 2 partitions.");
        assertThat(run("", "topics", "create", "--help").out()).contains("--partitions");
    }

    @Test
    void shouldSayWhereItReadsFromWhenTheOffsetIsOutOfRange() {
        yak("", "topics", "create", "--topic", "few", "--partitions", "1");
        cluster.store.appendValues("few", 0, List.of("a", "b", "c", "d"), 2);

        // as Kafka's console consumer: auto.offset.reset (latest unless set) moves the position, exit code 0
        Run past = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "999", "--timeout-ms", "500");
        assertThat(past.code()).isZero();
        assertThat(past.out()).isEmpty();
        assertThat(past.errLines()).containsExactly("yak: offset 999 is past the end of few-0 (next offset 4): "
            + "reading from offset 4, the end, as auto.offset.reset=latest says (as in Kafka's console consumer)");

        Run earliest = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "999", "--timeout-ms",
            "500", "--consumer-property", "auto.offset.reset=earliest");
        assertThat(earliest.code()).isZero();
        assertThat(earliest.outLines()).containsExactly("a", "b", "c", "d");
        assertThat(earliest.errLines()).singleElement().asString()
            .contains("offset 999 is past the end of few-0").contains("reading from offset 0, the start")
            .contains("auto.offset.reset=earliest");

        cluster.store.deleteBefore("few", 0, 2);
        Run deleted = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "1", "--timeout-ms", "500",
            "--consumer-property", "auto.offset.reset=EARLIEST", "--group", "og");
        assertThat(deleted.outLines()).containsExactly("c", "d");
        assertThat(deleted.errLines()).singleElement().asString()
            .contains("offset 1 is before the start of few-0 (first offset 2; older records were deleted)")
            .contains("reading from offset 2");
        assertThat(cluster.coordinator.committed("og", "few", 0)).isEqualTo(4L);

        Run none = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "999", "--timeout-ms", "500",
            "--consumer-property", "auto.offset.reset=none");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).isEmpty();
        assertThat(none.errLines()).singleElement().asString().contains("999").contains("few-0")
            .contains("out of range").contains("auto.offset.reset=none");

        Run badPolicy = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "1",
            "--consumer-property", "auto.offset.reset=never");
        assertThat(badPolicy.code()).isEqualTo(2);
        assertThat(badPolicy.errLines()).singleElement().asString().contains("auto.offset.reset").contains("never");
        Run fromBeginning = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "1",
            "--consumer-property", "from.beginning=true");
        assertThat(fromBeginning.code()).isEqualTo(2);
        assertThat(fromBeginning.errLines()).singleElement().asString().contains("--offset")
            .contains("from.beginning");

        Run inRange = yak("", "consume", "--topic", "few", "--partition", "0", "--offset", "3", "--timeout-ms", "500");
        assertThat(inRange.outLines()).containsExactly("d");
        assertThat(inRange.err()).isEmpty();
    }

    @Test
    void shouldPrintHelpToStdout() {
        Run r = run("", "consume", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--from-beginning", "--timeout-ms", "--coordinator");
    }

    @Test
    void shouldReportAnUnreachableCoordinatorInOneLine() throws Exception {
        int port = closedPort();
        for (String[] args : List.of(new String[] {"topics", "list"}, new String[] {"cluster"},
            new String[] {"produce", "--topic", "t"}, new String[] {"consume", "--topic", "t"},
            new String[] {"topics", "create", "--topic", "t", "--partitions", "1"})) {
            List<String> all = new ArrayList<>(List.of(args));
            all.addAll(List.of("--coordinator", "127.0.0.1:" + port));
            Run r = run("a\n", all.toArray(new String[0]));
            assertThat(r.code()).as("exit code of %s", all).isEqualTo(1);
            assertThat(r.errLines()).containsExactly(
                "yak: cannot reach coordinator 127.0.0.1:" + port + ": connection refused");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void shouldCreateListAndDescribeTopics() {
        Run created = yak("", "topics", "create", "--topic", "orders", "--partitions", "3");
        assertThat(created.code()).isZero();
        assertThat(created.out()).contains("orders").contains("3");
        assertThat(yak("", "topics", "create", "--topic", "orders", "--partitions", "3"))
            .satisfies(r -> {
                assertThat(r.code()).isEqualTo(1);
                assertThat(r.errLines()).hasSize(1);
                assertThat(r.err()).contains("TOPIC_ALREADY_EXISTS");
            });
        yak("", "topics", "create", "--topic", "audit", "--partitions", "1");
        assertThat(yak("", "topics", "list").outLines()).containsExactly("audit", "orders");
        cluster.coordinator.setLeader("orders", 1, -1, false);
        Run described = yak("", "topics", "describe", "--topic", "orders");
        assertThat(described.code()).isZero();
        List<String> lines = described.outLines();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0).split("\\s+"))
            .containsExactly("TOPIC", "PARTITION", "LEADER", "LEADER_EPOCH", "REPLICAS", "ISR", "ELR", "HW");
        assertThat(lines.get(1).split("\\s+")).containsExactly("orders", "0", "1", "0", "1", "1", "-", "0");
        assertThat(lines.get(2).split("\\s+")).containsExactly("orders", "1", "offline", "1", "2", "2", "-", "-");
        Run unknown = yak("", "topics", "describe", "--topic", "ghost");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.errLines()).hasSize(1);
        assertThat(unknown.err()).contains("unknown topic 'ghost'");
    }

    @Test
    void shouldCreateTopicsWithAReplicationFactor() {
        Run created = yak("", "topics", "create", "--topic", "copies", "--partitions", "2", "--replication-factor",
            "2");
        assertThat(created.code()).isZero();
        assertThat(created.outLines()).containsExactly("Created topic copies with 2 partitions of 2 replicas.");
        assertThat(cluster.coordinator.lastCreateTopic().replicationFactor()).isEqualTo((short) 2);
        assertThat(cluster.coordinator.metadata().topic("copies").partitions())
            .allSatisfy(p -> assertThat(p.replicas()).hasSize(2));

        cluster.coordinator.defaultReplicationFactor(2);
        assertThat(yak("", "topics", "create", "--topic", "byDefault", "--partitions", "1").outLines())
            .containsExactly("Created topic byDefault with 1 partition of 2 replicas.");
        assertThat(cluster.coordinator.lastCreateTopic().replicationFactor())
            .as("no --replication-factor: the coordinator's default").isEqualTo((short) -1);

        Run tooMany = yak("", "topics", "create", "--topic", "toomany", "--replication-factor", "3");
        assertThat(tooMany.code()).isEqualTo(1);
        assertThat(tooMany.errLines()).singleElement().asString().startsWith("yak: ")
            .contains("INVALID_REPLICATION_FACTOR", "replication factor 3 larger than the 2 available broker(s)");
        assertThat(tooMany.out()).isEmpty();
        assertThat(cluster.coordinator.metadata().topic("toomany")).isNull();

        Run zero = yak("", "topics", "create", "--topic", "t", "--replication-factor", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.errLines()).singleElement().asString().contains("--replication-factor", "0");
        assertThat(run("", "topics", "create", "--help").out()).contains("--replication-factor");
    }

    @Test
    void shouldDescribeReplicasIsrAndHighWatermarkAndFilterUnderReplicatedAndOfflinePartitions() {
        yak("", "topics", "create", "--topic", "rep", "--partitions", "3", "--replication-factor", "2");
        yak("", "topics", "create", "--topic", "solo", "--partitions", "1", "--replication-factor", "1");
        cluster.store.appendValues("rep", 0, List.of("a", "b", "c", "d"), 2);
        cluster.coordinator.setIsr("rep", 1, List.of(2));
        cluster.coordinator.setLeader("rep", 2, -1, false);

        Run all = yak("", "topics", "describe", "--topic", "rep");
        assertThat(all.code()).isZero();
        assertThat(all.outLines()).extracting(l -> List.of(l.split("\\s+"))).containsExactly(
            List.of("TOPIC", "PARTITION", "LEADER", "LEADER_EPOCH", "REPLICAS", "ISR", "ELR", "HW"),
            List.of("rep", "0", "1", "0", "1,2", "1,2", "-", "4"),
            List.of("rep", "1", "2", "0", "2,1", "2", "-", "0"),
            List.of("rep", "2", "offline", "1", "1,2", "1,2", "-", "-"));

        Run under = yak("", "topics", "describe", "--under-replicated");
        assertThat(under.code()).isZero();
        assertThat(under.outLines()).hasSize(2);
        assertThat(under.outLines().get(1).split("\\s+"))
            .containsExactly("rep", "1", "2", "0", "2,1", "2", "-", "0");
        Run offline = yak("", "topics", "describe", "--offline");
        assertThat(offline.outLines()).hasSize(2);
        assertThat(offline.outLines().get(1)).startsWith("rep").contains("offline");
        Run both = yak("", "topics", "describe", "--topic", "rep", "--offline", "--under-replicated");
        assertThat(both.outLines()).hasSize(3);
        Run none = yak("", "topics", "describe", "--topic", "solo", "--under-replicated");
        assertThat(none.code()).isZero();
        assertThat(none.outLines()).as("only the header").hasSize(1);
        Run every = yak("", "topics", "describe");
        assertThat(every.outLines()).as("every topic without --topic").hasSize(1 + 3 + 1);

        Run summary = yak("", "cluster");
        assertThat(summary.outLines()).contains("under-replicated partitions: 1", "offline partitions: 1");
    }

    @Test
    void shouldPrintTheCluster() {
        yak("", "topics", "create", "--topic", "t", "--partitions", "2");
        cluster.coordinator.setLeader("t", 0, -1, false);
        Run r = yak("", "cluster");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("epoch ")
            .contains("1     127.0.0.1:" + cluster.broker(1).port())
            .contains("alive")
            .contains("t: 0->offline 1->2")
            .contains("under-replicated partitions: 0")
            .contains("offline partitions: 1");
    }

    @Test
    void shouldProduceLinesAndConsumeThemBack() {
        yak("", "topics", "create", "--topic", "lines", "--partitions", "1");
        Run produced = yak("k1=v1\nk2=v2\nno-key-here\nk3=v=3\n", "produce", "--topic", "lines",
            "--key-separator", "=", "--acks", "all");
        assertThat(produced.code()).isZero();
        assertThat(produced.out()).isEmpty();
        assertThat(produced.errLines()).containsExactly("yak: produced 4 record(s) to lines");
        List<FakeLogStore.StoredRecord> stored = cluster.store.records("lines", 0);
        assertThat(stored).hasSize(4);
        assertThat(stored.get(2).key()).isNull();
        assertThat(new String(stored.get(3).key(), UTF_8)).isEqualTo("k3");
        assertThat(new String(stored.get(3).value(), UTF_8)).isEqualTo("v=3");

        Run consumed = yak("", "consume", "--topic", "lines", "--from-beginning", "--max-messages", "4",
            "--print-key");
        assertThat(consumed.code()).isZero();
        assertThat(consumed.outLines()).containsExactly("k1\tv1", "k2\tv2", "null\tno-key-here", "k3\tv=3");

        Run values = yak("", "consume", "--topic", "lines", "--from-beginning", "--timeout-ms", "500");
        assertThat(values.code()).isZero();
        assertThat(values.outLines()).containsExactly("v1", "v2", "no-key-here", "v=3");
        assertThat(values.err()).isEmpty();
    }

    @Test
    void shouldConsumeOnePartitionFromAnOffsetAndCommitForAGroup() {
        yak("", "topics", "create", "--topic", "multi", "--partitions", "2");
        cluster.store.appendValues("multi", 1, List.of("a", "b", "c", "d"), 2);
        Run r = yak("", "consume", "--topic", "multi", "--partition", "1", "--offset", "2", "--timeout-ms", "500");
        assertThat(r.code()).isZero();
        assertThat(r.outLines()).containsExactly("c", "d");

        Run g = yak("", "consume", "--topic", "multi", "--from-beginning", "--group", "cli", "--max-messages", "3",
            "--key-separator", ":", "--print-key");
        assertThat(g.outLines()).containsExactly("k0:a", "k1:b", "k2:c");
        assertThat(cluster.coordinator.committed("cli", "multi", 1)).isEqualTo(3L);
        Run rest = yak("", "consume", "--topic", "multi", "--group", "cli", "--timeout-ms", "500");
        assertThat(rest.outLines()).containsExactly("d");

        Run noSuchPartition = yak("", "consume", "--topic", "multi", "--partition", "5", "--timeout-ms", "100");
        assertThat(noSuchPartition.code()).isEqualTo(1);
        assertThat(noSuchPartition.errLines()).hasSize(1);
    }

    @Test
    void shouldPassClientPropertiesAndRefuseBadOnesAsUsageErrors() {
        yak("", "topics", "create", "--topic", "props", "--partitions", "1");
        Run tooBig = yak("x".repeat(2000) + "\n", "produce", "--topic", "props", "--producer-property",
            "max.request.size=1024");
        assertThat(tooBig.code()).isEqualTo(1);
        assertThat(tooBig.err()).contains("max.request.size");
        Run fits = yak("x".repeat(2000) + "\n", "produce", "--topic", "props", "--producer-property",
            "max.request.size=4096", "--producer-property", "linger.ms=0");
        assertThat(fits.code()).isZero();

        Run unknown = yak("a\n", "produce", "--topic", "props", "--producer-property", "no.such.key=1");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.errLines()).hasSize(1);
        assertThat(unknown.err()).contains("no.such.key");
        Run badValue = yak("", "consume", "--topic", "props", "--from-beginning", "--timeout-ms", "100",
            "--consumer-property", "max.poll.records=zero");
        assertThat(badValue.code()).isEqualTo(2);
        assertThat(badValue.err()).contains("max.poll.records");
        Run consumed = yak("", "consume", "--topic", "props", "--from-beginning", "--timeout-ms", "300",
            "--consumer-property", "max.poll.records=1");
        assertThat(consumed.outLines()).containsExactly("x".repeat(2000));
    }

    @Test
    void shouldCommitWhereAGroupStartedOnPartitionsItReadNothingFrom() {
        assertThat(yak("", "topics", "create", "--topic", "one", "--partitions", "1").outLines())
            .containsExactly("Created topic one with 1 partition.");
        cluster.store.appendValues("one", 0, List.of("old"), 1);
        Run first = yak("", "consume", "--topic", "one", "--group", "g5", "--timeout-ms", "300");
        assertThat(first.code()).isZero();
        assertThat(first.outLines()).isEmpty();
        // it started at the end (latest) and saved that start, as Kafka's consumer commits every position
        assertThat(cluster.coordinator.committed("g5", "one", 0)).isEqualTo(1L);

        cluster.store.appendValues("one", 0, List.of("produced-between-runs"), 1);
        Run second = yak("", "consume", "--topic", "one", "--group", "g5", "--timeout-ms", "300");
        assertThat(second.outLines()).containsExactly("produced-between-runs");
        assertThat(cluster.coordinator.committed("g5", "one", 0)).isEqualTo(2L);
    }

    @Test
    void shouldKeepRecordsPolledButNotPrintedForTheGroupsNextRun() {
        yak("", "topics", "create", "--topic", "two", "--partitions", "2");
        cluster.store.appendValues("two", 0, List.of("a0", "b0"), 2);
        cluster.store.appendValues("two", 1, List.of("a1", "b1"), 2);
        Run one = yak("", "consume", "--topic", "two", "--from-beginning", "--group", "g6", "--max-messages", "1");
        assertThat(one.outLines()).hasSize(1);
        Run rest = yak("", "consume", "--topic", "two", "--group", "g6", "--timeout-ms", "300");
        List<String> all = new ArrayList<>(one.outLines());
        all.addAll(rest.outLines());
        assertThat(all).containsExactlyInAnyOrder("a0", "b0", "a1", "b1");
    }

    @Test
    void shouldSayWhenATimedOutReadMissedAPartitionWithoutALeader() {
        yak("", "topics", "create", "--topic", "half", "--partitions", "2");
        cluster.store.appendValues("half", 0, List.of("here"), 1);
        cluster.store.appendValues("half", 1, List.of("unreachable"), 1);
        cluster.coordinator.setLeader("half", 1, -1, true);
        Run r = yak("", "consume", "--topic", "half", "--from-beginning", "--timeout-ms", "300");
        assertThat(r.outLines()).containsExactly("here");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.err()).contains("partition half-1 has no leader");

        Run leaderless = yak("", "consume", "--topic", "half", "--partition", "1", "--from-beginning",
            "--timeout-ms", "300");
        assertThat(leaderless.outLines()).isEmpty();
        assertThat(leaderless.code()).isEqualTo(1);
    }

    @Test
    void shouldCreateTopicsWithConfigsAndPrintThemInDescribe() {
        Run created = yak("", "topics", "create", "--topic", "audit", "--partitions", "2", "--config",
            "retention.ms=1000", "--config", "segment.bytes=1048576");
        assertThat(created.code()).isZero();
        assertThat(created.out()).contains("audit").contains("retention.ms=1000 segment.bytes=1048576");
        assertThat(cluster.coordinator.metadata().topic("audit").configs())
            .containsExactly(Map.entry("retention.ms", "1000"), Map.entry("segment.bytes", "1048576"));

        Run described = yak("", "topics", "describe", "--topic", "audit");
        assertThat(described.code()).isZero();
        assertThat(described.outLines()).hasSize(4)
            .last().isEqualTo("CONFIGS retention.ms=1000 segment.bytes=1048576");
        yak("", "topics", "create", "--topic", "plain", "--partitions", "1");
        assertThat(yak("", "topics", "describe", "--topic", "plain").out()).doesNotContain("CONFIGS");

        Run bad = yak("", "topics", "create", "--topic", "bad", "--config", "retention.ms=forever");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.errLines()).singleElement().asString().contains("INVALID_CONFIG")
            .contains("retention.ms").contains("forever");
        assertThat(cluster.coordinator.metadata().topic("bad")).isNull();
        Run noEquals = yak("", "topics", "create", "--topic", "bad", "--config", "retention.ms");
        assertThat(noEquals.code()).isEqualTo(2);
        assertThat(noEquals.errLines()).hasSize(1);
        assertThat(run("", "topics", "create", "--help").out()).contains("--config", "KEY=VALUE", "segment.ms");
        assertThat(TopicsCommand.CONFIG_KEYS).isEqualTo(String.join(", ", TopicConfigs.KEYS));
    }

    @Test
    void shouldConsumeFromATimestampGivenAsMillisecondsOrIso8601() {
        yak("", "topics", "create", "--topic", "timed", "--partitions", "2");
        long t0 = Instant.parse("2026-11-25T10:00:00Z").toEpochMilli();
        cluster.store.appendBatch("timed", 0, List.of("old0", "old1"), List.of(t0 - 2000, t0 - 1000));
        cluster.store.appendBatch("timed", 0, List.of("new0", "new1"), List.of(t0, t0 + 1000));
        cluster.store.appendBatch("timed", 1, List.of("older"), List.of(t0 - 5000));
        cluster.store.appendBatch("timed", 1, List.of("newer"), List.of(t0 + 5000));

        Run ms = yak("", "consume", "--topic", "timed", "--from-timestamp", Long.toString(t0), "--timeout-ms", "500");
        assertThat(ms.code()).isZero();
        assertThat(ms.outLines()).containsExactlyInAnyOrder("new0", "new1", "newer");
        Run iso = yak("", "consume", "--topic", "timed", "--from-timestamp", "2026-11-25T10:00:01Z",
            "--timeout-ms", "500");
        assertThat(iso.outLines()).containsExactlyInAnyOrder("new0", "new1", "newer");
        Run offset = yak("", "consume", "--topic", "timed", "--from-timestamp", "2026-11-25T11:00:04+01:00",
            "--partition", "1", "--max-messages", "1");
        assertThat(offset.outLines()).containsExactly("newer");
        Run future = yak("", "consume", "--topic", "timed", "--from-timestamp", "2030-01-01T00:00:00Z",
            "--timeout-ms", "300");
        assertThat(future.code()).isZero();
        assertThat(future.out()).isEmpty();
        Run grouped = yak("", "consume", "--topic", "timed", "--from-timestamp", Long.toString(t0 - 1500),
            "--partition", "0", "--group", "tg", "--timeout-ms", "500");
        assertThat(grouped.outLines()).as("batch granularity: the whole first batch").containsExactly("old0",
            "old1", "new0", "new1");
        assertThat(cluster.coordinator.committed("tg", "timed", 0)).isEqualTo(4L);
    }

    @Test
    void shouldRejectFromTimestampWithOtherStartsOrBadTimes() {
        for (String[] args : List.of(
            new String[] {"consume", "--topic", "t", "--from-timestamp", "5", "--from-beginning"},
            new String[] {"consume", "--topic", "t", "--from-timestamp", "5", "--partition", "0", "--offset", "1"},
            new String[] {"consume", "--topic", "t", "--from-timestamp", "yesterday"},
            new String[] {"consume", "--topic", "t", "--from-timestamp", "-5"},
            new String[] {"consume", "--topic", "t", "--from-timestamp", "1969-12-31T23:59:59Z"},
            new String[] {"consume", "--topic", "t", "--from-timestamp", "2026-11-25T10:00:00"})) {
            Run r = yak("", args);
            assertThat(r.code()).as("exit code of %s", List.of(args)).isEqualTo(2);
            assertThat(r.errLines()).as("stderr of %s", List.of(args)).hasSize(1);
            assertThat(r.out()).isEmpty();
        }
        assertThat(yak("", "consume", "--topic", "t", "--from-timestamp", "5", "--from-beginning").err())
            .contains("--from-timestamp").contains("--from-beginning");
        assertThat(run("", "consume", "--help").out()).contains("--from-timestamp");
    }

    @Test
    void shouldFailConsumeAndProduceOnUnknownTopicsWhenAutoCreationIsOff() {
        cluster.coordinator.autoCreate(false);
        Run c = yak("", "consume", "--topic", "ghost", "--timeout-ms", "2000");
        assertThat(c.code()).isEqualTo(1);
        assertThat(c.errLines()).hasSize(1);
        assertThat(c.err()).contains("unknown topic 'ghost'");
        Run p = yak("x\ny\n", "produce", "--topic", "ghost");
        assertThat(p.code()).isEqualTo(1);
        assertThat(p.errLines()).hasSize(1);
        assertThat(p.err()).contains("0 of 2").contains("unknown topic 'ghost'");
    }

    @Test
    void shouldCountFailedRecordsByReasonWhenSeveralPartitionsFail() {
        yak("", "topics", "create", "--topic", "dark", "--partitions", "2");
        cluster.coordinator.setLeader("dark", 0, -1, true);
        cluster.coordinator.setLeader("dark", 1, -1, true);
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            lines.append("k").append(i).append(":v").append(i).append('\n');
        }
        Run r = yak(lines.toString(), "produce", "--topic", "dark", "--key-separator", ":",
            "--producer-property", "linger.ms=0", "--producer-property", "request.timeout.ms=200",
            "--producer-property", "delivery.timeout.ms=300");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).as(r.err()).hasSize(3);
        assertThat(r.errLines().get(0)).isEqualTo("yak: produced 0 of 20 record(s) to dark; 20 failed, for 2 reasons:");
        assertThat(r.errLines().subList(1, 3)).as("one line per partition's expired records")
            .anySatisfy(line -> assertThat(line).contains("dark-0"))
            .anySatisfy(line -> assertThat(line).contains("dark-1"));
        long counted = r.errLines().subList(1, 3).stream()
            .mapToLong(line -> Long.parseLong(line.trim().split(" ")[0])).sum();
        assertThat(counted).as("every failed record counted once").isEqualTo(20);
    }

    @Test
    void shouldAcceptTheCoordinatorOptionAfterTheSubcommand() {
        Run r = run("", "topics", "list", "--coordinator", cluster.bootstrap());
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
    }
}
