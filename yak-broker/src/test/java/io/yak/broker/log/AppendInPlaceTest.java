package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PartitionLog#appendInPlace}: appends only what is a copy into the page the previous append wrote, declines
 * (changing nothing) whatever needs the disk, an index entry or a roll, and leaves a log the writer's appends and a
 * reopen carry on from.
 */
class AppendInPlaceTest {
    @TempDir
    Path dir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    /** Tries in place; the log must be unchanged when it declines. */
    private static long tryInPlace(PartitionLog log, ByteBuf batches) throws IOException {
        long end = log.logEndOffset();
        int reader = batches.readerIndex();
        long base = log.appendInPlace(batches, 3);
        if (base == PartitionLog.NEEDS_WRITER) {
            assertThat(log.logEndOffset()).as("a declined append changes nothing").isEqualTo(end);
        } else {
            assertThat(base).isEqualTo(end);
        }
        assertThat(batches.readerIndex()).as("the batches are borrowed").isEqualTo(reader);
        return base;
    }

    @Test
    void shouldDeclineTheFirstAppendOfAnEmptyOrReopenedLogThenCopySmallOnesIntoTheWrittenPage() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(1 << 20).withIndexIntervalBytes(1 << 20);
        try (PartitionLog log = PartitionLog.open(dir.resolve("t-0"), "t", 0, config)) {
            ByteBuf small = batch(bytes(100, 1));
            assertThat(tryInPlace(log, small)).as("an empty segment: no page written yet").isEqualTo(
                PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 3)).isZero();
            int inPlace = 0;
            int declined = 0;
            for (int i = 1; i < 200; i++) {
                long base = tryInPlace(log, small);
                if (base == PartitionLog.NEEDS_WRITER) {
                    declined++;
                    assertThat(log.append(small, 3)).isEqualTo(i);
                } else {
                    inPlace++;
                }
            }
            // ~170-byte batches: one in about 24 starts a new page and goes to the writer
            assertThat(inPlace).isGreaterThan(150);
            assertThat(declined).isBetween(1, 49);
            List<LogTestSupport.Read> all = LogTestSupport.readAll(log, 0, 1 << 20);
            assertThat(all).hasSize(200);
            assertThat(all).allSatisfy(r -> assertThat(r.value()).isEqualTo(bytes(100, 1)));
            assertThat(all).allSatisfy(r -> assertThat(r.leaderEpoch()).isEqualTo(3));
            small.release();
        }
        try (PartitionLog log = PartitionLog.open(dir.resolve("t-0"), "t", 0, config)) {
            assertThat(log.logEndOffset()).isEqualTo(200);
            ByteBuf small = batch(bytes(10, 2));
            assertThat(tryInPlace(log, small)).as("reopened: the page was not written by this process")
                .isEqualTo(PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 3)).isEqualTo(200);
            assertThat(tryInPlace(log, small)).isEqualTo(201);
            small.release();
        }
    }

    @Test
    void shouldDeclineWhatWouldCrossIntoANewPage() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(1 << 20).withIndexIntervalBytes(1 << 20);
        try (PartitionLog log = PartitionLog.open(dir.resolve("t-0"), "t", 0, config)) {
            ByteBuf first = batch(bytes(10, 1));
            log.append(first, 3);
            ByteBuf big = batch(bytes(Segment.PAGE_SIZE, 1));
            assertThat(tryInPlace(log, big)).isEqualTo(PartitionLog.NEEDS_WRITER);
            log.append(big, 3); // ends beyond the first page
            ByteBuf small = batch(bytes(10, 1));
            long inPlace = 0;
            while (tryInPlace(log, small) != PartitionLog.NEEDS_WRITER) {
                inPlace++;
            }
            // the one that declined would cross the page boundary
            assertThat(inPlace).isPositive();
            assertThat(log.activeEnd() % Segment.PAGE_SIZE + small.readableBytes())
                .isGreaterThan(Segment.PAGE_SIZE);
            first.release();
            big.release();
            small.release();
        }
    }

    @Test
    void shouldDeclineAnAppendThatAddsAnIndexEntryAndKeepIndexingByteCountsAcrossInPlaceAppends() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(1 << 20).withIndexIntervalBytes(1000);
        try (PartitionLog log = PartitionLog.open(dir.resolve("t-0"), "t", 0, config)) {
            ByteBuf small = batch(bytes(100, 1)); // about 170 bytes
            log.append(small, 3);
            int inARow = 0;
            while (tryInPlace(log, small) != PartitionLog.NEEDS_WRITER) {
                inARow++;
            }
            // 1000 bytes per index entry: at most five ~170-byte batches go in before one would add an entry
            assertThat(inARow).isBetween(1, 5);
            for (int i = 0; i < 3000; i++) {
                if (tryInPlace(log, small) == PartitionLog.NEEDS_WRITER) {
                    log.append(small, 3);
                }
            }
            // every lookup still finds its batch through the index the writer's appends kept up
            long end = log.logEndOffset();
            for (long offset = 0; offset < end; offset += 37) {
                ByteBuf read = log.read(offset, 1);
                assertThat(LogTestSupport.decode(read).get(0).offset()).isEqualTo(offset);
                read.release();
            }
            assertThat(log.activeIndexEntries()).as("entries about every 1000 bytes")
                .isGreaterThan((int) (end * small.readableBytes() / 1000 / 2));
            small.release();
        }
    }

    @Test
    void shouldDeclineWhenTheFlushPolicyOrSegmentMsIsDueOrThePageWasForcedOrWrittenLongAgo() throws IOException {
        AtomicLong now = new AtomicLong(1_000_000);
        LogConfig flushEvery = LogConfig.defaults().withSegmentBytes(1 << 20).withFlushMessages(1);
        try (PartitionLog log = PartitionLog.open(dir.resolve("f-0"), "f", 0, flushEvery, now::get)) {
            ByteBuf small = batch(bytes(10, 1));
            log.append(small, 3);
            assertThat(tryInPlace(log, small)).as("flush.messages=1 forces every append").isEqualTo(
                PartitionLog.NEEDS_WRITER);
            small.release();
        }
        LogConfig plain = LogConfig.defaults().withSegmentBytes(1 << 20);
        try (PartitionLog log = PartitionLog.open(dir.resolve("w-0"), "w", 0, plain, now::get)) {
            ByteBuf small = batch(bytes(10, 1));
            log.append(small, 3);
            assertThat(tryInPlace(log, small)).isEqualTo(1);
            log.flush();
            assertThat(tryInPlace(log, small)).as("the page was forced: clean, its next write faults").isEqualTo(
                PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 3)).isEqualTo(2);
            assertThat(tryInPlace(log, small)).isEqualTo(3);
            now.addAndGet(Segment.IN_PLACE_WINDOW_MS);
            assertThat(tryInPlace(log, small)).as("written too long ago: write-back may have cleaned it").isEqualTo(
                PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 3)).isEqualTo(4);
            assertThat(tryInPlace(log, small)).isEqualTo(5);
            small.release();
        }
        LogConfig rollByTime = LogConfig.defaults().withSegmentBytes(1 << 20).withSegmentMs(60_000);
        try (PartitionLog log = PartitionLog.open(dir.resolve("s-0"), "s", 0, rollByTime, now::get)) {
            ByteBuf small = batch(bytes(10, 1));
            log.append(small, 3);
            assertThat(tryInPlace(log, small)).isEqualTo(1);
            now.addAndGet(60_000);
            assertThat(tryInPlace(log, small)).as("segment.ms passed: the next append rolls").isEqualTo(
                PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 3)).isEqualTo(2);
            assertThat(log.segmentCount()).isEqualTo(2);
            small.release();
        }
    }
}
