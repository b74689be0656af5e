package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Meter;
import io.yak.broker.standalone.StandaloneNode;
import io.yak.client.TopicPartition;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ConsumeResponse;
import io.yak.wire.net.NetworkClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standalone node's HTTP port after a produce and a consume: {@code /health} ready, {@code /metrics} with the
 * broker's, the coordinator's and the JVM's meters and the right counts; and {@code METRICS.md} lists exactly the
 * meters the node registers, with their types and tags.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static final String TOPIC = "metered";
    private static final Path METRICS_MD = Path.of("..", "METRICS.md");
    /** A row of the tables in METRICS.md: | `name` | type | unit | tags | description |. */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9.]+)` \\| (counter|gauge|timer) \\| ([^|]*) \\| "
        + "([^|]*) \\|");

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(StandaloneNode node, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpAddress().getPort() + path))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldShowTheBrokerCoordinatorAndJvmMetersAfterAProduceAndAConsume() throws Exception {
        try (StandaloneNode node = HttpNode.start(dir)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> get(node, "/health").statusCode() == 200);
            assertThat(get(node, "/health").body()).isEqualTo("{\"status\":\"ready\"}");
            String bootstrap = "127.0.0.1:" + node.coordinator().address().getPort();
            try (YakAdmin admin = YakAdmin.connect(bootstrap)) {
                admin.createTopic(TOPIC, 3);
            }
            Properties config = new Properties();
            config.setProperty("coordinator", bootstrap);
            try (YakProducer producer = new YakProducer(config)) {
                for (int i = 0; i < 300; i++) {
                    producer.send(TOPIC, i % 3, null, ("r" + i).getBytes(UTF_8), System.currentTimeMillis());
                }
                producer.flush();
            }
            assertThat(ReadBack.readAll(bootstrap, TOPIC, 3).values().stream().mapToInt(List::size).sum())
                .isEqualTo(300);
            HostPort broker = new HostPort("127.0.0.1", node.broker().address().getPort());
            try (NetworkClient client = NetworkClient.builder("metrics-test").build()) {
                ConsumeResponse r = (ConsumeResponse) client.connection(broker)
                    .send(new ConsumeRequest(TOPIC, 0, -1, 1_000_000, 1024, 0)).get(20, TimeUnit.SECONDS);
                assertThat(r.error()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                r.records().release();
            }

            Properties group = new Properties();
            group.setProperty("coordinator", bootstrap);
            group.setProperty("group.id", "metered-group");
            try (YakConsumer consumer = new YakConsumer(group)) {
                consumer.assign(List.of(new TopicPartition(TOPIC, 0)));
                consumer.seek(new TopicPartition(TOPIC, 0), 40);
                consumer.commitSync(); // 40 of partition 0's 100: a lag of 60 once the leader reported
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(node, "/metrics").body())
                .contains("yak_coordinator_group_lag{group=\"metered-group\",partition=\"0\",topic=\"" + TOPIC
                    + "\"} 60.0"));

            HttpResponse<String> scrape = get(node, "/metrics");
            assertThat(scrape.statusCode()).isEqualTo(200);
            String text = scrape.body();
            assertThat(sum(text, "yak_broker_records_in_total", "topic=\"" + TOPIC + "\"")).isEqualTo(300);
            assertThat(sum(text, "yak_broker_records_out_total", "topic=\"" + TOPIC + "\"")).isGreaterThanOrEqualTo(300);
            assertThat(sum(text, "yak_broker_traffic_in_bytes_total", "topic=\"" + TOPIC + "\"")).isPositive();
            assertThat(sum(text, "yak_broker_traffic_out_bytes_total", "topic=\"" + TOPIC + "\"")).isPositive();
            assertThat(sum(text, "yak_broker_log_end_offset", "partition=\"1\",topic=\"" + TOPIC + "\""))
                .isEqualTo(100);
            assertThat(sum(text, "yak_broker_partitions_leader", "")).isEqualTo(3);
            assertThat(sum(text, "yak_broker_request_latency_seconds_count", "type=\"publish\"")).isPositive();
            assertThat(text).contains("yak_broker_request_latency_seconds_bucket{type=\"publish\",le=");
            assertThat(sum(text, "yak_broker_request_errors_total", "error=\"OFFSET_OUT_OF_RANGE\",type=\"consume\""))
                .isEqualTo(1);
            assertThat(sum(text, "yak_coordinator_brokers", "state=\"alive\"")).isEqualTo(1);
            assertThat(sum(text, "yak_coordinator_topics", "")).isEqualTo(1);
            assertThat(sum(text, "yak_coordinator_partitions", "")).isEqualTo(3);
            assertThat(sum(text, "yak_coordinator_leader_elections_total", "")).isGreaterThanOrEqualTo(3);
            assertThat(text).contains("jvm_memory_used_bytes{").contains("jvm_gc_").contains("jvm_threads_live_threads")
                .contains("process_files_open_files").contains("process_cpu_usage");

            assertDocumented(node.meterRegistry().getMeters());
        }
    }

    /** Sum of the samples of {@code metric} whose label text contains {@code labels} (empty: all). */
    private static double sum(String scrape, String metric, String labels) {
        double total = 0;
        boolean found = false;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                String labelText = line.startsWith(metric + "{") ? line.substring(metric.length(),
                    line.indexOf('}') + 1) : "";
                if (labelText.contains(labels)) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    found = true;
                }
            }
        }
        assertThat(found).as("%s{%s} in the scrape", metric, labels).isTrue();
        return total;
    }

    /**
     * METRICS.md names every yak.* meter the node registers, with its type, unit and tag keys, and no other server
     * meter (the clients' tables are checked by the client's tests).
     */
    private static void assertDocumented(List<Meter> meters) throws Exception {
        Map<String, String> registered = new TreeMap<>();
        for (Meter m : meters) {
            String name = m.getId().getName();
            if (!name.startsWith("yak.")) {
                continue;
            }
            TreeSet<String> tags = new TreeSet<>();
            m.getId().getTags().forEach(t -> tags.add(t.getKey()));
            String type = switch (m.getId().getType()) {
                case COUNTER -> "counter";
                case GAUGE -> "gauge";
                case TIMER -> "timer";
                default -> m.getId().getType().name().toLowerCase(Locale.ROOT);
            };
            String unit = m.getId().getBaseUnit() == null ? "" : m.getId().getBaseUnit();
            if (m.getId().getType() == Meter.Type.TIMER) {
                unit = "seconds";
            }
            String row = type + " | " + unit + " | " + String.join(", ", tags);
            String previous = registered.put(name, row);
            assertThat(previous == null || previous.equals(row)).as("meter %s registered as %s and %s", name,
                previous, row).isTrue();
        }
        Map<String, String> documented = new TreeMap<>();
        List<String> lines = Files.readAllLines(METRICS_MD);
        for (String line : lines) {
            Matcher m = ROW.matcher(line);
            if (m.find() && !m.group(1).startsWith("yak.producer.") && !m.group(1).startsWith("yak.consumer.")) {
                String tags = m.group(4).trim().replace("`", "");
                String unit = m.group(3).trim();
                documented.put(m.group(1), m.group(2) + " | " + (unit.equals("-") ? "" : unit) + " | "
                    + (tags.equals("-") ? "" : tags));
            }
        }
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, String> e : registered.entrySet()) {
            String doc = documented.get(e.getKey());
            if (!e.getValue().equals(doc)) {
                differences.add(e.getKey() + ": registered " + e.getValue() + ", documented " + doc);
            }
        }
        for (String name : documented.keySet()) {
            if (!registered.containsKey(name)) {
                differences.add(name + ": documented, not registered");
            }
        }
        assertThat(differences).as("METRICS.md against the registered meters").isEmpty();
    }
}
