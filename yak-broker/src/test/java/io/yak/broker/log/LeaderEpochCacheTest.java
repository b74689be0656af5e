package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leader-epoch cache: KIP-279 answers, Kafka's assign rules, its file, and how the log keeps it. */
class LeaderEpochCacheTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);

    @TempDir
    Path dir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private static List<String> entries(LeaderEpochCache cache) {
        return cache.entries().stream().map(e -> e[0] + "@" + e[1]).toList();
    }

    /** Epochs 2 from 0, 5 from 10, 8 from 30; the log ends at 50. */
    private LeaderEpochCache threeEpochs() throws IOException {
        LeaderEpochCache cache = LeaderEpochCache.empty(dir, "t-0");
        cache.assign(2, 0);
        cache.assign(5, 10);
        cache.assign(8, 30);
        return cache;
    }

    @Test
    void shouldAnswerEndOffsetForEpochAsKip279() throws IOException {
        LeaderEpochCache cache = threeEpochs();
        assertThat(cache.endOffsetFor(5, 50)).as("a known epoch in the middle").isEqualTo(new EpochEndOffset(5, 30));
        assertThat(cache.endOffsetFor(6, 50)).as("an unknown epoch between two: the one below")
            .isEqualTo(new EpochEndOffset(5, 30));
        assertThat(cache.endOffsetFor(2, 50)).isEqualTo(new EpochEndOffset(2, 10));
        assertThat(cache.endOffsetFor(1, 50)).as("below the first epoch").isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(cache.endOffsetFor(8, 50)).as("the latest: ends at the log end").isEqualTo(new EpochEndOffset(8, 50));
        assertThat(cache.endOffsetFor(12, 50)).as("above the latest").isEqualTo(new EpochEndOffset(8, 50));
        assertThat(cache.endOffsetFor(-1, 50)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(LeaderEpochCache.empty(dir, "t-0").endOffsetFor(3, 0)).isEqualTo(EpochEndOffset.UNDEFINED);
        assertThat(EpochEndOffset.UNDEFINED.isUndefined()).isTrue();
        assertThat(cache.epochForOffset(0)).isEqualTo(2);
        assertThat(cache.epochForOffset(29)).isEqualTo(5);
        assertThat(cache.epochForOffset(30)).isEqualTo(8);
        assertThat(cache.latestEpoch()).isEqualTo(8);
    }

    @Test
    void shouldFollowKafkasAssignRules() throws IOException {
        LeaderEpochCache cache = threeEpochs();
        cache.assign(8, 40);
        assertThat(entries(cache)).as("the latest epoch again: nothing").containsExactly("2@0", "5@10", "8@30");
        cache.assign(9, 30);
        assertThat(entries(cache)).as("a new epoch at the same start replaces the entry")
            .containsExactly("2@0", "5@10", "9@30");
        cache.assign(6, 20);
        assertThat(entries(cache)).as("an older epoch drops what conflicts with it").containsExactly("2@0", "5@10",
            "6@20");
        assertThatThrownBy(() -> cache.assign(-1, 3)).isInstanceOf(IllegalArgumentException.class);

        LeaderEpochCache.Rebuilder rebuilder = new LeaderEpochCache.Rebuilder(dir, "t-0");
        rebuilder.batch(-1, 0);
        rebuilder.batch(2, 5);
        rebuilder.batch(-1, 7);
        rebuilder.batch(2, 8);
        rebuilder.batch(3, 9);
        assertThat(entries(rebuilder.build())).as("batches without an epoch (-1) are skipped")
            .containsExactly("2@5", "3@9");
    }

    @Test
    void shouldTruncateFromEitherEnd() throws IOException {
        LeaderEpochCache cache = threeEpochs();
        cache.truncateFromStart(15);
        assertThat(entries(cache)).containsExactly("5@15", "8@30");
        cache.truncateFromStart(3);
        assertThat(entries(cache)).as("before the first entry: nothing").containsExactly("5@15", "8@30");
        cache.truncateFromEnd(31);
        assertThat(entries(cache)).containsExactly("5@15", "8@30");
        cache.truncateFromEnd(30);
        assertThat(entries(cache)).containsExactly("5@15");
        cache.clear();
        assertThat(entries(cache)).isEmpty();
        assertThat(cache.latestEpoch()).isEqualTo(-1);
    }

    @Test
    void shouldPersistEveryChangeAndReadItBack() throws IOException, InvalidFileException {
        threeEpochs().truncateFromStart(5);
        LeaderEpochCheckpoint.Entries read = LeaderEpochCheckpoint.read(dir);
        assertThat(read.epochs()).containsExactly(2, 5, 8);
        assertThat(read.startOffsets()).containsExactly(5L, 10L, 30L);
        assertThat(Files.size(dir.resolve(SegmentLayout.LEADER_EPOCH_FILE)))
            .isEqualTo(LeaderEpochLayout.fileLength(3)).isEqualTo(16 + 3 * 12);
        LogTestSupport.flipByte(dir.resolve(SegmentLayout.LEADER_EPOCH_FILE), LeaderEpochLayout.HEADER_LENGTH + 2);
        assertThatThrownBy(() -> LeaderEpochCheckpoint.read(dir)).isInstanceOf(InvalidFileException.class)
            .hasMessageContaining("CRC32C mismatch");
        Files.write(dir.resolve(SegmentLayout.LEADER_EPOCH_FILE), new byte[5]);
        assertThatThrownBy(() -> LeaderEpochCheckpoint.read(dir)).isInstanceOf(InvalidFileException.class);
        Files.delete(dir.resolve(SegmentLayout.LEADER_EPOCH_FILE));
        assertThat(LeaderEpochCheckpoint.read(dir)).isNull();
    }

    private static void appendWithEpoch(PartitionLog log, int epoch, int count) throws IOException {
        ByteBuf batch = LogTestSupport.batch(LogTestSupport.values(log.logEndOffset(), count));
        try {
            log.append(batch, epoch);
        } finally {
            batch.release();
        }
    }

    @Test
    void shouldRecordNewEpochsOfLeaderAppendsAndKeepInPlaceAppendsForKnownOnes() throws IOException {
        Path partition = dir.resolve("t-0");
        try (PartitionLog log = PartitionLog.open(partition, "t", 0, LogConfig.defaults())) {
            ByteBuf small = LogTestSupport.batch(LogTestSupport.value("a"));
            assertThat(log.appendInPlace(small, 3)).as("a new epoch goes to the writer")
                .isEqualTo(PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 3)).isZero();
            assertThat(log.appendInPlace(small, 3)).isEqualTo(1);
            assertThat(log.appendInPlace(small, 4)).isEqualTo(PartitionLog.NEEDS_WRITER);
            assertThat(log.append(small, 4)).isEqualTo(2);
            assertThatThrownBy(() -> log.append(small, 3)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leader epoch 3, below its latest epoch 4");
            assertThat(log.logEndOffset()).isEqualTo(3);
            assertThat(entries(log.epochCache())).containsExactly("3@0", "4@2");
            assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 2));
            assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 3));
            small.release();
        }
    }

    @Test
    void shouldRebuildAMissingOrInvalidFileFromTheBatchesAndCutItToTheLog() throws IOException {
        Path partition = dir.resolve("t-0");
        try (PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL)) {
            appendWithEpoch(log, 1, 3);
            while (log.segmentCount() < 3) {
                appendWithEpoch(log, 4, 3);
            }
            appendWithEpoch(log, 6, 2);
            assertThat(entries(log.epochCache())).containsExactly("1@0", "4@3", "6@" + (log.logEndOffset() - 2));
        }
        List<String> expected;
        try (PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL)) {
            expected = entries(log.epochCache());
        }
        Files.delete(partition.resolve(SegmentLayout.LEADER_EPOCH_FILE));
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL)) {
            assertThat(entries(log.epochCache())).isEqualTo(expected);
            assertThat(logs.warnings()).anySatisfy(line -> assertThat(line)
                .contains("no leader-epoch-checkpoint file; rebuilt it from the batches of 3 segment(s)"));
        }
        assertThat(partition.resolve(SegmentLayout.LEADER_EPOCH_FILE)).exists();
        LogTestSupport.flipByte(partition.resolve(SegmentLayout.LEADER_EPOCH_FILE), 9);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL)) {
            assertThat(entries(log.epochCache())).isEqualTo(expected);
            assertThat(logs.warnings()).anySatisfy(line -> assertThat(line).contains("ignoring invalid"));
            // batches without an epoch (-1) are skipped by the rebuild
            appendWithEpoch(log, 6, 1);
        }
        // an epoch past the log end (written before its batches, which a crash lost) is dropped at open
        LeaderEpochCache ahead = LeaderEpochCache.of(partition, "t-0", readEntries(partition));
        ahead.assign(9, 10_000);
        try (PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL)) {
            assertThat(log.latestEpoch()).isEqualTo(6);
        }
    }

    private static LeaderEpochCheckpoint.Entries readEntries(Path partition) throws IOException {
        try {
            return LeaderEpochCheckpoint.read(partition);
        } catch (InvalidFileException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shouldMoveTheFirstEntryWithRetention() throws IOException {
        Path partition = dir.resolve("t-0");
        LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock(1_000_000);
        try (PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL, clock)) {
            appendWithEpoch(log, 2, 3);
            while (log.segmentCount() < 4) {
                appendWithEpoch(log, 3, 3);
            }
            log.updateHighWatermark(2);
            assertThat(log.deleteOldSegments(-1, 2 * 4096)).isPositive();
            long start = log.logStartOffset();
            assertThat(entries(log.epochCache())).containsExactly("3@" + start);
            assertThat(log.highWatermark()).as("raised to the log start").isEqualTo(start);
        }
    }

    @Test
    void shouldStartEmptyForANewLogWithoutWritingAFile() throws IOException {
        Path partition = dir.resolve("t-0");
        try (PartitionLog log = PartitionLog.open(partition, "t", 0, SMALL)) {
            assertThat(log.latestEpoch()).isEqualTo(-1);
            assertThat(log.endOffsetForEpoch(0)).isEqualTo(EpochEndOffset.UNDEFINED);
            assertThat(partition.resolve(SegmentLayout.LEADER_EPOCH_FILE)).doesNotExist();
            appendNumbered(log, 1);
            assertThat(partition.resolve(SegmentLayout.LEADER_EPOCH_FILE)).exists();
        }
    }
}
