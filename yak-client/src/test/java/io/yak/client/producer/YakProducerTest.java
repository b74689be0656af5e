package io.yak.client.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.client.fake.FakeBroker;
import io.yak.client.fake.FakeCluster;
import io.yak.client.fake.FakeLogStore;
import io.yak.wire.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class YakProducerTest {
    private final FakeCluster cluster = new FakeCluster(2, 4);

    @AfterEach
    void close() {
        cluster.close();
    }

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("linger.ms", "2");
        p.setProperty("retry.backoff.ms", "20");
        return p;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    /** Per partition, offsets 0..n-1 each exactly once, and the log holds the same records in that order. */
    private void assertContiguousAndStored(String topic, List<CompletableFuture<RecordMetadata>> futures,
                                           List<String> values) throws Exception {
        Map<Integer, Map<Long, String>> byPartition = new HashMap<>();
        for (int i = 0; i < futures.size(); i++) {
            RecordMetadata md = futures.get(i).get(10, TimeUnit.SECONDS);
            assertThat(md.topic()).isEqualTo(topic);
            String previous = byPartition.computeIfAbsent(md.partition(), k -> new HashMap<>()).put(md.offset(),
                values.get(i));
            assertThat(previous).as("offset %d of partition %d given twice", md.offset(), md.partition()).isNull();
        }
        for (Map.Entry<Integer, Map<Long, String>> e : byPartition.entrySet()) {
            int n = e.getValue().size();
            for (long o = 0; o < n; o++) {
                assertThat(e.getValue()).containsKey(o);
            }
            List<FakeLogStore.StoredRecord> stored = cluster.store.records(topic, e.getKey());
            assertThat(stored).hasSize(n);
            for (FakeLogStore.StoredRecord r : stored) {
                assertThat(new String(r.value(), UTF_8)).isEqualTo(e.getValue().get(r.offset()));
            }
        }
    }

    @Test
    void shouldDeliverTenThousandKeyedRecordsWithContiguousOffsetsPerPartition() throws Exception {
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(props())) {
            for (int i = 0; i < 10_000; i++) {
                String key = "key-" + (i % 97);
                values.add("value-" + i);
                futures.add(producer.send("orders", bytes(key), bytes("value-" + i)));
            }
            producer.flush();
            assertThat(futures).allMatch(CompletableFuture::isDone);
        }
        assertContiguousAndStored("orders", futures, values);
        for (int i = 0; i < futures.size(); i++) {
            int expected = Murmur2.partitionForKey(bytes("key-" + (i % 97)), 4);
            assertThat(futures.get(i).join().partition()).isEqualTo(expected);
        }
        // per key, the records are stored in send order
        Map<String, Long> lastOffsetOfKey = new HashMap<>();
        for (int i = 0; i < futures.size(); i++) {
            String key = "key-" + (i % 97);
            long offset = futures.get(i).join().offset();
            Long last = lastOffsetOfKey.put(key, offset);
            assertThat(last == null || last < offset).isTrue();
        }
        assertThat(cluster.coordinator.registrations.get()).isEqualTo(1);
    }

    /**
     * While a request is in flight (answers take 10 ms), the batches that fill up go together in the next PUBLISH
     * (up to max.request.size), and every record still gets the offset the log stored it at.
     */
    @Test
    void shouldCarrySeveralReadyBatchesOfAPartitionInOnePublish() throws Exception {
        cluster.coordinator.createTopic("packed", 1);
        Properties p = props();
        p.setProperty("batch.size", "1024");
        p.setProperty("max.in.flight.requests.per.connection", "1");
        p.setProperty("max.request.size", "4200");
        cluster.broker(1).delayPublishAnswers(10);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < 20_000; i++) {
                values.add("value-" + i);
                futures.add(producer.send("packed", null, bytes("value-" + i)));
            }
            producer.flush();
        }
        assertContiguousAndStored("packed", futures, values);
        FakeBroker broker = cluster.broker(1);
        int batches = broker.publishedBatches.get();
        int requests = broker.publishRequests.get();
        assertThat(batches).as("batches of at most 1 KiB for 20,000 records").isGreaterThan(200);
        assertThat(requests).as("%d batches in %d requests", batches, requests).isLessThan(batches / 2);
        assertThat(broker.largestPublishBytes.get()).isLessThanOrEqualTo(4200);
    }

    /** A failed request of several batches is retried batch by batch; every record is stored once, in order. */
    @Test
    void shouldRetryTheBatchesOfAFailedPackedPublishInOrder() throws Exception {
        cluster.coordinator.createTopic("repacked", 1);
        Properties p = props();
        p.setProperty("batch.size", "1024");
        p.setProperty("max.in.flight.requests.per.connection", "1");
        FakeBroker broker = cluster.broker(1);
        broker.delayPublishAnswers(10);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < 3_000; i++) {
                values.add("value-" + i);
                futures.add(producer.send("repacked", null, bytes("value-" + i)));
                if (i == 1_000) {
                    broker.failNextPublishes(2, ErrorCode.PARTITION_OFFLINE);
                }
            }
            producer.flush();
        }
        assertContiguousAndStored("repacked", futures, values);
        List<FakeLogStore.StoredRecord> stored = cluster.store.records("repacked", 0);
        for (int i = 0; i < stored.size(); i++) {
            assertThat(new String(stored.get(i).value(), UTF_8)).isEqualTo("value-" + i);
        }
    }

    @Test
    void shouldRetryOnNotLeaderAfterRefreshingMetadata() throws Exception {
        cluster.coordinator.createTopic("moving", 1);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(props())) {
            futures.add(producer.send("moving", null, bytes("before")));
            values.add("before");
            producer.flush();
            assertThat(futures.get(0).get().offset()).isZero();
            // the leader moves to broker 2 but the clients are not told: broker 1 answers NOT_LEADER
            cluster.coordinator.setLeader("moving", 0, 2, false);
            int metadataBefore = cluster.coordinator.metadataRequests.get();
            for (int i = 0; i < 10; i++) {
                futures.add(producer.send("moving", null, bytes("after-" + i)));
                values.add("after-" + i);
            }
            producer.flush();
            assertThat(cluster.broker(1).notLeaderAnswers.get()).isGreaterThanOrEqualTo(1);
            assertThat(cluster.coordinator.metadataRequests.get()).isGreaterThan(metadataBefore);
            assertThat(cluster.broker(2).publishRequests.get()).as("retried at the new leader").isPositive();
        }
        assertContiguousAndStored("moving", futures, values);
    }

    /** The leader refuses for lack of in-sync replicas (nothing stored), then accepts: stored once, no refresh. */
    @Test
    void shouldRetryNotEnoughReplicasAtTheSameLeaderAndStoreTheRecordOnce() throws Exception {
        cluster.coordinator.createTopic("isr", 1);
        FakeBroker leader = cluster.broker(1);
        try (YakProducer producer = new YakProducer(props())) {
            producer.send("isr", null, bytes("warm-up")).get(10, TimeUnit.SECONDS);
            int metadataBefore = cluster.coordinator.metadataRequests.get();
            int publishesBefore = leader.publishRequests.get();
            leader.failNextPublishes(1, ErrorCode.NOT_ENOUGH_REPLICAS);
            RecordMetadata md = producer.send("isr", null, bytes("once")).get(10, TimeUnit.SECONDS);
            assertThat(md.offset()).isEqualTo(1);
            assertThat(leader.publishRequests.get() - publishesBefore).as("refused once, then accepted").isEqualTo(2);
            assertThat(cluster.coordinator.metadataRequests.get()).as("the leader did not move: no metadata asked")
                .isEqualTo(metadataBefore);
        }
        assertThat(cluster.store.records("isr", 0)).extracting(r -> new String(r.value(), UTF_8))
            .containsExactly("warm-up", "once");
    }

    /** A fenced leader epoch means our view is stale: the producer asks for metadata, then retries. */
    @Test
    void shouldRefreshMetadataOnAFencedLeaderEpochAndRetry() throws Exception {
        cluster.coordinator.createTopic("fenced", 1);
        try (YakProducer producer = new YakProducer(props())) {
            producer.send("fenced", null, bytes("warm-up")).get(10, TimeUnit.SECONDS);
            int metadataBefore = cluster.coordinator.metadataRequests.get();
            cluster.broker(1).failNextPublishes(2, ErrorCode.FENCED_LEADER_EPOCH);
            assertThat(producer.send("fenced", null, bytes("x")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(1);
            assertThat(cluster.coordinator.metadataRequests.get()).isGreaterThan(metadataBefore);
        }
        assertThat(cluster.store.records("fenced", 0)).hasSize(2);
    }

    /** Kafka 4's default: acks=all, and the broker waits for the ISR at most the producer's request timeout. */
    @Test
    void shouldPublishWithAcksAllAndTheRequestTimeoutByDefault() throws Exception {
        Properties p = props();
        p.setProperty("request.timeout.ms", "12345");
        try (YakProducer producer = new YakProducer(p)) {
            RecordMetadata md = producer.send("defaults", null, bytes("x")).get(10, TimeUnit.SECONDS);
            FakeBroker leader = cluster.broker(cluster.coordinator.metadata().topic("defaults")
                .partition(md.partition()).leader());
            assertThat(leader.lastAcks).isEqualTo((short) -1);
            assertThat(leader.lastPublishTimeoutMs).isEqualTo(12345);
        }
        assertThat(ProducerConfig.from(props()).acks()).isEqualTo((short) -1);
    }

    /** Kafka 3+'s default: idempotent, unless the settings it needs were changed without asking for it. */
    @Test
    void shouldBeIdempotentByDefaultAndRefuseSettingsThatContradictAnExplicitRequest() {
        assertThat(ProducerConfig.from(props()).idempotence()).isTrue();
        Properties acks1 = props();
        acks1.setProperty("acks", "1");
        assertThat(ProducerConfig.from(acks1).idempotence()).isFalse();
        Properties manyInFlight = props();
        manyInFlight.setProperty("max.in.flight.requests.per.connection", "6");
        assertThat(ProducerConfig.from(manyInFlight).idempotence()).isFalse();
        Properties off = props();
        off.setProperty("enable.idempotence", "false");
        assertThat(ProducerConfig.from(off).idempotence()).isFalse();
        acks1.setProperty("enable.idempotence", "true");
        assertThatThrownBy(() -> ProducerConfig.from(acks1)).hasMessageContaining("enable.idempotence")
            .hasMessageContaining("acks=all");
        manyInFlight.setProperty("enable.idempotence", "true");
        assertThatThrownBy(() -> ProducerConfig.from(manyInFlight)).hasMessageContaining("at most 5");
    }

    @Test
    void shouldRetryRetriableErrorsFromTheBroker() throws Exception {
        cluster.coordinator.createTopic("flaky", 1);
        cluster.broker(1).failNextPublishes(3, ErrorCode.PARTITION_OFFLINE);
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(props())) {
            for (int i = 0; i < 5; i++) {
                futures.add(producer.send("flaky", null, bytes("v" + i)));
                values.add("v" + i);
            }
            producer.flush();
        }
        assertContiguousAndStored("flaky", futures, values);
    }

    @Test
    void shouldRetryWhenTheBrokerDropsTheConnectionMidStream() throws Exception {
        cluster.coordinator.createTopic("dropped", 2);
        cluster.broker(1).dropAndCloseOnPublish(5);
        cluster.broker(2).dropAndCloseOnPublish(3);
        Properties p = props();
        p.setProperty("batch.size", "512");
        // One batch per partition in flight: nothing after the dropped publish can be stored before its retry.
        p.setProperty("max.in.flight.requests.per.connection", "1");
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < 2000; i++) {
                futures.add(producer.send("dropped", bytes("k" + (i % 10)), bytes("record-" + i)));
                values.add("record-" + i);
            }
            producer.flush();
        }
        assertThat(cluster.broker(1).droppedConnections.get()).isEqualTo(1);
        assertThat(cluster.broker(2).droppedConnections.get()).isEqualTo(1);
        assertContiguousAndStored("dropped", futures, values);
    }

    /**
     * Pipelined (the default 5 in flight): publishes behind the dropped one may be stored before its retry, so
     * a record can be stored twice (at-least-once, as Kafka's producer without idempotence), but every
     * acknowledged offset holds exactly the record it was acknowledged for, and none is lost.
     */
    @Test
    void shouldKeepEveryAcknowledgementTrueWhenPipelinedPublishesAreDropped() throws Exception {
        cluster.coordinator.createTopic("dropped-pipelined", 2);
        cluster.broker(1).dropAndCloseOnPublish(5);
        cluster.broker(2).dropAndCloseOnPublish(3);
        Properties p = props();
        p.setProperty("batch.size", "512");
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < 2000; i++) {
                futures.add(producer.send("dropped-pipelined", bytes("k" + (i % 10)), bytes("record-" + i)));
                values.add("record-" + i);
            }
            producer.flush();
        }
        Map<Integer, Map<Long, String>> stored = new HashMap<>();
        for (int partition = 0; partition < 2; partition++) {
            Map<Long, String> log = new HashMap<>();
            for (FakeLogStore.StoredRecord r : cluster.store.records("dropped-pipelined", partition)) {
                log.put(r.offset(), new String(r.value(), UTF_8));
            }
            stored.put(partition, log);
        }
        for (int i = 0; i < futures.size(); i++) {
            RecordMetadata md = futures.get(i).get(10, TimeUnit.SECONDS);
            assertThat(stored.get(md.partition()).get(md.offset())).as("record %d at its acknowledged offset", i)
                .isEqualTo(values.get(i));
        }
    }

    /**
     * Answers that come after the request timeout: the producer sends batches again that the leader already stored.
     * The leader recognises a retry among the last 5 requests it stored of the producer ({@code WIRE.md},
     * "Idempotent publishes"), so when a batch goes again, at most 5 first sends holding it or later batches may
     * have reached the leader before it.
     */
    @Test
    void shouldResendABatchOnlyWhileTheLeaderStillRemembersItsRequest() throws Exception {
        long seed = System.nanoTime();
        System.out.println("shouldResendABatchOnlyWhileTheLeaderStillRemembersItsRequest seed " + seed);
        cluster.coordinator.createTopic("late-answers", 1);
        for (int id = 1; id <= 2; id++) {
            cluster.broker(id).jitterPublishAnswers(30, seed + id);
        }
        Properties p = props();
        p.setProperty("request.timeout.ms", "15");
        p.setProperty("retry.backoff.ms", "1");
        p.setProperty("batch.size", "256");
        p.setProperty("linger.ms", "1");
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < 1000; i++) {
                futures.add(producer.send("late-answers", 0, null, bytes("record-" + i), System.currentTimeMillis()));
            }
            producer.flush();
        }
        for (CompletableFuture<RecordMetadata> f : futures) {
            assertThat(f).as("seed %d", seed).isCompleted().isNotCompletedExceptionally();
        }
        List<int[]> requests = new ArrayList<>();
        for (int id = 1; id <= 2; id++) {
            requests.addAll(cluster.broker(id).appendedSequences);
        }
        java.util.Set<Integer> sent = new java.util.HashSet<>();
        List<Integer> firstSendsLastBatch = new ArrayList<>();
        int resends = 0;
        for (int[] request : requests) {
            int s = request[0];
            if (sent.contains(s)) {
                resends++;
                long storedSince = firstSendsLastBatch.stream().filter(last -> last >= s).count();
                assertThat(storedSince).as("requests stored before the resend of sequence %d (seed %d)", s, seed)
                    .isLessThanOrEqualTo(5);
            } else {
                firstSendsLastBatch.add(request[request.length - 1]);
                for (int b : request) {
                    sent.add(b);
                }
            }
        }
        assertThat(resends).as("batches sent again (seed %d)", seed).isPositive();
    }

    @Test
    void shouldFailTheBatchOnANonRetriableError() throws Exception {
        cluster.coordinator.createTopic("bad", 1);
        cluster.broker(1).failNextPublishes(1, ErrorCode.CORRUPT_RECORD_BATCH);
        try (YakProducer producer = new YakProducer(props())) {
            CompletableFuture<RecordMetadata> f = producer.send("bad", null, bytes("x"));
            producer.flush();
            assertThat(failure(f)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.CORRUPT_RECORD_BATCH));
            assertThat(producer.send("bad", null, bytes("y")).get(10, TimeUnit.SECONDS).offset()).isZero();
        }
    }

    @Test
    void shouldExpireRecordsOfAnOfflinePartitionAfterTheDeliveryTimeout() throws Exception {
        cluster.coordinator.createTopic("offline", 1);
        cluster.coordinator.setLeader("offline", 0, -1, true);
        Properties p = props();
        p.setProperty("request.timeout.ms", "200");
        p.setProperty("delivery.timeout.ms", "400");
        try (YakProducer producer = new YakProducer(p)) {
            CompletableFuture<RecordMetadata> f = producer.send("offline", null, bytes("x"));
            assertThat(failure(f)).isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT))
                .hasMessageContaining("delivery.timeout.ms");
        }
    }

    @Test
    void shouldRetryUnansweredPublishesAfterTheRequestTimeout() throws Exception {
        cluster.coordinator.createTopic("slow", 1);
        cluster.broker(1).holdPublishes(true);
        Properties p = props();
        p.setProperty("request.timeout.ms", "300");
        try (YakProducer producer = new YakProducer(p)) {
            CompletableFuture<RecordMetadata> f = producer.send("slow", null, bytes("x"));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> cluster.broker(1).publishRequests.get() >= 2);
            cluster.broker(1).holdPublishes(false);
            assertThat(f.get(10, TimeUnit.SECONDS).offset()).isZero();
        }
    }

    @Test
    void shouldCompleteWithoutOffsetsWhenAcksIsZero() throws Exception {
        Properties p = props();
        p.setProperty("acks", "0");
        List<CompletableFuture<RecordMetadata>> futures = new ArrayList<>();
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < 100; i++) {
                futures.add(producer.send("fire", bytes("k"), bytes("v" + i)));
            }
            producer.flush();
        }
        for (CompletableFuture<RecordMetadata> f : futures) {
            assertThat(f.get(5, TimeUnit.SECONDS).offset()).isEqualTo(-1);
        }
        int partition = futures.get(0).join().partition();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
            .until(() -> cluster.store.records("fire", partition).size() == 100);
    }

    @Test
    void shouldFailSendsToAnUnknownTopicWhenAutoCreationIsOff() throws Exception {
        cluster.coordinator.autoCreate(false);
        try (YakProducer producer = new YakProducer(props())) {
            assertThat(failure(producer.send("nowhere", null, bytes("x"))))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_TOPIC))
                .hasMessageContaining("nowhere");
        }
    }

    /**
     * The callback path: every record told once on the sender thread with its token, offsets contiguous per
     * partition and matching what the log stores; a rejected record is told on the calling thread.
     */
    @Test
    void shouldTellASendCallbackEveryRecordWithItsTokenAndOffset() throws Exception {
        cluster.coordinator.createTopic("told", 3);
        int n = 3_000;
        long[] offsets = new long[n];
        int[] partitions = new int[n];
        java.util.Arrays.fill(offsets, -2);
        java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
        Thread caller = Thread.currentThread();
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        SendCallback callback = (token, topic, partition, offset, timestamp, error) -> {
            int i = (int) token;
            if (error != null || !topic.equals("told") || timestamp != 5_000 + i || offsets[i] != -2
                || Thread.currentThread() == caller) {
                wrong.add(token + " " + topic + " " + offset + " " + timestamp + " " + error);
            }
            offsets[i] = offset;
            partitions[i] = partition;
            told.incrementAndGet();
        };
        Properties p = props();
        p.setProperty("max.request.size", "1000");
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < n; i++) {
                producer.send("told", YakProducer.ANY_PARTITION, bytes("k" + (i % 31)), bytes("value-" + i),
                    5_000 + i, callback, i);
            }
            producer.flush();
            assertThat(told.get()).isEqualTo(n);
            assertThat(wrong).isEmpty();

            YakException[] rejected = new YakException[1];
            Thread[] on = new Thread[1];
            producer.send("told", 1, null, new byte[2000], 1, (token, topic, partition, offset, timestamp, error) -> {
                rejected[0] = error;
                on[0] = Thread.currentThread();
                assertThat(token).isEqualTo(77);
                assertThat(offset).isEqualTo(-1);
            }, 77);
            assertThat(on[0]).isSameAs(caller);
            assertThat(rejected[0].errorCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        }
        for (int part = 0; part < 3; part++) {
            Map<Long, String> expected = new HashMap<>();
            for (int i = 0; i < n; i++) {
                if (partitions[i] == part) {
                    assertThat(expected.put(offsets[i], "value-" + i)).isNull();
                }
            }
            List<FakeLogStore.StoredRecord> stored = cluster.store.records("told", part);
            assertThat(stored).hasSize(expected.size());
            for (FakeLogStore.StoredRecord r : stored) {
                assertThat(new String(r.value(), UTF_8)).isEqualTo(expected.get(r.offset()));
            }
        }
    }

    @Test
    void shouldRejectRecordsLargerThanMaxRequestSize() throws Exception {
        Properties p = props();
        p.setProperty("max.request.size", "1000");
        try (YakProducer producer = new YakProducer(p)) {
            assertThat(failure(producer.send("big", null, new byte[2000])))
                .isInstanceOfSatisfying(YakException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
        }
    }

    @Test
    void shouldRejectUnknownAndBadConfigKeys() {
        Properties p = props();
        p.setProperty("linger.msec", "3");
        assertThatThrownBy(() -> new YakProducer(p)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("linger.msec");
        Properties q = props();
        q.setProperty("acks", "2");
        assertThatThrownBy(() -> new YakProducer(q)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("acks");
        Properties r = props();
        r.setProperty("delivery.timeout.ms", "10");
        assertThatThrownBy(() -> new YakProducer(r)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("delivery.timeout.ms");
    }

    @Test
    void shouldTakeTypedValuesAndDefaultsAndRefuseWhatItCannotRead() {
        Properties typed = new Properties();
        typed.put("max.request.size", 4_000_000);
        typed.put("linger.ms", 0L);
        assertThat(ProducerConfig.from(typed).maxRequestSize()).isEqualTo(4_000_000);
        assertThat(ProducerConfig.from(typed).lingerMs()).isZero();

        Properties badTyped = new Properties();
        badTyped.put("acks", 7);
        assertThatThrownBy(() -> ProducerConfig.from(badTyped)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("acks");
        Properties unknownTyped = new Properties();
        unknownTyped.put("no.such.key", 1);
        assertThatThrownBy(() -> ProducerConfig.from(unknownTyped)).hasMessageContaining("no.such.key");
        Properties oddType = new Properties();
        oddType.put("linger.ms", java.time.Duration.ofMillis(5));
        assertThatThrownBy(() -> ProducerConfig.from(oddType)).hasMessageContaining("linger.ms")
            .hasMessageContaining("Duration");

        Properties defaults = new Properties();
        defaults.setProperty("client.id", "my-service");
        assertThat(ProducerConfig.from(new Properties(defaults)).common().clientId()).isEqualTo("my-service");
        defaults.setProperty("acks", "bogus");
        assertThatThrownBy(() -> ProducerConfig.from(new Properties(defaults))).hasMessageContaining("acks");
        Properties typedDefaults = new Properties();
        typedDefaults.put("max.request.size", 4_000_000);
        assertThatThrownBy(() -> ProducerConfig.from(new Properties(typedDefaults)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max.request.size");
        Properties overridden = new Properties(typedDefaults);
        overridden.put("max.request.size", 2_000_000);
        assertThat(ProducerConfig.from(overridden).maxRequestSize()).isEqualTo(2_000_000);

        Properties kafkaStyle = new Properties();
        kafkaStyle.setProperty("bootstrap.servers", "127.0.0.1:9092");
        assertThatThrownBy(() -> ProducerConfig.from(kafkaStyle)).hasMessageContaining("'coordinator'");
        Properties list = new Properties();
        list.setProperty("coordinator", "127.0.0.1:7000,127.0.0.1:7001");
        assertThatThrownBy(() -> ProducerConfig.from(list)).hasMessageContaining("coordinator")
            .hasMessageContaining("not one host:port");
    }

    @Test
    void shouldStillCloseAfterACloseFromACallbackWasRefused() throws Exception {
        YakProducer producer = new YakProducer(props());
        AtomicReference<Thread> senderThread = new AtomicReference<>();
        AtomicReference<Throwable> refused = new AtomicReference<>();
        producer.send("cb", null, bytes("x")).whenComplete((md, e) -> {
            senderThread.set(Thread.currentThread());
            try {
                producer.close();
            } catch (IllegalStateException ise) {
                refused.set(ise);
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(refused.get()).hasMessageContaining("send callback");
        producer.close();
        senderThread.get().join(10_000);
        assertThat(senderThread.get().isAlive()).as("sender thread stopped by the real close").isFalse();
        assertThatThrownBy(() -> producer.send("cb", null, bytes("y"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectANegativeTimestampAsKafkaDoes() {
        try (YakProducer producer = new YakProducer(props())) {
            assertThatThrownBy(() -> producer.send("ts", null, bytes("x"), -5L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-5");
            assertThatThrownBy(() -> producer.send("ts", 0, null, bytes("x"), -1L, (t, topic, p, o, ts, e) -> { }, 0L))
                .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void shouldRefuseSendsAfterClose() {
        YakProducer producer = new YakProducer(props());
        producer.close();
        assertThatThrownBy(() -> producer.send("t", null, bytes("x"))).isInstanceOf(IllegalStateException.class);
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("future succeeded: " + f.join());
    }
}
