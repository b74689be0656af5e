package io.yak.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.buffer.ByteBuf;
import io.yak.broker.log.LogConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.testing.CapturedLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19: a string that cannot be a topic name is not a topic. A publish, consume or list-offsets naming one gets
 * INVALID_TOPIC, nothing is created and nothing logged about it; the topics this broker asks the coordinator to create
 * are bounded, so random valid names cannot grow its memory.
 */
@Timeout(60)
class PartitionManagerTopicNameTest {
    private static final String FORGED = "t\n2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE";

    @TempDir
    Path dir;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private PartitionManager pm;

    @AfterEach
    void close() {
        if (pm != null) {
            pm.close();
        }
    }

    private PartitionManager autoCreating() {
        pm = new PartitionManager(2, dir, LogConfig.defaults(), 1, true, 1, RetentionConfig.defaults(),
            (topic, n) -> asked.add(topic), nowMs::get);
        return pm;
    }

    private static ClusterMetadata view(long epoch, TopicInfo... topics) {
        return new ClusterMetadata(epoch, List.of(new BrokerInfo(2, "127.0.0.1", 9, true)), List.of(topics));
    }

    private ErrorCode publish(String topic) {
        ErrorCode[] answer = new ErrorCode[1];
        ByteBuf batch = PartitionManagerWaitTest.batch("v");
        pm.publish(topic, 0, batch, true, (error, epoch, base, start) -> answer[0] = error);
        assertThat(batch.refCnt()).as("the batch is released").isZero();
        return answer[0];
    }

    private ErrorCode consume(String topic) {
        ErrorCode[] answer = new ErrorCode[1];
        pm.consume(topic, 0, -1, 0, 1024, 0, (error, epoch, hw, start, records) -> {
            records.release();
            answer[0] = error;
        });
        return answer[0];
    }

    private ErrorCode listOffset(String topic) {
        return pm.listOffset(topic, 0, -1, -1, new long[1]);
    }

    @Test
    void shouldAnswerInvalidTopicWithoutCreatingOrLoggingIt() {
        try (CapturedLogs logs = new CapturedLogs(PartitionManager.class)) {
            autoCreating();
            assertThat(listOffset(FORGED)).as("before the first cluster view too").isEqualTo(ErrorCode.INVALID_TOPIC);
            pm.onMetadata(view(1));
            for (String name : List.of(FORGED, "", ".", "..", "../../etc/passwd", "a b", "x".repeat(250), "é")) {
                assertThat(publish(name)).as("publish to '%s'", name).isEqualTo(ErrorCode.INVALID_TOPIC);
                assertThat(consume(name)).as("consume from '%s'", name).isEqualTo(ErrorCode.INVALID_TOPIC);
                assertThat(listOffset(name)).as("list offsets of '%s'", name).isEqualTo(ErrorCode.INVALID_TOPIC);
            }
            assertThat(asked).as("no creation asked for a name that cannot be a topic").isEmpty();
            assertThat(pm.topicsBeingCreated()).isZero();
            assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(line -> line.contains("FORGED") || line.contains("passwd"));

            assertThat(publish("orders")).as("a valid unknown name still asks").isEqualTo(ErrorCode.UNKNOWN_TOPIC);
            assertThat(asked).containsExactly("orders");
        }
    }

    @Test
    void shouldIgnoreATopicWithAnInvalidNameInTheClusterView() throws Exception {
        autoCreating();
        try (CapturedLogs logs = new CapturedLogs(PartitionManager.class)) {
            pm.onMetadata(view(1, new TopicInfo("..", List.of(new PartitionInfo(0, 2, 0, 0, List.of(2), List.of(2))), Map.of()),
                new TopicInfo(FORGED, List.of(new PartitionInfo(0, 2, 0, 0, List.of(2), List.of(2))), Map.of()),
                new TopicInfo("good", List.of(new PartitionInfo(0, 2, 0, 0, List.of(2), List.of(2))), Map.of())));
            await().atMost(Duration.ofSeconds(10)).until(() -> consume("good") == ErrorCode.NONE);
            assertThat(consume("..")).isEqualTo(ErrorCode.INVALID_TOPIC);
            assertThat(listOffset(FORGED)).isEqualTo(ErrorCode.INVALID_TOPIC);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.filter(Files::isDirectory).map(p -> p.getFileName().toString()))
                    .as("no log opened for an invalid name").containsExactly("good-0");
            }
            assertThat(logs.at(Level.WARN)).anySatisfy(line -> assertThat(line)
                .contains("ignoring topic t\\n2026-12-07 10:00:00.000 ERROR", "not a valid topic name"));
            assertThat(logs.events()).extracting(ILoggingEvent::getFormattedMessage)
                .noneMatch(line -> line.contains("\n"));
        }
    }

    @Test
    void shouldBoundTheTopicsAskedToBeCreated() {
        autoCreating();
        pm.onMetadata(view(1));
        long seed = System.nanoTime();
        System.out.println("PartitionManagerTopicNameTest seed " + seed);
        Random random = new Random(seed);
        int names = TopicCreations.MAX_TOPICS_BEING_CREATED + 500;
        try (CapturedLogs logs = new CapturedLogs(PartitionManager.class.getPackageName())) {
            for (int i = 0; i < names; i++) {
                String name = "fuzz-" + Long.toHexString(random.nextLong()) + "-" + i;
                assertThat(listOffset(name)).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
            }
            assertThat(pm.topicsBeingCreated()).as("seed %d", seed)
                .isEqualTo(TopicCreations.MAX_TOPICS_BEING_CREATED);
            assertThat(asked).hasSize(TopicCreations.MAX_TOPICS_BEING_CREATED);
            assertThat(logs.at(Level.WARN)).as("the limit is logged once, not per request").hasSize(1);
        }

        // The coordinator never created them (refused, or the request was lost): their places free up in time.
        nowMs.addAndGet(TopicCreations.CREATE_RETRY_MS);
        pm.expireCreations();
        assertThat(pm.topicsBeingCreated()).isZero();
        assertThat(listOffset("later")).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(asked).last().isEqualTo("later");
    }

    @Test
    void shouldAskAgainForATopicThatDidNotAppearButNotBefore() {
        autoCreating();
        pm.onMetadata(view(1));
        assertThat(publish("orders")).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(consume("orders")).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        nowMs.addAndGet(TopicCreations.CREATE_RETRY_MS - 1);
        assertThat(listOffset("orders")).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(asked).as("asked once while the request may still be answered").containsExactly("orders");
        nowMs.addAndGet(1);
        assertThat(listOffset("orders")).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(asked).containsExactly("orders", "orders");

        pm.onMetadata(view(2, new TopicInfo("orders", List.of(new PartitionInfo(0, 2, 0, 0, List.of(2), List.of(2))), Map.of())));
        assertThat(pm.topicsBeingCreated()).as("forgotten once it appears").isZero();
    }
}
