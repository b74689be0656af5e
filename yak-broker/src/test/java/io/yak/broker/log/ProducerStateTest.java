package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.ErrorCode;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent appends ({@code WIRE.md}, "Idempotent publishes"; {@code STORAGE.md}, "Producer state"): retries answered
 * with the first offset, gaps and old epochs refused, the state rebuilt by followers, after restarts and truncations.
 */
class ProducerStateTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(2048).withIndexIntervalBytes(256);
    private static final long P = 7;

    @TempDir
    Path dataDir;
    private final AtomicLong clock = new AtomicLong(1_800_000_000_000L);

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private PartitionLog open(LogConfig config) throws IOException {
        return PartitionLog.open(dataDir.resolve("t-0"), "t", 0, config, clock::get);
    }

    /** One batch of {@code count} records of producer {@code producerId}, from sequence {@code sequence}. */
    static ByteBuf idempotent(long producerId, int epoch, int sequence, int count) {
        ByteBuf out = Unpooled.buffer();
        appendIdempotent(out, producerId, epoch, sequence, count);
        return out;
    }

    static void appendIdempotent(ByteBuf out, long producerId, int epoch, int sequence, int count) {
        RecordBatchBuilder builder = new RecordBatchBuilder();
        builder.begin(out, LogTestSupport.TIMESTAMP, producerId, (short) epoch, sequence);
        for (int i = 0; i < count; i++) {
            builder.append(LogTestSupport.TIMESTAMP, null,
                ("p" + producerId + "-s" + (sequence + i)).getBytes(StandardCharsets.UTF_8));
        }
        builder.finish();
    }

    private static long append(PartitionLog log, ByteBuf batches) throws IOException {
        try {
            return log.append(batches, 0);
        } finally {
            batches.release();
        }
    }

    private static void assertRefused(PartitionLog log, ByteBuf batches, ErrorCode error) {
        long end = log.logEndOffset();
        assertThatThrownBy(() -> append(log, batches)).isInstanceOf(ProducerSequenceException.class)
            .satisfies(e -> assertThat(((ProducerSequenceException) e).error()).isEqualTo(error));
        assertThat(log.logEndOffset()).as("nothing appended").isEqualTo(end);
    }

    @Test
    void shouldAnswerARetryWithTheOffsetItWasStoredAtWithoutASecondCopy() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            assertThat(append(log, LogTestSupport.batch(LogTestSupport.values(0, 2)))).isZero();
            assertThat(append(log, idempotent(P, 0, 0, 3))).isEqualTo(2);
            assertThat(append(log, idempotent(P, 0, 3, 2))).isEqualTo(5);
            assertThat(append(log, idempotent(P, 0, 0, 3))).as("retry of the first batch").isEqualTo(2);
            assertThat(append(log, idempotent(P, 0, 3, 2))).as("retry of the second").isEqualTo(5);
            assertThat(log.logEndOffset()).isEqualTo(7);
            assertThat(append(log, idempotent(P, 0, 5, 1))).isEqualTo(7);
            // another producer has its own sequences
            assertThat(append(log, idempotent(P + 1, 0, 0, 1))).isEqualTo(8);
        }
    }

    @Test
    void shouldRefuseAGapAnOverlapAndAnOlderEpoch() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            append(log, idempotent(P, 1, 0, 3));
            assertRefused(log, idempotent(P, 1, 4, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertRefused(log, idempotent(P, 1, 1, 3), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertRefused(log, idempotent(P, 0, 3, 1), ErrorCode.INVALID_PRODUCER_EPOCH);
            assertRefused(log, idempotent(P, 2, 3, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertThat(append(log, idempotent(P, 2, 0, 1))).as("a new epoch starts at 0").isEqualTo(3);
            assertRefused(log, idempotent(P, 1, 3, 1), ErrorCode.INVALID_PRODUCER_EPOCH);
            // a batch without a producer id after an idempotent one in one request
            ByteBuf mixed = idempotent(P, 2, 1, 1);
            LogTestSupport.appendBatch(mixed, LogTestSupport.values(0, 1));
            assertRefused(log, mixed, ErrorCode.INVALID_REQUEST);
        }
    }

    @Test
    void shouldRecogniseOnlyTheLastFiveRuns() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; i < 6; i++) { // another producer's batch in between: each batch is a run of its own
                assertThat(append(log, idempotent(P, 0, i, 1))).isEqualTo(2L * i);
                append(log, idempotent(P + 1, 0, i, 1));
            }
            assertRefused(log, idempotent(P, 0, 0, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertThat(append(log, idempotent(P, 0, 1, 1))).isEqualTo(2);
        }
    }

    @Test
    void shouldRememberTheBatchesOfOneRequestAsOneRun() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            ByteBuf request = Unpooled.buffer();
            for (int i = 0; i < 12; i++) {
                appendIdempotent(request, P, 0, i * 2, 2);
            }
            assertThat(append(log, request)).isZero();
            for (int i = 0; i < 4; i++) { // four more requests, another producer's batch between them
                append(log, idempotent(P + 1, 0, i, 1));
                append(log, idempotent(P, 0, 24 + i, 1));
            }
            // the answer to the 12-batch request was lost: the producer retries its batches one by one
            assertThat(append(log, idempotent(P, 0, 0, 2))).as("its first batch").isZero();
            assertThat(append(log, idempotent(P, 0, 14, 2))).as("a batch inside it").isEqualTo(14);
            assertThat(append(log, idempotent(P, 0, 27, 1))).as("the newest request").isEqualTo(31);
            assertThat(log.logEndOffset()).isEqualTo(32);
            assertRefused(log, idempotent(P, 0, 22, 3), ErrorCode.OUT_OF_ORDER_SEQUENCE); // 22..24: past its run
        }
    }

    @Test
    void shouldTreatABatchesOfOneRequestAsAllNewOrAllRetries() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            ByteBuf two = idempotent(P, 0, 0, 2);
            appendIdempotent(two, P, 0, 2, 3);
            ByteBuf again = two.copy();
            assertThat(append(log, two)).isZero();
            assertThat(append(log, again)).as("the whole request retried").isZero();
            assertThat(log.logEndOffset()).isEqualTo(5);
            ByteBuf gap = idempotent(P, 0, 5, 1);
            appendIdempotent(gap, P, 0, 7, 1);
            assertRefused(log, gap, ErrorCode.OUT_OF_ORDER_SEQUENCE);
            ByteBuf retryAndNew = idempotent(P, 0, 2, 3);
            appendIdempotent(retryAndNew, P, 0, 5, 1);
            assertRefused(log, retryAndNew, ErrorCode.OUT_OF_ORDER_SEQUENCE);
        }
    }

    @Test
    void shouldRecogniseARetryAfterACleanRestartAndAfterACrash() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; i < 100; i++) { // several rolls: snapshots at each
                append(log, idempotent(P, 0, i * 2, 2));
            }
            assertThat(log.segmentCount()).isGreaterThan(2);
        }
        assertThat(snapshots()).as("the newest snapshots are kept").hasSize(ProducerStateManager.SNAPSHOTS_KEPT);
        try (PartitionLog log = open(SMALL)) {
            assertThat(append(log, idempotent(P, 0, 198, 2))).isEqualTo(198);
            assertThat(append(log, idempotent(P, 0, 200, 2))).isEqualTo(200);
            log.abandon(); // as kill -9 leaves it: no snapshot at the end, the active segment replayed
        }
        try (PartitionLog log = open(SMALL)) {
            assertThat(append(log, idempotent(P, 0, 196, 2))).isEqualTo(196);
            assertThat(append(log, idempotent(P, 0, 200, 2))).isEqualTo(200);
            assertRefused(log, idempotent(P, 0, 204, 2), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            assertThat(append(log, idempotent(P, 0, 202, 2))).isEqualTo(202);
        }
    }

    @Test
    void shouldRebuildFromTheLogWhenTheSnapshotIsDamaged() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; i < 10; i++) {
                append(log, idempotent(P, 0, i, 1));
            }
        }
        for (Path snapshot : snapshots()) {
            byte[] bytes = Files.readAllBytes(snapshot);
            bytes[bytes.length / 2] ^= 1;
            Files.write(snapshot, bytes);
        }
        try (PartitionLog log = open(SMALL)) {
            assertThat(append(log, idempotent(P, 0, 9, 1))).isEqualTo(9);
            assertThat(append(log, idempotent(P, 0, 10, 1))).isEqualTo(10);
        }
    }

    @Test
    void shouldRebuildTheStateFromFollowerAppends() throws IOException {
        ByteBuf fetched = Unpooled.buffer();
        long offset = 0;
        for (int i = 0; i < 4; i++) {
            int index = fetched.writerIndex();
            appendIdempotent(fetched, P, 3, i * 2, 2);
            RecordBatchFlyweight b = new RecordBatchFlyweight().wrap(fetched, index, fetched.writerIndex());
            b.baseOffset(offset);
            b.partitionLeaderEpoch(5);
            offset += 2;
        }
        try (PartitionLog log = open(SMALL)) {
            log.appendAsFollower(fetched);
            fetched.release();
            // this replica becomes the leader: the producer's retry is recognised
            assertThat(log.append(idempotent(P, 3, 4, 2), 6)).isEqualTo(4);
            assertThat(log.append(idempotent(P, 3, 8, 2), 6)).isEqualTo(8);
        }
    }

    @Test
    void shouldForgetWhatATruncationRemoves() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; i < 30; i++) {
                append(log, idempotent(P, 0, i * 3, 3));
            }
            assertThat(log.truncateTo(60)).isEqualTo(60);
            // the batch at 60 is gone: it is the next one, not a retry; the one before is a retry
            assertThat(append(log, idempotent(P, 0, 57, 3))).isEqualTo(57);
            assertThat(append(log, idempotent(P, 0, 60, 3))).isEqualTo(60);
            assertThat(log.logEndOffset()).isEqualTo(63);
            log.truncateFullyAndStartAt(100);
            assertRefused(log, idempotent(P, 0, 63, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE); // unknown again
            assertThat(append(log, idempotent(P, 1, 0, 1))).as("a new epoch from 0").isEqualTo(100);
        }
        try (PartitionLog log = open(SMALL)) {
            assertThat(append(log, idempotent(P, 1, 0, 1))).isEqualTo(100);
        }
    }

    @Test
    void shouldForgetProducersIdleLongerThanTheExpiration() throws IOException {
        try (PartitionLog log = open(SMALL.withProducerIdExpirationMs(10_000))) {
            append(log, idempotent(P, 0, 0, 1));
            clock.addAndGet(5_000);
            append(log, idempotent(P + 1, 0, 0, 1));
            assertRefused(log, idempotent(P, 0, 5, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE);
            clock.addAndGet(6_000);
            append(log, idempotent(P + 1, 0, 1, 1)); // its appends check expiry
            assertRefused(log, idempotent(P, 0, 5, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE); // forgotten
            assertThat(append(log, idempotent(P, 1, 0, 1))).as("forgotten: starts again at 0").isEqualTo(3);
            assertThat(append(log, idempotent(P + 1, 0, 1, 1))).as("still known").isEqualTo(2);
            assertRefused(log, idempotent(P + 1, 0, 3, 1), ErrorCode.OUT_OF_ORDER_SEQUENCE); // still known: a gap
        }
    }

    @Test
    void shouldWrapSequencesAfterTheLargestInt() throws IOException {
        ByteBuf replicated = Unpooled.buffer();
        appendIdempotent(replicated, P, 0, Integer.MAX_VALUE - 3, 2); // MAX-3, MAX-2, stored by an earlier leader
        new RecordBatchFlyweight().wrap(replicated, 0, replicated.writerIndex()).partitionLeaderEpoch(0);
        try (PartitionLog log = open(SMALL)) {
            log.appendAsFollower(replicated);
            replicated.release();
            append(log, idempotent(P, 0, Integer.MAX_VALUE - 1, 3)); // MAX-1, MAX, 0: a run of its own
            assertThat(append(log, idempotent(P, 0, 1, 1))).isEqualTo(5);
            assertThat(append(log, idempotent(P, 0, Integer.MAX_VALUE - 1, 3))).isEqualTo(2);
            assertThat(append(log, idempotent(P, 0, Integer.MAX_VALUE - 3, 2))).isZero();
            assertRefused(log, idempotent(P, 0, Integer.MAX_VALUE - 1, 2), ErrorCode.OUT_OF_ORDER_SEQUENCE);
        }
        assertThat(ProducerStateManager.incrementSequence(Integer.MAX_VALUE, 1)).isZero();
        assertThat(ProducerStateManager.incrementSequence(5, 3)).isEqualTo(8);
    }

    private java.util.List<Path> snapshots() throws IOException {
        try (var files = Files.list(dataDir.resolve("t-0"))) {
            return files.filter(f -> f.toString().endsWith(".snapshot")).sorted().toList();
        }
    }
}
