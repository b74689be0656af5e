package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

/**
 * yak-bench end to end with tiny counts, in-process: every record acknowledged and read, the summary's shape, the
 * JSON and report files, and bad arguments. Each run starts its own embedded node unless it says --coordinator.
 */
class BenchSmokeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BenchMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOk(Run r) {
        assertThat(r.code()).as("exit code; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldProduceEveryRecordAgainstAnEmbeddedNode() throws Exception {
        Path json = dir.resolve("out/produce.json");
        Run r = run("produce", "--records", "5000", "--record-size", "64", "--partitions", "2", "--producers", "2",
            "--json", json.toString());
        assertOk(r);
        assertThat(r.out()).contains("target: embedded standalone node")
            .contains("produce result: 5,000 records in").contains(", 0 failed")
            .contains("produce latency ms (from send() to acknowledgement): avg ")
            .contains("produce embedded node (same JVM as the clients): server threads ")
            .contains("| produce | produce | 5,000 |");
        JsonNode result = single(json);
        assertThat(result.get("records").asLong()).isEqualTo(5000);
        assertThat(result.get("failed").asLong()).isZero();
        assertThat(result.get("bytes").asLong()).isEqualTo(5000L * 64);
        assertThat(result.get("ok").asBoolean()).isTrue();
        assertThat(result.get("recordsPerSecond").asDouble()).isPositive();
        assertThat(result.get("latencyUs").get("count").asLong()).isEqualTo(5000);
        assertThat(result.get("latencyUs").get("coordinatedOmissionCorrected").asBoolean()).isFalse();
        assertThat(result.get("resources").get("sameJvmAsClients").asBoolean()).isTrue();
        assertThat(result.get("resources").get("processCpuSeconds").asDouble()).isPositive();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCountAcknowledgedOffsetCommitsAndKeepTheLastOnes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("commits-node"));
        try (EmbeddedNode node = EmbeddedNode.start(data)) {
            Run r = run("commits", "--coordinator", node.bootstrap(), "--seconds", "2", "--partitions", "3",
                "--group", "g");
            assertOk(r);
            java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("commits=(\\d+) failed=0 seconds=[0-9.]+ commits_per_s=(\\d+)").matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            long commits = Long.parseLong(m.group(1));
            assertThat(commits).isPositive();
            assertThat(r.err()).contains("acknowledged");
            // commit n went to partition n % 3 with offset n / 3: the last ones are what the group holds
            java.util.Properties props = new java.util.Properties();
            props.setProperty("coordinator", node.bootstrap());
            props.setProperty("group.id", "g");
            try (io.yak.client.consumer.YakConsumer consumer = new io.yak.client.consumer.YakConsumer(props)) {
                java.util.List<io.yak.client.TopicPartition> tps = java.util.List.of(
                    new io.yak.client.TopicPartition("yak-bench-commits", 0),
                    new io.yak.client.TopicPartition("yak-bench-commits", 1),
                    new io.yak.client.TopicPartition("yak-bench-commits", 2));
                java.util.Map<io.yak.client.TopicPartition, Long> committed = consumer.committed(tps);
                for (io.yak.client.TopicPartition tp : tps) {
                    long last = commits - 1 - Math.floorMod(commits - 1 - tp.partition(), 3);
                    assertThat(committed.get(tp)).as("%s", tp).isEqualTo(last / 3);
                }
            }
        }
        Run bad = run("commits", "--in-flight", "0");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--in-flight");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldPaceAndCorrectForCoordinatedOmissionAgainstARunningCluster() throws Exception {
        Path data = Files.createDirectories(dir.resolve("node"));
        try (EmbeddedNode node = EmbeddedNode.start(data)) {
            Path json = dir.resolve("capped.json");
            Run r = run("produce", "--coordinator", node.bootstrap(), "--topic", "capped", "--records", "1500",
                "--throughput", "3000", "--acks", "all", "--linger-ms", "0", "--json", json.toString());
            assertOk(r);
            assertThat(r.out()).contains("target: coordinator " + node.bootstrap())
                .contains("capped at 3,000 records/s")
                .contains("from the time each record was due (throughput cap) to its acknowledgement")
                .contains("produce broker resources: not measured here (remote cluster");
            JsonNode result = single(json);
            assertThat(result.get("records").asLong()).isEqualTo(1500);
            assertThat(result.get("latencyUs").get("coordinatedOmissionCorrected").asBoolean()).isTrue();
            assertThat(result.get("resources").isNull()).isTrue();
            // 1500 records at 3000/s take about half a second; a cap that did nothing would be far quicker.
            assertThat(result.get("elapsedSeconds").asDouble()).isGreaterThan(0.4);
            assertThat(result.get("recordsPerSecond").asDouble()).isLessThan(3300);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSayThatAcksZeroRecordsAreWrittenNotAcknowledged() {
        Run r = run("produce", "--records", "500", "--acks", "0", "--linger-ms", "0");
        assertOk(r);
        assertThat(r.out()).contains("produce result: 500 records in")
            .contains("produce latency ms (from send() until its request was written (acks=0)): avg ")
            .doesNotContain("to acknowledgement");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFillThenConsumeEveryRecordFromTheBeginning() throws Exception {
        Path json = dir.resolve("consume.json");
        Run r = run("consume", "--records", "3000", "--record-size", "50", "--partitions", "3", "--consumers", "2",
            "--warmup-records", "500", "--json", json.toString());
        assertOk(r);
        assertThat(r.out()).contains("holds 0 records, 3,500 needed: producing 3,500 (not measured)")
            .contains("consume result: 3,000 records in").contains("| consume | consume | 3,000 |");
        JsonNode result = single(json);
        assertThat(result.get("records").asLong()).isEqualTo(3000);
        assertThat(result.get("bytes").asLong()).isEqualTo(3000L * 50);
        assertThat(result.get("latencyUs").isNull()).isTrue();
        assertThat(result.get("ok").asBoolean()).isTrue();
    }

    /** With --group the consumers join one group, which shares the partitions out, and the join time is reported. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldConsumeAsAGroupAndReportTheJoinTime() throws Exception {
        Run r = run("consume", "--records", "3000", "--record-size", "50", "--partitions", "4", "--consumers", "2",
            "--group", "bench-group");
        assertOk(r);
        assertThat(r.out()).contains("consume result: 3,000 records in")
            .containsPattern("group bench-group, 2 member\\(s\\): every member with partitions [0-9,]+ ms after "
                + "subscribing, every such member consuming after [0-9,]+ ms");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCountExactlyTheRequestedRecordsOfATopicHoldingMoreAndReportItsRealPartitions() throws Exception {
        Path data = Files.createDirectories(dir.resolve("node"));
        try (EmbeddedNode node = EmbeddedNode.start(data)) {
            String coordinator = node.bootstrap();
            assertOk(run("produce", "--coordinator", coordinator, "--topic", "durb", "--partitions", "6", "--records",
                "6000", "--record-size", "64"));

            // The topic exists with 6 partitions; asking for the default 1 changes nothing, and the header says 6.
            Path produceJson = dir.resolve("produce-more.json");
            Run more = run("produce", "--coordinator", coordinator, "--topic", "durb", "--records", "10",
                "--record-size", "64", "--json", produceJson.toString());
            assertOk(more);
            assertThat(more.out()).contains("== produce: 10 x 64 B, topic durb, 6 partitions, acks=1")
                .contains("note: topic durb exists with 6 partitions (asked for 1); using it as it is")
                .doesNotContain("1 partition,");
            assertThat(single(produceJson).get("partitions").asInt()).isEqualTo(6);

            // 8 consumers asked for, 6 used (one per partition), each poll returning up to 500 records.
            Path json = dir.resolve("consume-durb.json");
            Run r = run("consume", "--coordinator", coordinator, "--topic", "durb", "--consumers", "8", "--records",
                "1000", "--json", json.toString());
            assertOk(r);
            assertThat(r.out())
                .contains("== consume: 1,000 records, topic durb, 6 partitions, from the beginning, 6 consumers, "
                    + "filled with 100 B records if short")
                .contains("note: 8 consumers asked for, but topic durb has 6 partitions: using 6")
                .contains("consume result: 1,000 records in").doesNotContain("producing");
            JsonNode result = single(json);
            assertThat(result.get("records").asLong()).isEqualTo(1000);
            assertThat(result.get("bytes").asLong()).isEqualTo(1000L * 64);
            assertThat(result.get("partitions").asInt()).isEqualTo(6);
            assertThat(result.get("consumers").asInt()).isEqualTo(6);

            Run one = run("consume", "--coordinator", coordinator, "--topic", "durb", "--records", "50",
                "--warmup-records", "30");
            assertOk(one);
            assertThat(one.out()).contains("consume result: 50 records in").contains("| consume | consume | 50 |");
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldDescribeEachSubcommandInTheHelpAsItBehaves() {
        Run r = run("--help");
        assertOk(r);
        String help = r.out().replaceAll("\\s+", " ");
        assertThat(help).contains("latency = from send until both the consumer's poll returned the record and its "
            + "send was acknowledged.")
            .contains("counting exactly --records records")
            .contains("print one summary table.");
        assertThat(r.out().lines().filter(l -> !l.startsWith("Commands")))
            .as("no description in the command list ends in a colon").noneMatch(l -> l.stripTrailing().endsWith(":"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldMeasureEndToEndLatencyAndWriteTheReport() throws Exception {
        Path report = dir.resolve("report");
        Run r = run("e2e", "--records", "200", "--warmup-records", "20", "--node-prop", "log.threads=2", "--report",
            report.toString());
        assertOk(r);
        assertThat(r.out()).contains("e2e result: 200 records in")
            .contains("e2e latency ms (from send() until the consumer's poll returned the record and the send was "
                + "acknowledged, one in flight)")
            .contains("| e2e | e2e | 200 |");
        assertThat(report.resolve("e2e.hgrm")).content().contains("Percentile").contains("#[Mean");
        assertSvg(report.resolve("e2e-latency.svg"));
        assertSvg(report.resolve("e2e-throughput.svg"));
        assertThat(report.resolve("summary.md")).content().contains("| e2e | e2e | 200 |");
        JsonNode result = JSON.readTree(report.resolve("summary.json").toFile()).get("results").get(0);
        assertThat(result.get("records").asLong()).isEqualTo(200);
        assertThat(result.get("latencyUs").get("count").asLong()).isEqualTo(200);
        assertThat(result.get("latencyUs").get("p99").asDouble()).isPositive();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldRunTheStandardWorkloadsScaledDownIntoOneSummary() throws Exception {
        Path json = dir.resolve("all.json");
        Path report = dir.resolve("all-report");
        Run r = run("all", "--scale", "0.0004", "--pause-ms", "0", "--json", json.toString(), "--report",
            report.toString());
        assertOk(r);
        assertThat(r.out()).contains("## Summary").contains("| W1 | produce | 2,000 |")
            .contains("| W2 | produce | 400 |")
            .contains("| W3 | produce | 2,000 |").contains("| W4 | consume | 2,000 |").contains("| W5 | e2e | 8 |");
        JsonNode doc = JSON.readTree(json.toFile());
        assertThat(doc.get("ok").asBoolean()).isTrue();
        assertThat(doc.get("target").get("mode").asText()).isEqualTo("embedded");
        List<String> names = new ArrayList<>();
        for (JsonNode w : doc.get("results")) {
            names.add(w.get("name").asText());
            assertThat(w.get("ok").asBoolean()).as(w.get("name").asText()).isTrue();
            assertThat(w.get("records").asLong()).as(w.get("name").asText())
                .isEqualTo(w.get("recordsRequested").asLong());
        }
        assertThat(names).containsExactly("W1", "W2", "W3", "W4", "W5");
        JsonNode results = doc.get("results");
        assertThat(results.get(3).get("topic").asText()).isEqualTo(results.get(0).get("topic").asText());
        assertThat(results.get(2).get("partitions").asInt()).isEqualTo(3);
        assertThat(results.get(2).get("acks").asText()).isEqualTo("all");
        assertThat(results.get(4).get("lingerMs").asLong()).isZero();
        for (String w : List.of("W1", "W2", "W3", "W5")) {
            assertThat(report.resolve(w + ".hgrm")).isNotEmptyFile();
            assertSvg(report.resolve(w + "-latency.svg"));
        }
        for (String w : List.of("W1", "W2", "W3", "W4", "W5")) {
            assertSvg(report.resolve(w + "-throughput.svg"));
        }
        assertThat(report.resolve("W4.hgrm")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "produce --records -5|--records must be positive",
        "produce --acks 2|--acks must be 0, 1, all or -1",
        "produce --throughput 0|--throughput must be -1",
        "produce --coordinator nonsense|--coordinator: 'nonsense' is not host:port",
        "produce --records many|--records",
        "produce --consumers 2|Unknown options: '--consumers', '2'",
        "e2e --record-size 8|--record-size must be at least 16",
        "consume --consumers 0|--consumers must be positive",
        "all --scale 0|--scale must be > 0",
        "all --acks 0|--acks is fixed by the workloads of all",
        "all --replicated|--replicated needs --coordinator",
        "produce --node-prop no.such.key=1|embedded node setting rejected",
        "produce --coordinator 127.0.0.1:9 --node-prop log.threads=2|--node-prop configures the embedded node",
        "frobnicate|Unmatched argument",
        "|missing subcommand"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRejectBadArgumentsWithOneLineAndTheUsage(String testCase) {
        String[] parts = testCase.split("\\|", -1);
        String[] args = parts[0].isEmpty() ? new String[0] : parts[0].split(" ");
        Run r = run(args);
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err().lines().reduce((first, second) -> second).orElse("")).as("last line").contains(parts[1]);
        assertThat(r.err()).contains("Usage: yak-bench");
        assertThat(r.out()).doesNotContain("target:");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRejectAnUnknownClientKeyAsABadArgument() {
        Run r = run("produce", "--records", "10", "--producer-prop", "no.such.key=1");
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err()).contains("producer setting rejected").contains("no.such.key").contains("Usage:");
    }

    private static JsonNode single(Path json) throws Exception {
        JsonNode doc = JSON.readTree(json.toFile());
        assertThat(doc.get("tool").asText()).isEqualTo("yak-bench");
        assertThat(doc.get("results")).hasSize(1);
        return doc.get("results").get(0);
    }

    private static void assertSvg(Path svg) throws Exception {
        assertThat(svg).isNotEmptyFile();
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(1);
    }
}
