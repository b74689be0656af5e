package io.yak.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer pipelining small publishes to one partition, some appended in place on the broker's event loop and some
 * by the partition's writer thread (every new page): the broker answers them in the order they were sent, so the
 * producer's callbacks come in offset order, as they do in Kafka.
 */
@Timeout(120)
class PublishAnswerOrderIT {
    @TempDir
    Path dir;

    @Test
    void shouldAnswerOneConnectionsPublishesInOrderWhetherAppendedInPlaceOrByTheWriter() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 1, 1 << 24);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> admin.describeCluster().brokers().stream()
                .anyMatch(b -> b.alive()));
            admin.createTopic("ordered", 1);
            Properties config = new Properties();
            config.setProperty("coordinator", cluster.bootstrap());
            config.setProperty("linger.ms", "0");
            // one or two records per request: every request is small enough to go in place
            config.setProperty("batch.size", "300");
            config.setProperty("max.request.size", "600");
            config.setProperty("max.in.flight.requests.per.connection", "5");
            int records = 20_000;
            AtomicLongArray offsets = new AtomicLongArray(records);
            AtomicInteger failures = new AtomicInteger();
            AtomicInteger outOfOrder = new AtomicInteger();
            long[] lastSeen = {-1};
            CountDownLatch answered = new CountDownLatch(records);
            byte[] value = new byte[150];
            try (YakProducer producer = new YakProducer(config)) {
                for (int i = 0; i < records; i++) {
                    producer.send("ordered", 0, null, value, System.currentTimeMillis(),
                        (token, topic, partition, offset, timestamp, error) -> {
                            if (error != null) {
                                failures.incrementAndGet();
                            } else {
                                offsets.set((int) token, offset);
                                synchronized (lastSeen) {
                                    if (offset < lastSeen[0]) {
                                        outOfOrder.incrementAndGet();
                                    }
                                    lastSeen[0] = offset;
                                }
                            }
                            answered.countDown();
                        }, i);
                }
                producer.flush();
                assertThat(answered.await(60, TimeUnit.SECONDS)).isTrue();
            }
            long inPlace = cluster.broker(1).inPlaceAppends();
            long byWriter = cluster.broker(1).writerAppends();
            assertThat(inPlace).as("publishes appended in place").isPositive();
            assertThat(byWriter).as("publishes appended by the writer").isPositive();
            assertThat(failures.get()).isZero();
            assertThat(outOfOrder.get()).as("callbacks with a lower offset than the one before").isZero();
            for (int i = 1; i < records; i++) {
                assertThat(offsets.get(i)).as("record %d stored after record %d", i, i - 1)
                    .isGreaterThan(offsets.get(i - 1));
            }
        }
    }
}
