package io.yak.broker.partition;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.broker.log.LogConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Consumes parked at the log end: completed by the next append (before the publisher is answered) or by max-wait. */
@Timeout(60)
class PartitionManagerWaitTest {
    @TempDir
    Path dir;
    private PartitionManager pm;

    @BeforeEach
    void lead() {
        pm = leadingTopicT(dir, LogConfig.defaults().withSegmentBytes(1 << 20));
    }

    /**
     * Broker 1 with one writer thread, leading the one partition of topic {@code t}, once its log is open (shared
     * with {@link PartitionManagerInPlaceTest}).
     */
    static PartitionManager leadingTopicT(Path dir, LogConfig config) {
        PartitionManager pm = new PartitionManager(1, dir, config, 1, false, 1, RetentionConfig.defaults(),
            (topic, n) -> { });
        pm.onMetadata(new ClusterMetadata(1, List.of(new BrokerInfo(1, "127.0.0.1", 9, true)),
            List.of(new TopicInfo("t", List.of(new PartitionInfo(0, 1, 0, 0, List.of(1), List.of(1))), Map.of()))));
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ErrorCode[] e = new ErrorCode[1];
            pm.consume("t", 0, -1, 0, 1024, 0, (error, epoch, hw, start, records) -> {
                records.release();
                e[0] = error;
            });
            return e[0] == ErrorCode.NONE;
        });
        return pm;
    }

    @AfterEach
    void close() {
        pm.close();
    }

    /** One record batch holding {@code value}, in a heap buffer (shared with {@link PartitionManagerFirstViewTest}). */
    static ByteBuf batch(String value) {
        ByteBuf buf = Unpooled.buffer(256);
        RecordBatchBuilder b = new RecordBatchBuilder().begin(buf, 1000, RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
        b.append(1000, null, value.getBytes(UTF_8));
        b.finish();
        return buf;
    }

    @Test
    void shouldAnswerAParkedConsumeWithNothingWhenMaxWaitPasses() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        int[] bytes = {-1};
        long start = System.nanoTime();
        pm.consume("t", 0, -1, 0, 1024, 300, (error, epoch, hw, logStart, records) -> {
            bytes[0] = records.readableBytes();
            records.release();
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(bytes[0]).isZero();
        assertThat(waitedMs).as("answered only once max-wait passed").isGreaterThanOrEqualTo(290);
    }

    @Test
    void shouldAnswerParkedConsumesOnAppendBeforeThePublisherAndNeverTwice() throws Exception {
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        AtomicInteger answers = new AtomicInteger();
        int parked = 50;
        for (int i = 0; i < parked; i++) {
            int id = i;
            pm.consume("t", 0, -1, 0, 1024, 200, (error, epoch, hw, logStart, records) -> {
                events.add("consume " + id + " " + error + " " + records.readableBytes() + " hw " + hw);
                records.release();
                answers.incrementAndGet();
            });
        }
        CountDownLatch published = new CountDownLatch(1);
        pm.publish("t", 0, batch("hello"), true, (error, epoch, base, logStart) -> {
            events.add("publish " + error + " " + base);
            published.countDown();
        });
        assertThat(published.await(10, TimeUnit.SECONDS)).isTrue();
        List<String> seen = List.copyOf(events);
        assertThat(seen).hasSize(parked + 1);
        assertThat(seen.get(parked)).isEqualTo("publish NONE 0");
        for (int i = 0; i < parked; i++) {
            assertThat(seen.get(i)).startsWith("consume ").endsWith(" NONE " + batch("hello").readableBytes()
                + " hw 1");
        }
        // The cancelled max-wait timers must not answer anyone a second time.
        Thread.sleep(400);
        assertThat(answers.get()).isEqualTo(parked);
    }
}
