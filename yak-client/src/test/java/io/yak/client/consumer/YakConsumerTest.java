package io.yak.client.consumer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.client.fake.FakeBroker;
import io.yak.client.fake.FakeCluster;
import io.yak.wire.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class YakConsumerTest {
    private final FakeCluster cluster = new FakeCluster(2, 3);

    @AfterEach
    void close() {
        cluster.close();
    }

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("fetch.max.wait.ms", "100");
        p.setProperty("retry.backoff.ms", "20");
        return p;
    }

    private static List<String> values(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** Polls until {@code done} holds for what was read, or 20 s pass. */
    private static List<ConsumerRecord> pollUntil(YakConsumer c, Predicate<List<ConsumerRecord>> done) {
        List<ConsumerRecord> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!done.test(out)) {
            assertThat(System.nanoTime() - deadline).as("records read in time: %s", out.size()).isNegative();
            out.addAll(c.poll(Duration.ofMillis(200)));
        }
        return out;
    }

    private static List<String> valuesOf(List<ConsumerRecord> records, int partition) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord r : records) {
            if (r.partition() == partition) {
                out.add(new String(r.value(), UTF_8));
            }
        }
        return out;
    }

    /**
     * While the records of one response are handed out, the next CONSUME is already in flight (a prefetch from
     * the end of the buffered data), and the records still come out exactly once, in order.
     */
    @Test
    void shouldPrefetchTheNextResponseWhileReturningBufferedRecords() {
        cluster.coordinator.createTopic("stream", 1);
        List<String> expected = values("v", 0, 1000);
        cluster.store.appendValues("stream", 0, expected, 50);
        Properties p = props();
        p.setProperty("auto.offset.reset", "earliest");
        p.setProperty("max.poll.records", "10");
        p.setProperty("fetch.max.bytes", "4096");
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("stream"));
            List<ConsumerRecord> first = pollUntil(c, r -> !r.isEmpty());
            assertThat(first).hasSizeLessThanOrEqualTo(10);
            await().atMost(Duration.ofSeconds(5)).until(() -> consumeRequests() >= 2);
            List<ConsumerRecord> all = new ArrayList<>(first);
            all.addAll(pollUntil(c, r -> r.size() + first.size() >= expected.size()));
            assertThat(valuesOf(all, 0)).containsExactlyElementsOf(expected);
        }
    }

    private int consumeRequests() {
        return cluster.broker(1).consumeRequests.get() + cluster.broker(2).consumeRequests.get();
    }

    @Test
    void shouldReadEverythingFromTheBeginningInOrder() {
        cluster.coordinator.createTopic("events", 3);
        for (int p = 0; p < 3; p++) {
            cluster.store.appendValues("events", p, values("p" + p + "-", 0, 700), 50);
        }
        Properties p = props();
        p.setProperty("from.beginning", "true");
        p.setProperty("max.poll.records", "123");
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("events"));
            List<ConsumerRecord> records = pollUntil(c, r -> r.size() >= 2100);
            assertThat(records).hasSize(2100);
            for (int part = 0; part < 3; part++) {
                assertThat(valuesOf(records, part)).containsExactlyElementsOf(values("p" + part + "-", 0, 700));
            }
            Map<Integer, Long> last = new HashMap<>();
            for (ConsumerRecord r : records) {
                Long prev = last.put(r.partition(), r.offset());
                assertThat(r.offset()).isEqualTo(prev == null ? 0 : prev + 1);
                assertThat(r.key()).isEqualTo(("k" + r.offset()).getBytes(UTF_8));
                assertThat(r.timestamp()).isEqualTo(1000 + r.offset());
            }
            assertThat(c.position(new TopicPartition("events", 1))).isEqualTo(700);
            assertThat(c.assignment()).hasSize(3);
        }
    }

    /**
     * The handler path sees the same records as the list path (keys, values, offsets, timestamps), at most
     * max.poll.records per poll, reading values in place.
     */
    @Test
    void shouldHandRecordsToAHandlerInOrderUpToMaxPollRecords() {
        cluster.coordinator.createTopic("views", 2);
        for (int p = 0; p < 2; p++) {
            cluster.store.appendValues("views", p, values("p" + p + "-", 0, 300), 40);
        }
        Properties p = props();
        p.setProperty("from.beginning", "true");
        p.setProperty("max.poll.records", "55");
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("views"));
            List<ConsumerRecord> seen = new ArrayList<>();
            byte[] scratch = new byte[16];
            RecordHandler handler = r -> {
                assertThat(r.topicPartition()).isEqualTo(new TopicPartition("views", r.partition()));
                int n = r.valueLength();
                r.getValue(0, scratch, 0, n);
                assertThat(new String(scratch, 0, n, UTF_8)).isEqualTo(new String(r.value(), UTF_8));
                seen.add(r.toRecord());
            };
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (seen.size() < 600) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                int before = seen.size();
                int n = c.poll(Duration.ofMillis(200), handler);
                assertThat(n).isEqualTo(seen.size() - before).isBetween(0, 55);
            }
            assertThat(seen).hasSize(600);
            for (int part = 0; part < 2; part++) {
                assertThat(valuesOf(seen, part)).containsExactlyElementsOf(values("p" + part + "-", 0, 300));
            }
            for (ConsumerRecord r : seen) {
                assertThat(r.key()).isEqualTo(("k" + r.offset()).getBytes(UTF_8));
                assertThat(r.timestamp()).isEqualTo(1000 + r.offset());
            }
            assertThat(c.position(new TopicPartition("views", 0))).isEqualTo(300);
        }
    }

    /**
     * A handler that throws stops the poll; the record it threw on is handed out again by the next poll. A
     * handler may not call the consumer, and a view kept past its call refuses to be read.
     */
    @Test
    void shouldRedeliverTheRecordAHandlerThrewOnAndGuardTheView() {
        cluster.coordinator.createTopic("throws", 1);
        cluster.store.appendValues("throws", 0, values("v", 0, 20), 20);
        Properties p = props();
        p.setProperty("auto.offset.reset", "earliest");
        TopicPartition tp = new TopicPartition("throws", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            List<Long> offsets = new ArrayList<>();
            RecordView[] kept = new RecordView[1];
            RecordHandler failOn7 = r -> {
                if (r.offset() == 7) {
                    throw new IllegalArgumentException("cannot take 7");
                }
                offsets.add(r.offset());
                kept[0] = r;
            };
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            assertThatThrownBy(() -> {
                while (System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200), failOn7);
                }
            }).isInstanceOf(IllegalArgumentException.class).hasMessage("cannot take 7");
            assertThat(offsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(c.position(tp)).isEqualTo(7);
            assertThatThrownBy(() -> kept[0].valueLong(0)).isInstanceOf(IllegalStateException.class);

            List<Long> rest = new ArrayList<>();
            while (rest.size() < 13) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                c.poll(Duration.ofMillis(200), r -> {
                    rest.add(r.offset());
                    assertThatThrownBy(() -> r.getValue(r.valueLength() - 1, new byte[4], 0, 2))
                        .isInstanceOf(IndexOutOfBoundsException.class);
                    assertThat(r.keyLength()).isEqualTo(("k" + r.offset()).length());
                });
            }
            assertThat(rest).containsExactly(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L);

            cluster.store.appendValues("throws", 0, values("w", 0, 1), 1);
            assertThatThrownBy(() -> {
                while (System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200), r -> c.seek(tp, 0));
                }
            }).isInstanceOf(IllegalStateException.class).hasMessageContaining("must not call the consumer");
            assertThat(c.position(tp)).isEqualTo(20);
        }
    }

    @Test
    void shouldReturnAtMostMaxPollRecordsAndContinueMidBatch() {
        cluster.coordinator.createTopic("one", 1);
        cluster.store.appendValues("one", 0, values("v", 0, 100), 40);
        Properties p = props();
        p.setProperty("auto.offset.reset", "earliest");
        p.setProperty("max.poll.records", "7");
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(new TopicPartition("one", 0)));
            List<ConsumerRecord> all = new ArrayList<>();
            while (all.size() < 100) {
                List<ConsumerRecord> batch = c.poll(Duration.ofSeconds(5));
                assertThat(batch.size()).isBetween(1, 7);
                all.addAll(batch);
            }
            assertThat(valuesOf(all, 0)).containsExactlyElementsOf(values("v", 0, 100));
        }
    }

    @Test
    void shouldStartAtTheEndWithLatestAndSeeNewRecords() {
        cluster.coordinator.createTopic("tail", 1);
        cluster.store.appendValues("tail", 0, values("old", 0, 10), 5);
        try (YakConsumer c = new YakConsumer(props())) {
            c.subscribe(List.of("tail"));
            assertThat(c.poll(Duration.ofMillis(300))).isEmpty();
            assertThat(c.position(new TopicPartition("tail", 0))).isEqualTo(10);
            cluster.store.appendValues("tail", 0, values("new", 0, 3), 5);
            List<ConsumerRecord> records = pollUntil(c, r -> r.size() >= 3);
            assertThat(valuesOf(records, 0)).containsExactly("new0", "new1", "new2");
            assertThat(records.get(0).offset()).isEqualTo(10);
        }
    }

    @Test
    void shouldResetToEarliestOnOffsetOutOfRange() {
        cluster.coordinator.createTopic("retained", 1);
        cluster.store.appendValues("retained", 0, values("v", 0, 100), 10);
        cluster.store.deleteBefore("retained", 0, 50);
        Properties p = props();
        p.setProperty("auto.offset.reset", "earliest");
        TopicPartition tp = new TopicPartition("retained", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            c.seek(tp, 10); // below the log start now
            List<ConsumerRecord> records = pollUntil(c, r -> r.size() >= 50);
            assertThat(records.get(0).offset()).isEqualTo(50);
            assertThat(valuesOf(records, 0)).containsExactlyElementsOf(values("v", 50, 100));
            c.seek(tp, 5000); // past the end
            cluster.store.appendValues("retained", 0, values("w", 0, 1), 1);
            List<ConsumerRecord> again = pollUntil(c, r -> r.size() >= 51);
            assertThat(again.get(0).offset()).isEqualTo(50);
        }
    }

    @Test
    void shouldThrowOnOffsetOutOfRangeWithResetNone() {
        cluster.coordinator.createTopic("strict", 1);
        cluster.store.appendValues("strict", 0, values("v", 0, 10), 10);
        Properties p = props();
        p.setProperty("auto.offset.reset", "none");
        TopicPartition tp = new TopicPartition("strict", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5))).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE))
                .hasMessageContaining("auto.offset.reset=none");
            c.seek(tp, 99);
            assertThatThrownBy(() -> pollUntil(c, r -> false)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE));
            c.seek(tp, 8);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 2), 0)).containsExactly("v8", "v9");
        }
    }

    @Test
    void shouldFollowALeaderChangePushedByTheCoordinator() {
        cluster.coordinator.createTopic("moving", 1); // leader: broker 1
        cluster.store.appendValues("moving", 0, values("a", 0, 20), 5);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("moving"));
            List<ConsumerRecord> first = pollUntil(c, r -> r.size() >= 20);
            assertThat(valuesOf(first, 0)).containsExactlyElementsOf(values("a", 0, 20));
            // The first METADATA goes out right behind the registration, whose answer already lists the topic: on a
            // busy machine the records can arrive before the coordinator counted that request.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> cluster.coordinator.metadataRequests.get() >= 1);
            int metadataBefore = cluster.coordinator.metadataRequests.get();
            // broker 1 keeps serving until the consumer heard of the move (else it could answer NOT_LEADER to a
            // fetch sent just before the push arrived, and the consumer would ask for metadata)
            cluster.broker(1).staleLeadership(true);
            cluster.coordinator.setLeader("moving", 0, 2, true);
            pollUntil(c, r -> cluster.broker(2).consumeRequests.get() > 0);
            cluster.broker(1).staleLeadership(false);
            int atBroker1 = cluster.broker(1).consumeRequests.get();
            cluster.store.appendValues("moving", 0, values("b", 0, 20), 5);
            List<ConsumerRecord> second = pollUntil(c, r -> r.size() >= 20);
            assertThat(valuesOf(second, 0)).containsExactlyElementsOf(values("b", 0, 20));
            assertThat(second.get(0).offset()).isEqualTo(20);
            assertThat(cluster.broker(1).consumeRequests.get()).isEqualTo(atBroker1);
            assertThat(cluster.broker(1).notLeaderAnswers.get()).isZero();
            assertThat(cluster.coordinator.metadataRequests.get()).as("learned from the push, not by asking")
                .isEqualTo(metadataBefore);
        }
    }

    @Test
    void shouldRefreshMetadataOnNotLeaderAndOnALostBroker() {
        cluster.coordinator.createTopic("silent", 1);
        cluster.store.appendValues("silent", 0, values("a", 0, 5), 5);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("silent"));
            pollUntil(c, r -> r.size() >= 5);
            cluster.coordinator.setLeader("silent", 0, 2, false); // not pushed: broker 1 says NOT_LEADER
            cluster.store.appendValues("silent", 0, values("b", 0, 5), 5);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 5), 0)).containsExactlyElementsOf(values("b", 0, 5));
            cluster.coordinator.setLeader("silent", 0, 1, false);
            cluster.broker(2).dropConnections();
            cluster.store.appendValues("silent", 0, values("c", 0, 5), 5);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 5), 0)).containsExactlyElementsOf(values("c", 0, 5));
        }
    }

    /**
     * The leader-related errors of a fetch (and a lost connection) ask for metadata and retry the same offset: every
     * record comes exactly once, in order.
     */
    @Test
    void shouldRetryLeaderErrorsOfAFetchWithoutSkippingOrRepeatingOffsets() {
        cluster.coordinator.createTopic("epochs", 1);
        cluster.store.appendValues("epochs", 0, values("a", 0, 10), 5);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        p.setProperty("max.poll.records", "3");
        List<ConsumerRecord> read = new ArrayList<>();
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("epochs"));
            read.addAll(pollUntil(c, r -> r.size() >= 4));
            int metadataBefore = cluster.coordinator.metadataRequests.get();
            for (ErrorCode code : List.of(ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH,
                    ErrorCode.PARTITION_OFFLINE, ErrorCode.NOT_LEADER)) {
                cluster.broker(1).failNextConsumes(1, code);
                cluster.store.appendValues("epochs", 0, values(code.name() + "-", 0, 3), 3);
                read.addAll(c.poll(Duration.ofMillis(300)));
            }
            cluster.broker(1).dropConnections();
            cluster.store.appendValues("epochs", 0, values("z", 0, 3), 3);
            read.addAll(pollUntil(c, r -> read.size() + r.size() >= 25));
            assertThat(cluster.coordinator.metadataRequests.get()).isGreaterThan(metadataBefore);
        }
        List<String> expected = new ArrayList<>(values("a", 0, 10));
        for (String code : List.of("FENCED_LEADER_EPOCH-", "UNKNOWN_LEADER_EPOCH-", "PARTITION_OFFLINE-",
                "NOT_LEADER-")) {
            expected.addAll(values(code, 0, 3));
        }
        expected.addAll(values("z", 0, 3));
        assertThat(valuesOf(read, 0)).containsExactlyElementsOf(expected);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).offset()).isEqualTo(i);
        }
    }

    /**
     * Fetches name the leader epoch of the metadata they took the leader from. After a re-election the consumer
     * did not hear of, the leader fences the old epoch; a leader that has not learned the consumer's epoch answers
     * UNKNOWN_LEADER_EPOCH. Both refresh the metadata and retry the same offset: every record comes exactly once.
     */
    @Test
    void shouldNameTheLeaderEpochInFetchesAndRetryWhenTheLeaderFencesIt() {
        cluster.coordinator.createTopic("fenced", 1);
        cluster.store.appendValues("fenced", 0, values("a", 0, 5), 5);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        FakeBroker leader = cluster.broker(1);
        List<ConsumerRecord> read = new ArrayList<>();
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("fenced"));
            read.addAll(pollUntil(c, r -> r.size() >= 5));
            assertThat(leader.lastConsumeLeaderEpoch).isZero();
            int metadataBefore = cluster.coordinator.metadataRequests.get();

            cluster.coordinator.setLeader("fenced", 0, 1, false); // re-elected at leader epoch 1, nobody told
            cluster.store.appendValues("fenced", 0, values("b", 0, 5), 5);
            read.addAll(pollUntil(c, r -> read.size() + r.size() >= 10 && leader.lastConsumeLeaderEpoch == 1));
            assertThat(leader.fencedConsumes.get()).as("a fetch at epoch 0 was fenced").isPositive();
            assertThat(cluster.coordinator.metadataRequests.get()).isGreaterThan(metadataBefore);

            int fencedBefore = leader.fencedConsumes.get();
            leader.leaderEpochLag(1); // knows epoch 0 only: the consumer's epoch 1 is unknown to it
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> leader.leaderEpochLag(0));
            cluster.store.appendValues("fenced", 0, values("c", 0, 5), 5);
            read.addAll(pollUntil(c, r -> read.size() + r.size() >= 15 && leader.fencedConsumes.get() > fencedBefore));
        }
        List<String> expected = new ArrayList<>(values("a", 0, 5));
        expected.addAll(values("b", 0, 5));
        expected.addAll(values("c", 0, 5));
        assertThat(valuesOf(read, 0)).containsExactlyElementsOf(expected);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).offset()).isEqualTo(i);
        }
    }

    /**
     * The offset lookup of a reset names the leader epoch too: FENCED_LEADER_EPOCH (the consumer missed a
     * re-election) and UNKNOWN_LEADER_EPOCH (the leader has not learned the epoch yet) refresh and ask again.
     */
    @Test
    void shouldRetryAResetLookupThatTheLeaderFencesByItsEpoch() {
        cluster.coordinator.createTopic("reset", 1);
        cluster.store.appendValues("reset", 0, values("v", 0, 10), 5);
        TopicPartition tp = new TopicPartition("reset", 0);
        FakeBroker leader = cluster.broker(1);
        try (YakConsumer c = new YakConsumer(props())) {
            c.assign(List.of(tp));
            assertThat(c.position(tp)).as("latest").isEqualTo(10);
            assertThat(leader.lastListOffsetsLeaderEpoch).isZero();

            cluster.coordinator.setLeader("reset", 0, 1, false);
            c.seekToBeginning(List.of(tp));
            assertThat(c.position(tp)).isZero();
            int fenced = leader.fencedListOffsets.get();
            assertThat(fenced).as("asked at epoch 0 first, then at 1").isPositive();
            assertThat(leader.lastListOffsetsLeaderEpoch).isEqualTo(1);

            leader.leaderEpochLag(1);
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> leader.leaderEpochLag(0));
            c.seekToEnd(List.of(tp));
            assertThat(c.position(tp)).isEqualTo(10);
            assertThat(leader.fencedListOffsets.get()).as("UNKNOWN_LEADER_EPOCH until it learned epoch 1")
                .isGreaterThan(fenced);
            assertThat(leader.lastListOffsetsLeaderEpoch).isEqualTo(1);
        }
    }

    /**
     * A LEADER_INFO push moves a fetch long-polling at the former leader at once: the next fetch goes to the new
     * leader without waiting for the old one's answer, and what the old one still answers is dropped.
     */
    @Test
    void shouldMoveALongPollToTheNewLeaderOnALeaderInfoPush() {
        cluster.coordinator.createTopic("longpoll", 1);
        cluster.store.appendValues("longpoll", 0, values("a", 0, 5), 5);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        p.setProperty("fetch.max.wait.ms", "8000");
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(new TopicPartition("longpoll", 0)));
            List<ConsumerRecord> first = new ArrayList<>();
            // not pollUntil: its 200 ms polls would cap the next fetch's long poll at 200 ms
            while (first.size() < 5) {
                first.addAll(c.poll(Duration.ofSeconds(8)));
            }
            // the next fetch now long-polls at broker 1, for up to 8 s
            await().atMost(Duration.ofSeconds(5)).until(() -> cluster.broker(1).consumeRequests.get() >= 2);
            long start = System.nanoTime();
            cluster.broker(1).staleLeadership(true); // it would still serve what it is asked
            cluster.coordinator.setLeader("longpoll", 0, 2, true);
            while (cluster.broker(2).consumeRequests.get() == 0) {
                assertThat(c.poll(Duration.ofMillis(100))).isEmpty();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("moved before the long poll ended")
                    .isLessThan(Duration.ofSeconds(4));
            }
            cluster.store.appendValues("longpoll", 0, values("b", 0, 5), 5);
            List<ConsumerRecord> second = pollUntil(c, r -> r.size() >= 5);
            assertThat(valuesOf(second, 0)).containsExactlyElementsOf(values("b", 0, 5));
            assertThat(second.get(0).offset()).isEqualTo(5);
            assertThat(c.poll(Duration.ofMillis(300))).as("the old leader's answer is not returned twice").isEmpty();
        }
    }

    /**
     * A new leader learns the high watermark a round trip after its election, so for a moment it is below the
     * position reached at the old leader and it answers OFFSET_OUT_OF_RANGE: the consumer waits for it instead of
     * resetting (which would read records again with earliest, or skip some with latest).
     */
    @Test
    void shouldWaitForANewLeaderWhoseHighWatermarkIsBehindThePosition() {
        cluster.coordinator.createTopic("catchup", 1);
        cluster.store.appendValues("catchup", 0, values("a", 0, 10), 5);
        Properties p = props();
        p.setProperty("auto.offset.reset", "earliest");
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("catchup"));
            pollUntil(c, r -> r.size() >= 10);
            cluster.broker(2).highWatermarkLag(5);
            cluster.coordinator.setLeader("catchup", 0, 2, true);
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                assertThat(c.poll(Duration.ofMillis(50))).isEmpty();
                return cluster.broker(2).consumeRequests.get() >= 3;
            });
            cluster.broker(2).highWatermarkLag(0);
            cluster.store.appendValues("catchup", 0, values("b", 0, 5), 5);
            List<ConsumerRecord> after = pollUntil(c, r -> r.size() >= 5);
            assertThat(valuesOf(after, 0)).containsExactlyElementsOf(values("b", 0, 5));
            assertThat(after.get(0).offset()).isEqualTo(10);
        }
    }

    @Test
    void shouldTellTheLagBehindTheHighWatermark() {
        cluster.coordinator.createTopic("lagging", 1);
        cluster.store.appendValues("lagging", 0, values("a", 0, 10), 5);
        TopicPartition tp = new TopicPartition("lagging", 0);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        p.setProperty("max.poll.records", "3");
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            assertThat(c.currentLag(tp)).isEmpty();
            pollUntil(c, r -> r.size() >= 3);
            assertThat(c.currentLag(tp)).hasValue(10 - c.position(tp));
            cluster.broker(1).highWatermarkLag(4); // records at or above the high watermark are not readable yet
            cluster.store.appendValues("lagging", 0, values("b", 0, 4), 4);
            pollUntil(c, r -> r.size() >= 7);
            assertThat(c.position(tp)).isEqualTo(10);
            assertThat(c.currentLag(tp)).hasValue(0);
            assertThatThrownBy(() -> c.currentLag(new TopicPartition("lagging", 1)))
                .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shouldCommitAndResumeFromTheCommittedOffset() {
        cluster.coordinator.createTopic("grouped", 2);
        cluster.store.appendValues("grouped", 0, values("x", 0, 10), 3);
        cluster.store.appendValues("grouped", 1, values("y", 0, 10), 3);
        Properties p = props();
        p.setProperty("group.id", "g1");
        p.setProperty("enable.auto.commit", "false"); // on by default with a group.id, as in Kafka
        p.setProperty("auto.offset.reset", "earliest");
        TopicPartition tp0 = new TopicPartition("grouped", 0);
        TopicPartition tp1 = new TopicPartition("grouped", 1);
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("grouped"));
            pollUntil(c, r -> r.size() >= 20);
            c.commitSync(Map.of(tp0, 4L, tp1, 10L));
            assertThat(c.committed(List.of(tp0, tp1))).containsEntry(tp0, 4L).containsEntry(tp1, 10L);
        }
        assertThat(cluster.coordinator.committed("g1", "grouped", 0)).isEqualTo(4L);
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of("grouped"));
            List<ConsumerRecord> rest = pollUntil(c, r -> r.size() >= 6);
            assertThat(valuesOf(rest, 0)).containsExactlyElementsOf(values("x", 4, 10));
            assertThat(valuesOf(rest, 1)).isEmpty();
            c.commitSync();
            assertThat(cluster.coordinator.committed("g1", "grouped", 0)).isEqualTo(10L);
        }
    }

    @Test
    void shouldReturnWithinTheTimeoutWhenNothingArrives() {
        cluster.coordinator.createTopic("quiet", 2);
        try (YakConsumer c = new YakConsumer(props())) {
            c.subscribe(List.of("quiet"));
            c.poll(Duration.ofMillis(100));
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                assertThat(c.poll(Duration.ofMillis(250))).isEmpty();
                long tookMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(tookMs).isBetween(200L, 2000L);
            }
            long start = System.nanoTime();
            assertThat(c.poll(Duration.ZERO)).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(1000);
        }
    }

    @Test
    void shouldSeekToBeginningAndEnd() {
        cluster.coordinator.createTopic("seeks", 1);
        cluster.store.appendValues("seeks", 0, values("v", 0, 10), 4);
        TopicPartition tp = new TopicPartition("seeks", 0);
        try (YakConsumer c = new YakConsumer(props())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            assertThat(c.position(tp)).isZero();
            assertThat(pollUntil(c, r -> r.size() >= 10)).hasSize(10);
            c.seek(tp, 3);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 7), 0)).containsExactlyElementsOf(values("v", 3, 10));
            c.seekToEnd(List.of());
            assertThat(c.position(tp)).isEqualTo(10);
        }
    }

    @Test
    void shouldCreateSubscribedTopicsAndFailOnUnknownOnesWhenCreationIsOff() {
        try (YakConsumer c = new YakConsumer(props())) {
            c.subscribe(List.of("fresh"));
            assertThat(c.poll(Duration.ofMillis(300))).isEmpty();
            assertThat(cluster.coordinator.metadata().topic("fresh")).isNotNull();
            assertThat(c.assignment()).hasSize(3);
        }
        cluster.coordinator.autoCreate(false);
        try (YakConsumer c = new YakConsumer(props())) {
            c.subscribe(List.of("missing"));
            assertThatThrownBy(() -> c.poll(Duration.ofSeconds(5))).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC)).hasMessageContaining("missing");
        }
    }

    @Test
    void shouldReturnRecordsBeforeACorruptBatchThenReportIt() {
        cluster.coordinator.createTopic("rotten", 1);
        cluster.store.appendValues("rotten", 0, values("v", 0, 30), 10);
        cluster.store.corrupt("rotten", 0, 1);
        Properties p = props();
        p.setProperty("from.beginning", "true");
        TopicPartition tp = new TopicPartition("rotten", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            List<ConsumerRecord> good = pollUntil(c, r -> r.size() >= 10);
            assertThat(valuesOf(good, 0)).containsExactlyElementsOf(values("v", 0, 10));
            assertThatThrownBy(() -> pollUntil(c, r -> false)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.CORRUPT_RECORD_BATCH)).hasMessageContaining("CRC");
            assertThat(c.position(tp)).isEqualTo(10);
            c.seek(tp, 20);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 10), 0)).containsExactlyElementsOf(values("v", 20, 30));
        }
    }

    // ---- assign to what does not exist ---------------------------------------------------------------

    /** assign() to a missing topic creates it when the coordinator auto-creates, as subscribe() does. */
    @Test
    void shouldCreateAnAssignedTopicAndReadIt() {
        Properties p = props();
        p.setProperty("auto.offset.reset", "earliest");
        TopicPartition tp = new TopicPartition("new-topic", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            assertThat(c.poll(Duration.ofMillis(300))).isEmpty();
            assertThat(cluster.coordinator.metadata().topic("new-topic")).as("created by the poll").isNotNull();
            cluster.store.appendValues("new-topic", 0, values("v", 0, 5), 5);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 5), 0)).containsExactlyElementsOf(values("v", 0, 5));
        }
    }

    /**
     * assign() to a topic that does not exist (auto-creation off), or to a partition beyond the topic's count,
     * fails poll and position as subscribe() does, instead of polling empty forever.
     */
    @Test
    void shouldFailPollOnAnAssignedUnknownTopicOrPartition() {
        cluster.coordinator.createTopic("orders", 3);
        cluster.coordinator.autoCreate(false);
        try (YakConsumer c = new YakConsumer(props())) {
            c.assign(List.of(new TopicPartition("orders", 9)));
            assertThatThrownBy(() -> c.poll(Duration.ofSeconds(10))).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_PARTITION))
                .hasMessageContaining("topic orders has 3 partition(s); there is no partition 9");

            TopicPartition nope = new TopicPartition("nope", 0);
            c.assign(List.of(nope));
            assertThatThrownBy(() -> c.poll(Duration.ofSeconds(10))).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC)).hasMessageContaining("nope");
            assertThatThrownBy(() -> c.position(nope, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC));
            assertThat(cluster.coordinator.metadata().topic("nope")).isNull();

            c.assign(List.of(new TopicPartition("orders", 2)));
            assertThat(c.poll(Duration.ofMillis(200))).as("a valid assignment polls normally again").isEmpty();
        }
    }

    // ---- wakeup ----------------------------------------------------------------------------------------

    /** wakeup() from another thread ends a poll blocked with a long timeout; the consumer stays usable. */
    @Test
    void shouldEndABlockedPollWithWakeupExceptionWhenAnotherThreadWakesIt() throws Exception {
        cluster.coordinator.createTopic("idle", 1);
        TopicPartition tp = new TopicPartition("idle", 0);
        try (YakConsumer c = new YakConsumer(props())) {
            c.assign(List.of(tp));
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread poller = new Thread(() -> {
                try {
                    c.poll(Duration.ofMinutes(10));
                    thrown.complete(null);
                } catch (Throwable t) {
                    thrown.complete(t);
                }
            }, "test-poller");
            poller.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> consumeRequests() > 0); // blocked in poll
            c.wakeup();
            assertThat(thrown.get(20, TimeUnit.SECONDS)).isInstanceOf(WakeupException.class)
                .hasMessageContaining("poll");
            poller.join();
            assertThat(c.poll(Duration.ofMillis(100))).as("one wakeup, one exception").isEmpty();
            cluster.store.appendValues("idle", 0, values("v", 0, 3), 3);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 3), 0)).containsExactly("v0", "v1", "v2");
        }
    }

    /**
     * A wakeup before a call that would block makes it throw at once (poll, a position lookup, commits), just
     * once, however many wakeups came before it.
     */
    @Test
    void shouldThrowWakeupExceptionOnceFromTheNextBlockingCall() {
        cluster.coordinator.createTopic("woken", 1);
        cluster.store.appendValues("woken", 0, values("v", 0, 4), 4);
        Properties p = props();
        p.setProperty("group.id", "gw");
        p.setProperty("auto.offset.reset", "earliest");
        TopicPartition tp = new TopicPartition("woken", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            c.wakeup();
            c.wakeup();
            assertThatThrownBy(() -> c.poll(Duration.ofMinutes(10))).isInstanceOf(WakeupException.class);
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 4), 0)).containsExactly("v0", "v1", "v2", "v3");

            c.seekToEnd(List.of(tp)); // a lookup, so position blocks
            c.wakeup();
            assertThatThrownBy(() -> c.position(tp)).isInstanceOf(WakeupException.class);
            assertThat(c.position(tp)).isEqualTo(4);
            c.wakeup();
            assertThatThrownBy(c::commitSync).isInstanceOf(WakeupException.class);
            c.wakeup();
            assertThatThrownBy(() -> c.committed(List.of(tp))).isInstanceOf(WakeupException.class);
            assertThat(cluster.coordinator.commits.get()).isZero();
            c.commitSync();
            assertThat(c.committed(List.of(tp))).containsEntry(tp, 4L);
            c.wakeup(); // close ignores it
        }
        assertThat(cluster.coordinator.committed("gw", "woken", 0)).isEqualTo(4L);
    }

    // ---- commitSync retries ------------------------------------------------------------------------------

    /** Lost coordinator connections and retriable error codes are retried; non-retriable codes are not. */
    @Test
    void shouldRetryCommitSyncOnRetriableFailuresOnly() {
        cluster.coordinator.createTopic("commits", 2);
        Properties p = props();
        p.setProperty("group.id", "gc");
        TopicPartition tp0 = new TopicPartition("commits", 0);
        TopicPartition tp1 = new TopicPartition("commits", 1);
        try (YakConsumer c = new YakConsumer(p)) {
            cluster.coordinator.failNextCommits(3, null); // the connection closes under each of 3 requests
            c.commitSync(Map.of(tp0, 5L, tp1, 6L));
            assertThat(cluster.coordinator.committed("gc", "commits", 0)).isEqualTo(5L);
            assertThat(cluster.coordinator.committed("gc", "commits", 1)).isEqualTo(6L);
            assertThat(cluster.coordinator.commits.get()).isGreaterThan(3);

            cluster.coordinator.failNextCommits(2, ErrorCode.STORAGE_ERROR);
            c.commitSync(Map.of(tp0, 7L));
            assertThat(cluster.coordinator.committed("gc", "commits", 0)).isEqualTo(7L);

            int before = cluster.coordinator.commits.get();
            cluster.coordinator.failNextCommits(1, ErrorCode.INVALID_REQUEST);
            assertThatThrownBy(() -> c.commitSync(Map.of(tp0, 8L))).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_REQUEST)).hasMessageContaining("gc");
            assertThat(cluster.coordinator.commits.get()).as("not retried").isEqualTo(before + 1);
            assertThat(cluster.coordinator.committed("gc", "commits", 0)).isEqualTo(7L);
        }
    }

    /** With the coordinator gone for longer than request.timeout.ms, commitSync gives up with the last error. */
    @Test
    void shouldGiveUpCommitSyncAfterTheRequestTimeout() {
        cluster.coordinator.createTopic("lost", 1);
        Properties p = props();
        p.setProperty("group.id", "gl");
        p.setProperty("request.timeout.ms", "400");
        TopicPartition tp = new TopicPartition("lost", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            cluster.coordinator.failNextCommits(Integer.MAX_VALUE, null);
            assertThatThrownBy(() -> c.commitSync(Map.of(tp, 1L))).isInstanceOfSatisfying(
                YakConnectionException.class, e -> assertThat(e.retriable()).isTrue())
                .hasMessageContaining("request.timeout.ms 400").hasMessageContaining("lost-0");
            assertThat(cluster.coordinator.commits.get()).as("retried").isGreaterThan(1);
            assertThat(cluster.coordinator.committed("gl", "lost", 0)).isNull();
        }
    }

    @Test
    void shouldKeepCommitSyncAndCommittedWithinTheRequestTimeoutForMorePartitionsThanRequestsInFlight() {
        // 640 partitions, 64 requests in flight per connection: a send beyond 64 waits for a slot, which a hung
        // coordinator frees only when a request times out. Those waits once added up: 10 rounds of
        // request.timeout.ms (3 s) for a commitSync that should give up after 300 ms.
        cluster.coordinator.createTopic("wide", 640);
        Properties p = props();
        p.setProperty("group.id", "gw");
        p.setProperty("request.timeout.ms", "300");
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < 640; i++) {
            offsets.put(new TopicPartition("wide", i), 1L);
        }
        try (YakConsumer c = new YakConsumer(p)) {
            cluster.coordinator.stallOffsets(true);
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.commitSync(offsets)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.retriable()).isTrue()).hasMessageContaining("request.timeout.ms 300");
            long commitMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            start = System.nanoTime();
            assertThatThrownBy(() -> c.committed(offsets.keySet())).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
            long committedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(commitMs).as("commitSync gives up after about request.timeout.ms").isLessThan(1_500);
            assertThat(committedMs).as("committed gives up after about request.timeout.ms + 1 s").isLessThan(2_200);
            cluster.coordinator.stallOffsets(false);
        }
        assertThat(cluster.coordinator.committed("gw", "wide", 0)).isNull();
    }

    @Test
    void shouldRefuseEveryCallButCloseOnceClosedAsKafkaDoes() {
        cluster.coordinator.createTopic("shut", 1);
        TopicPartition tp = new TopicPartition("shut", 0);
        Properties p = props();
        p.setProperty("group.id", "gs");
        YakConsumer c = new YakConsumer(p);
        c.assign(List.of(tp));
        c.close();
        List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
            () -> c.subscribe(List.of("shut")), () -> c.assign(List.of(tp)), c::assignment, () -> c.seek(tp, 0),
            () -> c.seekToBeginning(List.of(tp)), () -> c.seekToEnd(List.of(tp)), () -> c.position(tp),
            () -> c.poll(Duration.ofMillis(10)), c::commitSync, () -> c.committed(List.of(tp)),
            () -> c.offsetsForTimes(Map.of(tp, 0L)));
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : calls) {
            assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessageEndingWith("is closed");
        }
        c.close(); // closing again is a no-op
    }

    // ---- timestamps --------------------------------------------------------------------------------------

    /**
     * Partition 0 (leader broker 1): offsets 0-2 at 100, 110, 120; offsets 3-4 at 200, 150 (max 200); offsets 5-6
     * at 300, 310. Partition 1 (leader broker 2): offsets 0-1 at 1000, 1001.
     */
    private void timedTopic(String topic) {
        cluster.coordinator.createTopic(topic, 2);
        cluster.store.appendBatch(topic, 0, List.of("a", "b", "c"), List.of(100L, 110L, 120L));
        cluster.store.appendBatch(topic, 0, List.of("d", "e"), List.of(200L, 150L));
        cluster.store.appendBatch(topic, 0, List.of("f", "g"), List.of(300L, 310L));
        cluster.store.appendBatch(topic, 1, List.of("x", "y"), List.of(1000L, 1001L));
    }

    @Test
    void shouldFindOffsetsForTimesAtBatchGranularityOnEveryLeader() {
        timedTopic("times");
        TopicPartition tp0 = new TopicPartition("times", 0);
        TopicPartition tp1 = new TopicPartition("times", 1);
        long[][] expected = {{0, 0}, {100, 0}, {120, 0}, {121, 3}, {150, 3}, {200, 3}, {201, 5}, {310, 5}, {311, 7},
            {Long.MAX_VALUE, 7}};
        try (YakConsumer c = new YakConsumer(props())) {
            for (long[] e : expected) {
                Map<TopicPartition, Long> asked = new LinkedHashMap<>();
                asked.put(tp1, e[0]);
                asked.put(tp0, e[0]);
                Map<TopicPartition, Long> found = c.offsetsForTimes(asked);
                assertThat(found.keySet()).as("in the argument's order").containsExactly(tp1, tp0);
                assertThat(found.get(tp0)).as("partition 0 at %d", e[0]).isEqualTo(e[1]);
                assertThat(found.get(tp1)).as("partition 1 at %d", e[0]).isEqualTo(e[0] <= 1001 ? 0 : 2);
            }
            assertThat(c.assignment()).as("nothing assigned by a lookup").isEmpty();
        }
        assertThat(cluster.broker(1).listOffsetsRequests.get()).isEqualTo(expected.length);
        assertThat(cluster.broker(2).listOffsetsRequests.get()).isEqualTo(expected.length);
    }

    @Test
    void shouldAnswerTheLogStartForAnOldTimestampAfterRetention() {
        timedTopic("aged");
        cluster.store.deleteBefore("aged", 0, 3);
        TopicPartition tp = new TopicPartition("aged", 0);
        try (YakConsumer c = new YakConsumer(props())) {
            assertThat(c.offsetsForTimes(Map.of(tp, 0L))).containsExactly(Map.entry(tp, 3L));
        }
    }

    @Test
    void shouldSeekToTimestampAndReadFromThere() {
        timedTopic("replay");
        TopicPartition tp0 = new TopicPartition("replay", 0);
        TopicPartition tp1 = new TopicPartition("replay", 1);
        try (YakConsumer c = new YakConsumer(props())) {
            c.assign(List.of(tp0, tp1));
            c.seekToTimestamp(List.of(), 160);
            assertThat(c.position(tp0)).isEqualTo(3);
            assertThat(c.position(tp1)).isEqualTo(0);
            List<ConsumerRecord> records = pollUntil(c, r -> r.size() >= 6);
            assertThat(valuesOf(records, 0)).containsExactly("d", "e", "f", "g");
            assertThat(valuesOf(records, 1)).containsExactly("x", "y");

            c.seekToTimestamp(List.of(tp1), 5000); // nothing that recent: the log end, then only new records
            assertThat(c.position(tp1)).isEqualTo(2);
            cluster.store.appendBatch("replay", 1, List.of("z"), List.of(10L));
            assertThat(valuesOf(pollUntil(c, r -> r.size() >= 1), 1)).containsExactly("z");
            assertThatThrownBy(() -> c.seekToTimestamp(List.of(new TopicPartition("replay", 5)), 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not assigned");
        }
    }

    @Test
    void shouldRetryTimestampLookupsOnNotLeaderAndAskForTheEndWhenTheBrokerSaysNone() {
        timedTopic("retry");
        TopicPartition tp = new TopicPartition("retry", 0);
        cluster.broker(1).failNextTimestampLookups(2);
        try (YakConsumer c = new YakConsumer(props())) {
            assertThat(c.offsetsForTimes(Map.of(tp, 201L))).containsEntry(tp, 5L);
            assertThat(cluster.broker(1).listOffsetsRequests.get()).isEqualTo(3);

            cluster.broker(1).answerNoneAsMinusOne(true);
            assertThat(c.offsetsForTimes(Map.of(tp, 999L))).containsEntry(tp, 7L);
            assertThat(cluster.broker(1).listOffsetsRequests.get()).as("the timestamp, then the log end")
                .isEqualTo(5);
        }
    }

    /** Timestamp lookups name the leader epoch and are asked again, after a refresh, when the leader fences it. */
    @Test
    void shouldRetryTimestampLookupsThatTheLeaderFencesByItsEpoch() {
        timedTopic("fenced-times");
        TopicPartition tp = new TopicPartition("fenced-times", 0);
        FakeBroker leader = cluster.broker(1);
        try (YakConsumer c = new YakConsumer(props())) {
            assertThat(c.offsetsForTimes(Map.of(tp, 201L))).containsEntry(tp, 5L);
            assertThat(leader.lastListOffsetsLeaderEpoch).isZero();

            cluster.coordinator.setLeader("fenced-times", 0, 1, false);
            assertThat(c.offsetsForTimes(Map.of(tp, 201L))).containsEntry(tp, 5L);
            assertThat(leader.fencedListOffsets.get()).isEqualTo(1);
            assertThat(leader.lastListOffsetsLeaderEpoch).isEqualTo(1);

            leader.leaderEpochLag(1);
            CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS).execute(() -> leader.leaderEpochLag(0));
            assertThat(c.offsetsForTimes(Map.of(tp, 0L))).containsEntry(tp, 0L);
            assertThat(leader.fencedListOffsets.get()).isGreaterThan(1);
        }
    }

    @Test
    void shouldRejectBadTimestampLookups() {
        timedTopic("strict-times");
        try (YakConsumer c = new YakConsumer(props())) {
            assertThatThrownBy(() -> c.offsetsForTimes(Map.of(new TopicPartition("strict-times", 0), -1L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
            assertThatThrownBy(() -> c.offsetsForTimes(Map.of(new TopicPartition("strict-times", 2), 0L)))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_PARTITION))
                .hasMessageContaining("no partition 2");
            assertThatThrownBy(() -> c.offsetsForTimes(Map.of(new TopicPartition("ghost", 0), 0L)))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC));
            assertThat(cluster.coordinator.metadata().topic("ghost")).as("lookups never create topics").isNull();
            assertThat(c.offsetsForTimes(Map.of())).isEmpty();
        }
    }

    @Test
    void shouldTimeOutTimestampLookupsOfAnOfflinePartition() {
        timedTopic("down");
        cluster.coordinator.setLeader("down", 0, -1, false);
        Properties p = props();
        p.setProperty("request.timeout.ms", "500");
        try (YakConsumer c = new YakConsumer(p)) {
            assertThatThrownBy(() -> c.offsetsForTimes(Map.of(new TopicPartition("down", 0), 0L)))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT))
                .hasMessageContaining("down-0").hasMessageContaining("no live leader");
        }
    }

    @Test
    void shouldRefusePollWithoutSubscriptionOrAssignment() {
        try (YakConsumer c = new YakConsumer(props())) {
            assertThatThrownBy(() -> c.poll(Duration.ofMillis(10))).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void shouldRejectUnknownKeysAndCommitsWithoutGroup() {
        Properties p = props();
        p.setProperty("group", "g");
        assertThatThrownBy(() -> new YakConsumer(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("group");
        Properties q = props();
        q.setProperty("auto.offset.reset", "oldest");
        assertThatThrownBy(() -> new YakConsumer(q)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("auto.offset.reset");
        try (YakConsumer c = new YakConsumer(props())) {
            assertThatThrownBy(c::commitSync).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("group.id");
        }
    }

    @Test
    void shouldValidateTheGroupSettingsAsKafkaDoes() {
        Properties base = props();
        base.setProperty("group.id", "g");
        assertThat(ConsumerConfig.from(base).enableAutoCommit()).as("auto-commit on with a group.id").isTrue();
        assertThat(ConsumerConfig.from(props()).enableAutoCommit()).as("off without one").isFalse();
        assertThat(ConsumerConfig.from(base).assignors()).extracting(a -> a.name())
            .containsExactly("range", "cooperative-sticky");
        assertThat(ConsumerConfig.from(base).cooperative()).isFalse();
        Properties coop = props();
        coop.putAll(base);
        coop.setProperty("partition.assignment.strategy", "cooperative-sticky");
        assertThat(ConsumerConfig.from(coop).cooperative()).isTrue();

        for (String[] bad : new String[][] {
            {"heartbeat.interval.ms", "45000", "below session.timeout.ms"},
            {"partition.assignment.strategy", "sticky-ish", "unknown partition.assignment.strategy"},
            {"session.timeout.ms", "0", "session.timeout.ms"}}) {
            Properties p = props();
            p.putAll(base);
            p.setProperty(bad[0], bad[1]);
            assertThatThrownBy(() -> new YakConsumer(p)).as(bad[0]).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad[2]);
        }
        Properties instance = props();
        instance.setProperty("group.instance.id", "a");
        assertThatThrownBy(() -> new YakConsumer(instance)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("group.instance.id needs a group.id");
        try (YakConsumer c = new YakConsumer(props())) {
            assertThatThrownBy(() -> c.subscribe(java.util.regex.Pattern.compile("t.*"), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("group.id");
        }
    }

    @Test
    void shouldCommitAsynchronouslyAndTellTheCallbackFromALaterPoll() {
        cluster.coordinator.createTopic("async", 1);
        cluster.store.appendValues("async", 0, values("a", 0, 10), 3);
        Properties p = props();
        p.setProperty("group.id", "ga");
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("auto.offset.reset", "earliest");
        TopicPartition tp = new TopicPartition("async", 0);
        try (YakConsumer c = new YakConsumer(p)) {
            c.assign(List.of(tp));
            pollUntil(c, r -> r.size() >= 10);
            java.util.List<Object[]> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread me = Thread.currentThread();
            c.commitAsync((offsets, e) -> outcomes.add(new Object[] {offsets, e, Thread.currentThread() == me}));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (outcomes.isEmpty() && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(50));
            }
            assertThat(outcomes).hasSize(1);
            assertThat(outcomes.get(0)[0]).isEqualTo(Map.of(tp, 10L));
            assertThat(outcomes.get(0)[1]).isNull();
            assertThat(outcomes.get(0)[2]).as("called on the consumer's thread").isEqualTo(true);
            assertThat(cluster.coordinator.committed("ga", "async", 0)).isEqualTo(10L);

            cluster.coordinator.failNextCommits(1, ErrorCode.UNKNOWN_PARTITION);
            outcomes.clear();
            c.commitAsync(Map.of(tp, 3L), (offsets, e) -> outcomes.add(new Object[] {offsets, e}));
            while (outcomes.isEmpty() && System.nanoTime() < deadline + 10_000_000_000L) {
                c.poll(Duration.ofMillis(50));
            }
            assertThat(((YakException) outcomes.get(0)[1]).errorCode()).isEqualTo(ErrorCode.UNKNOWN_PARTITION);
            assertThat(cluster.coordinator.committed("ga", "async", 0)).as("not retried").isEqualTo(10L);
        }
    }
}
