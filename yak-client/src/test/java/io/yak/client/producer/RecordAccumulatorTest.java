package io.yak.client.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordCursor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RecordAccumulatorTest {
    private static final long LINGER_MS = 10;
    private static final long DELIVERY_TIMEOUT_MS = 1000;
    private static final long SEED = 7;

    private long nowNs = 1_000_000_000L;
    private final BufferPool pool = new BufferPool(1024 * 1024);
    private final List<ProducerBatch> toRelease = new ArrayList<>();
    private RecordAccumulator acc = new RecordAccumulator(1024, LINGER_MS, DELIVERY_TIMEOUT_MS, pool, () -> nowNs);

    @AfterEach
    void releaseEverything() {
        toRelease.addAll(acc.removeAll());
        for (ProducerBatch b : toRelease) {
            acc.deallocate(b);
        }
        assertThat(pool.availableBytes()).isEqualTo(pool.totalBytes());
    }

    private RecordAccumulator.AppendResult append(int partition, String value) throws InterruptedException {
        return acc.append("t", partition, 5000, null, value.getBytes(UTF_8), new RecordFuture(), 0L, 0, false);
    }

    private List<ProducerBatch> drain() {
        List<ProducerBatch> ready = new ArrayList<>();
        List<ProducerBatch> expired = new ArrayList<>();
        acc.drain(nowNs, q -> {
            if (q.inFlight > 0) {
                return false; // one batch per partition at a time, as the sender does after a failure
            }
            q.inFlight++;
            return true;
        }, 0, ready, expired);
        toRelease.addAll(ready);
        toRelease.addAll(expired);
        return ready;
    }

    private void advanceMs(long ms) {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void shouldHoldABatchUntilLingerPasses() throws Exception {
        assertThat(append(0, "a")).isEqualTo(RecordAccumulator.AppendResult.NEW_BATCH);
        assertThat(append(0, "b")).isEqualTo(RecordAccumulator.AppendResult.APPENDED);
        assertThat(drain()).isEmpty();
        assertThat(acc.nextDeadlineNs()).isEqualTo(nowNs + TimeUnit.MILLISECONDS.toNanos(LINGER_MS));
        advanceMs(LINGER_MS - 1);
        assertThat(drain()).isEmpty();
        advanceMs(1);
        List<ProducerBatch> ready = drain();
        assertThat(ready).hasSize(1);
        assertThat(values(ready.get(0))).containsExactly("a", "b");
    }

    @Test
    void shouldSendAFullBatchWithoutWaitingForLinger() throws Exception {
        String value = "x".repeat(100);
        RecordAccumulator.AppendResult last = null;
        int appended = 0;
        while (last != RecordAccumulator.AppendResult.BATCH_FULL) {
            last = append(0, value);
            appended++;
        }
        List<ProducerBatch> ready = drain();
        assertThat(ready).hasSize(1);
        ProducerBatch full = ready.get(0);
        assertThat(full.sizeInBytes()).isLessThanOrEqualTo(1024);
        // the batch that overflowed holds the rest, waiting for linger
        assertThat(full.recordCount()).isEqualTo(appended - 1);
        assertThat(full.sizeInBytes() + 100).isGreaterThan(1024 - 20);
        assertThat(drain()).isEmpty();
    }

    @Test
    void shouldGiveABigRecordItsOwnBatch() throws Exception {
        String big = "y".repeat(5000);
        assertThat(append(0, big)).isEqualTo(RecordAccumulator.AppendResult.BATCH_FULL);
        List<ProducerBatch> ready = drain();
        assertThat(ready).hasSize(1);
        assertThat(values(ready.get(0))).containsExactly(big);
    }

    @Test
    void shouldMakeEverythingReadyDuringFlush() throws Exception {
        append(0, "a");
        append(1, "b");
        acc.beginFlush();
        assertThat(drain()).hasSize(2);
        acc.endFlush();
    }

    @Test
    void shouldNotDrainAPartitionWithABatchInFlightButKeepItsOrder() throws Exception {
        append(0, "a");
        advanceMs(LINGER_MS);
        List<ProducerBatch> first = drain();
        assertThat(first).hasSize(1);
        append(0, "b");
        advanceMs(LINGER_MS);
        assertThat(drain()).isEmpty(); // partition 0 still in flight
        ProducerBatch a = first.get(0);
        // a failed and is retried: it goes back in front of "b"
        a.queue.inFlight--;
        a.attempts = 1;
        a.retryAtNs = nowNs + TimeUnit.MILLISECONDS.toNanos(100);
        toRelease.remove(a);
        acc.reenqueue(a);
        assertThat(drain()).isEmpty(); // backing off
        assertThat(acc.nextDeadlineNs()).isEqualTo(a.retryAtNs);
        advanceMs(100);
        List<ProducerBatch> retried = drain();
        assertThat(retried).containsExactly(a);
        assertThat(values(a)).containsExactly("a");
    }

    @Test
    void shouldPipelineBatchesOfAPartitionAndRetryFailedOnesInCreationOrder() throws Exception {
        List<ProducerBatch> sent = new ArrayList<>();
        for (String v : List.of("a", "b", "c")) {
            append(0, v);
            advanceMs(LINGER_MS);
            List<ProducerBatch> ready = new ArrayList<>();
            acc.drain(nowNs, q -> q.inFlight++ < 3, 0, ready, new ArrayList<>());
            sent.addAll(ready);
        }
        assertThat(sent).hasSize(3);
        append(0, "d");
        // b and a fail (answers may settle in any order), c succeeded: both go back before d, a first.
        for (ProducerBatch failed : List.of(sent.get(1), sent.get(0))) {
            failed.attempts = 1;
            failed.retryAtNs = nowNs;
            failed.queue.inFlight--;
            acc.reenqueue(failed);
        }
        toRelease.add(sent.get(2));
        advanceMs(LINGER_MS);
        List<ProducerBatch> retried = new ArrayList<>();
        acc.drain(nowNs, q -> true, 0, retried, new ArrayList<>());
        toRelease.addAll(retried);
        assertThat(retried).hasSize(3);
        assertThat(values(retried.get(0))).containsExactly("a");
        assertThat(values(retried.get(1))).containsExactly("b");
        assertThat(values(retried.get(2))).containsExactly("d");
    }

    @Test
    void shouldNumberBatchesOnTheirFirstSendAndAgainFromZeroAfterAReset() throws Exception {
        acc = new RecordAccumulator(1024, LINGER_MS, DELIVERY_TIMEOUT_MS, pool, () -> nowNs, () -> 77L);
        for (int i = 0; i < 3; i++) {
            append(0, "r" + i);
            append(0, "s" + i); // two records per batch
            advanceMs(LINGER_MS);
            assertThat(drain()).hasSize(1).allSatisfy(b -> b.queue.inFlight--);
        }
        append(1, "other");
        advanceMs(DELIVERY_TIMEOUT_MS); // expires unsent: it takes no sequence
        List<ProducerBatch> expired = new ArrayList<>();
        acc.drain(nowNs, q -> false, 0, new ArrayList<>(), expired);
        toRelease.addAll(expired);
        assertThat(expired).hasSize(1).allSatisfy(b -> assertThat(b.firstSequence).isEqualTo(-1));
        append(1, "p1");
        advanceMs(LINGER_MS);
        List<ProducerBatch> p1 = drain();
        assertThat(p1).hasSize(1);
        assertThat(header(p1.get(0))).containsExactly(77L, 0L, 0L);
        List<ProducerBatch> p0 = new ArrayList<>();
        for (ProducerBatch b : toRelease) {
            if (b.partition() == 0) {
                p0.add(b);
            }
        }
        assertThat(p0).extracting(this::header).containsExactly(List.of(77L, 0L, 0L), List.of(77L, 0L, 2L),
            List.of(77L, 0L, 4L));
        // the last two come back unacknowledged; the leader lost the sequences: numbered again in epoch 1
        RecordAccumulator.PartitionQueue q = p0.get(0).queue;
        for (ProducerBatch b : p0.subList(1, 3)) {
            b.attempts = 1;
            b.retryAtNs = nowNs;
            toRelease.remove(b);
            acc.reenqueue(b);
        }
        acc.resetSequences(q);
        assertThat(p0.subList(1, 3)).extracting(this::header).containsExactly(List.of(77L, 1L, 0L),
            List.of(77L, 1L, 2L));
        assertThat(acc.earlierSequenceQueued(q, 2)).isTrue();
        assertThat(acc.earlierSequenceQueued(q, 0)).isFalse();
    }

    /** Producer id, epoch and base sequence of a sealed batch, after checking its CRC32C still holds. */
    private List<Long> header(ProducerBatch b) {
        RecordBatchFlyweight f = new RecordBatchFlyweight().wrap(b.buffer, 0, b.buffer.writerIndex());
        assertThat(f.crc()).as("CRC32C of %s", b).isEqualTo(f.computeCrc());
        return List.of(f.producerId(), (long) f.producerEpoch(), (long) f.baseSequence());
    }

    @Test
    void shouldExpireBatchesPastTheDeliveryTimeout() throws Exception {
        append(0, "a");
        advanceMs(DELIVERY_TIMEOUT_MS);
        List<ProducerBatch> ready = new ArrayList<>();
        List<ProducerBatch> expired = new ArrayList<>();
        acc.drain(nowNs, q -> false, 0, ready, expired);
        toRelease.addAll(expired);
        assertThat(ready).isEmpty();
        assertThat(expired).hasSize(1);
    }

    @Test
    void shouldTimeOutWhenBufferMemoryIsExhausted() throws Exception {
        acc = new RecordAccumulator(1024, LINGER_MS, DELIVERY_TIMEOUT_MS, new BufferPool(2048), () -> nowNs);
        append(0, "a");
        append(1, "b");
        assertThatThrownBy(() -> append(2, "c"))
            .isInstanceOfSatisfying(YakException.class,
                e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT))
            .hasMessageContaining("buffer.memory");
        toRelease.addAll(acc.removeAll());
        for (ProducerBatch b : toRelease) {
            acc.deallocate(b);
        }
        toRelease.clear();
    }

    @Test
    void shouldCompleteFuturesWithConsecutiveOffsets() throws Exception {
        List<RecordFuture> futures = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RecordFuture f = new RecordFuture();
            acc.append("t", 2, 100 + i, null, ("v" + i).getBytes(UTF_8), f, 0L, 0, false);
            futures.add(f);
        }
        advanceMs(LINGER_MS);
        ProducerBatch b = drain().get(0);
        b.complete(40);
        for (int i = 0; i < 3; i++) {
            assertThat(futures.get(i).join()).isEqualTo(new RecordMetadata("t", 2, 40 + i, 100 + i));
        }
    }

    @Test
    void shouldTellCallbacksAndFuturesOfOneBatchInOffsetOrderPastTheInitialArrays() throws Exception {
        List<String> told = new ArrayList<>();
        SendCallback callback = (token, topic, partition, offset, timestamp, error) -> {
            told.add(token + ":" + topic + "-" + partition + "@" + offset + "/" + timestamp + "/" + error);
            if (token == 3) {
                throw new IllegalStateException("a callback that throws must not stop the others");
            }
            if (token == 5) {
                throw new AssertionError("nor one that fails an assertion");
            }
        };
        List<RecordFuture> futures = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i % 10 == 9) {
                RecordFuture f = new RecordFuture();
                acc.append("t", 1, 500 + i, null, "v".getBytes(UTF_8), f, 0L, 0, false);
                futures.add(f);
            } else {
                acc.append("t", 1, 500 + i, null, "v".getBytes(UTF_8), callback, i, 0, false);
            }
        }
        advanceMs(LINGER_MS);
        ProducerBatch b = drain().get(0);
        assertThat(b.recordCount()).isEqualTo(40);
        b.complete(1000);
        assertThat(told).hasSize(36);
        int k = 0;
        for (int i = 0; i < 40; i++) {
            if (i % 10 != 9) {
                assertThat(told.get(k++)).isEqualTo(i + ":t-1@" + (1000 + i) + "/" + (500 + i) + "/null");
            }
        }
        for (int j = 0; j < futures.size(); j++) {
            int i = j * 10 + 9;
            assertThat(futures.get(j).join()).isEqualTo(new RecordMetadata("t", 1, 1000 + i, 500 + i));
        }
    }

    /**
     * Draining with a request size: the predicate is asked once per request, the partition's next ready batches
     * join the request while they fit, the open lingering batch stays, and a retrying partition joins nothing.
     */
    @Test
    void shouldJoinReadyBatchesOfAPartitionIntoOneRequestWhileTheyFit() throws Exception {
        byte[] value = "v".repeat(300).getBytes(UTF_8);
        for (int i = 0; i < 10; i++) {
            acc.append("t", 0, 1, null, value, new RecordFuture(), 0L, 0, false); // 3 per 1 KiB batch
        }
        int[] asked = {0};
        List<ProducerBatch> ready = new ArrayList<>();
        acc.drain(nowNs, q -> {
            asked[0]++;
            return true;
        }, 2048 + RecordAccumulator.REQUEST_OVERHEAD_BYTES, ready, new ArrayList<>());
        toRelease.addAll(ready);
        // 4 batches: three full (3 records), one open (1 record, lingering): the full ones go, two per request.
        assertThat(ready).hasSize(3);
        assertThat(ready).extracting(b -> b.joinsRequest).containsExactly(false, true, false);
        assertThat(ready).extracting(ProducerBatch::recordCount).containsExactly(3, 3, 3);
        assertThat(ready.get(0).sizeInBytes() + ready.get(1).sizeInBytes()).isLessThanOrEqualTo(2048);
        assertThat(ready.get(0).sizeInBytes() + ready.get(1).sizeInBytes() + ready.get(2).sizeInBytes())
            .as("a third would not have fitted").isGreaterThan(2048);
        assertThat(asked[0]).isEqualTo(2);

        // A retrying partition: one batch per request.
        ProducerBatch retried = ready.get(2);
        retried.attempts = 1;
        retried.retryAtNs = nowNs;
        retried.queue.retrying = true;
        toRelease.remove(retried);
        acc.reenqueue(retried);
        advanceMs(LINGER_MS);
        List<ProducerBatch> again = new ArrayList<>();
        acc.drain(nowNs, q -> true, 1 << 20, again, new ArrayList<>());
        toRelease.addAll(again);
        assertThat(again).hasSize(2);
        assertThat(again).extracting(b -> b.joinsRequest).containsExactly(false, false);
        assertThat(again.get(0)).isSameAs(retried);
    }

    @Test
    void shouldTellCallbacksOfAFailedBatchTheErrorAndNoOffset() throws Exception {
        List<String> told = new ArrayList<>();
        SendCallback callback = (token, topic, partition, offset, timestamp, error) ->
            told.add(token + "@" + offset + ":" + error.errorCode());
        RecordFuture future = new RecordFuture();
        acc.append("t", 0, 7, null, "a".getBytes(UTF_8), callback, 11L, 0, false);
        acc.append("t", 0, 8, null, "b".getBytes(UTF_8), future, 0L, 0, false);
        acc.append("t", 0, 9, null, "c".getBytes(UTF_8), callback, 12L, 0, false);
        advanceMs(LINGER_MS);
        ProducerBatch b = drain().get(0);
        b.fail(new YakException(ErrorCode.NOT_LEADER, "gone"));
        assertThat(told).containsExactly("11@-1:NOT_LEADER", "12@-1:NOT_LEADER");
        assertThat(future).isCompletedExceptionally();
        // Not a YakException: callbacks still get one, naming the cause.
        told.clear();
        acc.append("t", 3, 10, null, "d".getBytes(UTF_8), callback, 13L, 0, false);
        advanceMs(LINGER_MS);
        drain().get(0).fail(new IllegalStateException("boom"));
        assertThat(told).containsExactly("13@-1:UNKNOWN_SERVER_ERROR");
    }

    @Test
    void shouldFillOneBatchPerPartitionWithStickyPartitioning() throws Exception {
        System.out.println("seed " + SEED);
        List<PartitionInfo> parts = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            parts.add(PartitionInfo.single(p, 1, 0));
        }
        TopicInfo topic = new TopicInfo("t", parts);
        Router router = new Router(new StickyPartitioner(new Random(SEED)), acc);
        byte[] value = "z".repeat(50).getBytes(UTF_8);
        List<Integer> batchPartitions = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            router.append(topic, Router.ANY_PARTITION, 1, null, value, new RecordFuture(), 0L, 0);
            // full batches leave at once, like the sender would take them
            List<ProducerBatch> ready = new ArrayList<>();
            acc.drain(nowNs, q -> true, 0, ready, new ArrayList<>());
            toRelease.addAll(ready);
            for (ProducerBatch b : ready) {
                batchPartitions.add(b.partition());
            }
        }
        assertThat(batchPartitions).hasSizeGreaterThan(5);
        for (int i = 1; i < batchPartitions.size(); i++) {
            assertThat(batchPartitions.get(i)).as("a new batch moves to another partition")
                .isNotEqualTo(batchPartitions.get(i - 1));
        }
        Set<Integer> used = new HashSet<>(batchPartitions);
        assertThat(used).hasSizeGreaterThan(1);
        // every sent batch was filled to batch.size before switching
        for (ProducerBatch b : toRelease) {
            assertThat(b.sizeInBytes()).isGreaterThan(1024 - 80);
        }
    }

    private static List<String> values(ProducerBatch b) {
        RecordBatchFlyweight fw = new RecordBatchFlyweight().wrap(b.buffer, 0, b.buffer.writerIndex());
        RecordCursor c = new RecordCursor();
        fw.validateDeep(c);
        assertThat(fw.sizeInBytes()).isEqualTo(b.sizeInBytes());
        List<String> out = new ArrayList<>();
        c.wrap(fw);
        while (c.next()) {
            out.add(new String(c.valueBytes(), UTF_8));
        }
        return out;
    }
}
