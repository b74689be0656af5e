package io.yak.client.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.client.fake.FakeBroker;
import io.yak.client.fake.FakeCluster;
import io.yak.wire.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The producer's meters in a registry it was given ({@code METRICS.md}, "Clients"): counts per topic, batch sizes,
 * request latency, retries and failed records by error code, tagged with the client id; gone once it closes.
 */
@Timeout(60)
class ProducerMetricsTest {
    private static final String CLIENT_ID = "metered-producer";
    private final FakeCluster cluster = new FakeCluster(2, 4);
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        cluster.close();
    }

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("client.id", CLIENT_ID);
        p.setProperty("linger.ms", "2");
        p.setProperty("retry.backoff.ms", "20");
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private Counter recordsSent(String topic) {
        return registry.get("yak.producer.records.sent").tag("client.id", CLIENT_ID).tag("topic", topic).counter();
    }

    private DistributionSummary batchSize() {
        return registry.get("yak.producer.batch.size").tag("client.id", CLIENT_ID).summary();
    }

    private Timer requestLatency() {
        return registry.get("yak.producer.request.latency").tag("client.id", CLIENT_ID).timer();
    }

    private Counter retries() {
        return registry.get("yak.producer.retries").tag("client.id", CLIENT_ID).counter();
    }

    private int sum(java.util.function.ToIntFunction<FakeBroker> f) {
        return cluster.brokers.stream().mapToInt(f).sum();
    }

    private List<Meter> producerMeters() {
        return registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("yak.producer.")).toList();
    }

    @Test
    void shouldCountRecordsPerTopicBatchesAndRequestsUntilClosed() throws Exception {
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (YakProducer producer = new YakProducer(props(), registry)) {
            for (int i = 0; i < 300; i++) {
                futures.add(producer.send("metered-a", bytes("k" + i), bytes("a" + i)));
            }
            for (int i = 0; i < 200; i++) {
                futures.add(producer.send("metered-b", bytes("k" + i), bytes("b" + i)));
            }
            producer.flush();
            for (CompletableFuture<RecordMetadata> f : futures) {
                f.get(10, TimeUnit.SECONDS);
            }

            assertThat(recordsSent("metered-a").count()).isEqualTo(300);
            assertThat(recordsSent("metered-b").count()).isEqualTo(200);
            // every batch went once, every request was answered (and timed before its records completed)
            assertThat(batchSize().count()).isEqualTo(sum(b -> b.publishedBatches.get()));
            assertThat(batchSize().totalAmount()).isPositive();
            assertThat(batchSize().getId().getBaseUnit()).isEqualTo("bytes");
            assertThat(requestLatency().count()).isEqualTo(sum(b -> b.publishRequests.get()));
            assertThat(requestLatency().totalTime(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(retries().count()).isZero();
            assertThat(registry.find("yak.producer.errors").meters()).isEmpty();
            assertThat(producerMeters()).allMatch(m -> CLIENT_ID.equals(m.getId().getTag("client.id")));
        }
        assertThat(producerMeters()).isEmpty();
    }

    @Test
    void shouldCountBatchesSentAgainAfterRetriableFailures() throws Exception {
        cluster.coordinator.createTopic("retried", 1);
        for (FakeBroker b : cluster.brokers) {
            b.failNextPublishes(2, ErrorCode.NOT_ENOUGH_REPLICAS);
        }
        try (YakProducer producer = new YakProducer(props(), registry)) {
            RecordMetadata md = producer.send("retried", null, bytes("once")).get(10, TimeUnit.SECONDS);
            assertThat(md.offset()).isZero();

            assertThat(retries().count()).isEqualTo(2);
            assertThat(batchSize().count()).as("first sends only").isEqualTo(1);
            assertThat(requestLatency().count()).as("two error answers and the success").isEqualTo(3);
            assertThat(recordsSent("retried").count()).isEqualTo(1);
            assertThat(registry.find("yak.producer.errors").meters()).isEmpty();
        }
    }

    @Test
    void shouldCountRecordsThatFailForGoodByErrorCode() throws Exception {
        cluster.coordinator.createTopic("refused", 1);
        for (FakeBroker b : cluster.brokers) {
            b.failNextPublishes(1, ErrorCode.INVALID_TIMESTAMP);
        }
        Properties p = props();
        p.setProperty("linger.ms", "60000"); // the five records share one batch, sent by flush
        p.setProperty("max.request.size", "1000");
        try (YakProducer producer = new YakProducer(p, registry)) {
            List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                futures.add(producer.send("refused", null, bytes("r" + i)));
            }
            producer.flush();
            assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
            // refused by send itself, before any batch
            CompletableFuture<RecordMetadata> tooLarge = producer.send("refused", null, new byte[2000]);
            assertThat(tooLarge).isCompletedExceptionally();

            assertThat(errors(ErrorCode.INVALID_TIMESTAMP).count()).isEqualTo(5);
            assertThat(errors(ErrorCode.FRAME_TOO_LARGE).count()).isEqualTo(1);
            assertThat(registry.find("yak.producer.errors").meters()).hasSize(2);
            assertThat(retries().count()).isZero();
            assertThat(registry.find("yak.producer.records.sent").meters()).isEmpty();
        }
        assertThat(producerMeters()).isEmpty();
    }

    @Test
    void shouldCountAFailureWithoutAnErrorCodeAsUnknownServerError() {
        ProducerMetrics metrics = new ProducerMetrics(registry, CLIENT_ID);
        metrics.failed(new IllegalStateException("no direct memory"), 3);
        metrics.failed(new YakException(ErrorCode.REQUEST_TIMED_OUT, "expired"), 2);
        assertThat(errors(ErrorCode.UNKNOWN_SERVER_ERROR).count()).isEqualTo(3);
        assertThat(errors(ErrorCode.REQUEST_TIMED_OUT).count()).isEqualTo(2);
        metrics.close();
        assertThat(producerMeters()).isEmpty();
    }

    private Counter errors(ErrorCode code) {
        return registry.get("yak.producer.errors").tag("client.id", CLIENT_ID).tag("error", code.name()).counter();
    }
}
