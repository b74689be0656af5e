package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.broker.BrokerConfig;
import io.yak.broker.log.LogConfig;
import io.yak.client.ConsumerRecord;
import io.yak.client.RecordMetadata;
import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.testing.CapturedLogs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code log.message.timestamp.after.max.ms} (Kafka 4's default, one hour): a record stamped further ahead of the
 * broker's clock is refused with INVALID_TIMESTAMP, at once and without retries, and nothing of its request is stored;
 * one within the limit is stored as usual.
 */
class TimestampLimitIT {
    private static final String TOPIC = "clock";
    private static final long HOUR_MS = 3_600_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseRecordsStampedMoreThanTheLimitAheadOfTheBrokersClock() throws Exception {
        try (CapturedLogs logs = new CapturedLogs(RejectionLog.class);
             TestCluster cluster = new TestCluster(dir, 1, LogConfig.MIN_SEGMENT_BYTES);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            assertThat(cluster.broker(1).config().timestampAfterMaxMs())
                .isEqualTo(BrokerConfig.DEFAULT_TIMESTAMP_AFTER_MAX_MS).isEqualTo(HOUR_MS);
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.broker(1).registered());
            admin.createTopic(TOPIC, 1);
            Properties p = new Properties();
            p.setProperty("coordinator", cluster.bootstrap());
            p.setProperty("linger.ms", "0");
            try (YakProducer producer = new YakProducer(p)) {
                long now = System.currentTimeMillis();
                long sent = System.nanoTime();
                assertThatThrownBy(() -> send(producer, "two hours ahead", now + 2 * HOUR_MS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOfSatisfying(YakException.class, e -> {
                        assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_TIMESTAMP);
                        assertThat(e.getMessage()).contains("log.message.timestamp.after.max.ms");
                        assertThat(e.retriable()).isFalse();
                    });
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent))
                    .as("refused at once, not retried until delivery.timeout.ms").isLessThan(20_000);
                assertThat(send(producer, "half an hour ahead", now + HOUR_MS / 2).offset()).isZero();
                assertThat(send(producer, "now", System.currentTimeMillis()).offset()).isEqualTo(1);
            }
            assertThat(logs.at(Level.WARN)).anySatisfy(line -> assertThat(line).contains("INVALID_TIMESTAMP", "publish to clock-0",
                "ms ahead of the broker's clock", "log.message.timestamp.after.max.ms 3600000"));
            assertThat(readAll(cluster)).containsExactly("half an hour ahead", "now");
        }
    }

    private static RecordMetadata send(YakProducer producer, String value, long timestamp) throws Exception {
        return producer.send(TOPIC, 0, null, value.getBytes(UTF_8), timestamp).get(30, TimeUnit.SECONDS);
    }

    private static List<String> readAll(TestCluster cluster) {
        Properties c = new Properties();
        c.setProperty("coordinator", cluster.bootstrap());
        List<String> values = new ArrayList<>();
        try (YakConsumer consumer = new YakConsumer(c)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (values.size() < 2 && System.nanoTime() < deadline) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), UTF_8));
                }
            }
            // Anything stored after the two would show up here too.
            for (ConsumerRecord r : consumer.poll(Duration.ofMillis(300))) {
                values.add(new String(r.value(), UTF_8));
            }
        }
        return values;
    }
}
