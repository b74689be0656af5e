package io.yak.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.fake.FakeCluster;
import io.yak.client.producer.YakProducer;
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

/**
 * {@code METRICS.md} lists exactly the meters a producer and a consumer register (every one, also those registered
 * at first use), with their types, units and tag keys: the client rows ({@code yak.producer.*},
 * {@code yak.consumer.*}), which the broker's {@code MetricsIT} leaves to this test.
 */
@Timeout(60)
class ClientMetricsDocumentationTest {
    /** The module's tests run in yak-client/. */
    private static final Path METRICS_MD = Path.of("..", "METRICS.md");
    /** A row of the tables in METRICS.md: | `name` | type | unit | tags | description |. */
    private static final Pattern ROW = Pattern.compile(
        "^\\| `([a-z0-9.]+)` \\| (counter|gauge|timer|summary) \\| ([^|]*) \\| ([^|]*) \\| ([^|]*\\S[^|]*) \\|$");

    @Test
    void shouldDocumentEveryClientMeterAsRegistered() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (FakeCluster cluster = new FakeCluster(1, 2)) {
            Properties p = new Properties();
            p.setProperty("coordinator", cluster.bootstrap());
            p.setProperty("max.request.size", "1000");
            p.setProperty("fetch.max.wait.ms", "100");
            p.setProperty("auto.offset.reset", "earliest");
            Properties producerProps = new Properties();
            producerProps.putAll(p);
            producerProps.remove("fetch.max.wait.ms");
            producerProps.remove("auto.offset.reset");
            Properties consumerProps = new Properties();
            consumerProps.putAll(p);
            consumerProps.remove("max.request.size");
            try (YakProducer producer = new YakProducer(producerProps, registry);
                 YakConsumer consumer = new YakConsumer(consumerProps, registry)) {
                producer.send("documented", null, "v".getBytes(UTF_8)).get(10, TimeUnit.SECONDS);
                // refused by send: registers the errors counter, which appears at the first failure
                assertThat(producer.send("documented", null, new byte[2000])).isCompletedExceptionally();
                consumer.subscribe(List.of("documented"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                int read = 0;
                while (read < 1) {
                    assertThat(System.nanoTime() - deadline).as("the record read in time").isNegative();
                    read += consumer.poll(Duration.ofMillis(200)).size();
                }
                assertThat(documented()).isEqualTo(registered(registry));
            }
        }
    }

    /** Name to "type | unit | tags" of the client meters in the registry, tag keys sorted. */
    private static Map<String, String> registered(MeterRegistry registry) {
        Map<String, String> registered = new TreeMap<>();
        for (Meter m : registry.getMeters()) {
            String name = m.getId().getName();
            if (!name.startsWith("yak.producer.") && !name.startsWith("yak.consumer.")) {
                continue;
            }
            TreeSet<String> tags = new TreeSet<>();
            m.getId().getTags().forEach(t -> tags.add(t.getKey()));
            String type = switch (m.getId().getType()) {
                case DISTRIBUTION_SUMMARY -> "summary";
                default -> m.getId().getType().name().toLowerCase(Locale.ROOT);
            };
            String unit = m.getId().getType() == Meter.Type.TIMER ? "seconds"
                : m.getId().getBaseUnit() == null ? "-" : m.getId().getBaseUnit();
            String row = type + " | " + unit + " | " + String.join(", ", tags);
            String previous = registered.put(name, row);
            assertThat(previous == null || previous.equals(row)).as("meter %s registered as %s and %s", name,
                previous, row).isTrue();
        }
        return registered;
    }

    /** Name to "type | unit | tags" of the client rows of METRICS.md (tags as listed, so their order is checked). */
    private static Map<String, String> documented() throws Exception {
        Map<String, String> documented = new TreeMap<>();
        List<String> malformed = new ArrayList<>();
        for (String line : Files.readAllLines(METRICS_MD)) {
            if (!line.startsWith("| `yak.producer.") && !line.startsWith("| `yak.consumer.")) {
                continue;
            }
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                malformed.add(line);
                continue;
            }
            String tags = m.group(4).trim().replace("`", "");
            String previous = documented.put(m.group(1), m.group(2) + " | " + m.group(3).trim() + " | "
                + (tags.equals("-") ? "" : tags));
            assertThat(previous).as("%s listed twice", m.group(1)).isNull();
        }
        assertThat(malformed).as("client rows of METRICS.md not in the table format").isEmpty();
        return documented;
    }
}
