package io.yak.client.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.fake.FakeCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The consumer's meters in a registry it was given ({@code METRICS.md}, "Clients"): records consumed per topic,
 * fetch latency, and a lag gauge per assigned partition that goes when the partition does; nothing left after close.
 */
@Timeout(60)
class ConsumerMetricsTest {
    private static final String CLIENT_ID = "metered-consumer";
    private final FakeCluster cluster = new FakeCluster(2, 3);
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        cluster.close();
    }

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("client.id", CLIENT_ID);
        p.setProperty("fetch.max.wait.ms", "100");
        p.setProperty("retry.backoff.ms", "20");
        p.setProperty("auto.offset.reset", "earliest");
        return p;
    }

    private static List<String> values(String prefix, int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static List<ConsumerRecord> pollUntil(YakConsumer c, int atLeast) {
        List<ConsumerRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (out.size() < atLeast) {
            assertThat(System.nanoTime() - deadline).as("records read in time: %s", out.size()).isNegative();
            out.addAll(c.poll(Duration.ofMillis(200)));
        }
        return out;
    }

    private double consumed(String topic) {
        return registry.get("yak.consumer.records.consumed").tag("client.id", CLIENT_ID).tag("topic", topic)
            .counter().count();
    }

    private Gauge lag(String topic, int partition) {
        return registry.find("yak.consumer.lag").tag("client.id", CLIENT_ID).tag("topic", topic)
            .tag("partition", Integer.toString(partition)).gauge();
    }

    private List<Meter> consumerMeters() {
        return registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("yak.consumer.")).toList();
    }

    @Test
    void shouldCountRecordsPerTopicTimeFetchesAndShowLagUntilClosed() {
        cluster.coordinator.createTopic("metered-a", 2);
        cluster.coordinator.createTopic("metered-b", 1);
        cluster.store.appendValues("metered-a", 0, values("a0-", 120), 25);
        cluster.store.appendValues("metered-a", 1, values("a1-", 80), 25);
        cluster.store.appendValues("metered-b", 0, values("b0-", 50), 25);
        Properties p = props();
        p.setProperty("max.poll.records", "37");
        try (YakConsumer c = new YakConsumer(p, registry)) {
            c.subscribe(List.of("metered-a", "metered-b"));
            List<ConsumerRecord> records = pollUntil(c, 250);
            assertThat(records).hasSize(250);

            assertThat(consumed("metered-a")).isEqualTo(200);
            assertThat(consumed("metered-b")).isEqualTo(50);
            assertThat(registry.get("yak.consumer.fetch.latency").tag("client.id", CLIENT_ID).timer().count())
                .isPositive();
            assertThat(lag("metered-a", 0).value()).isZero();
            assertThat(lag("metered-a", 1).value()).isZero();
            assertThat(lag("metered-b", 0).value()).isZero();
            assertThat(registry.find("yak.consumer.lag").gauges()).hasSize(3);
            assertThat(consumerMeters()).allMatch(m -> CLIENT_ID.equals(m.getId().getTag("client.id")));
        }
        assertThat(consumerMeters()).isEmpty();
    }

    @Test
    void shouldShowTheRecordsLeftAsLag() {
        cluster.coordinator.createTopic("lagging", 1);
        cluster.store.appendValues("lagging", 0, values("v", 100), 10);
        TopicPartition tp = new TopicPartition("lagging", 0);
        Properties p = props();
        p.setProperty("max.poll.records", "30");
        try (YakConsumer c = new YakConsumer(p, registry)) {
            c.assign(List.of(tp));
            assertThat(lag("lagging", 0).value()).as("no fetch answered yet").isNaN();

            pollUntil(c, 30);
            long position = c.position(tp);
            assertThat(position).isBetween(30L, 99L);
            assertThat(lag("lagging", 0).value()).isEqualTo(100 - position);
            assertThat(consumed("lagging")).isEqualTo(position);
        }
    }

    @Test
    void shouldRemoveTheLagGaugeOfAPartitionNoLongerAssigned() {
        cluster.coordinator.createTopic("moving", 3);
        try (YakConsumer c = new YakConsumer(props(), registry)) {
            c.assign(List.of(new TopicPartition("moving", 0), new TopicPartition("moving", 1)));
            assertThat(lag("moving", 0)).isNotNull();
            assertThat(lag("moving", 1)).isNotNull();

            c.assign(List.of(new TopicPartition("moving", 1), new TopicPartition("moving", 2)));
            assertThat(lag("moving", 0)).isNull();
            assertThat(lag("moving", 1)).isNotNull();
            assertThat(lag("moving", 2)).isNotNull();

            c.subscribe(List.of("moving")); // drops the assignment; partitions come back as the metadata lists them
            assertThat(registry.find("yak.consumer.lag").gauges()).isEmpty();
        }
        assertThat(consumerMeters()).isEmpty();
    }
}
