package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static io.yak.broker.log.LogTestSupport.assertNumbered;
import static io.yak.broker.log.LogTestSupport.batch;
import static io.yak.broker.log.LogTestSupport.batchSizes;
import static io.yak.broker.log.LogTestSupport.copyDirectory;
import static io.yak.broker.log.LogTestSupport.flipByte;
import static io.yak.broker.log.LogTestSupport.readAll;
import static io.yak.broker.log.LogTestSupport.segmentFile;
import static io.yak.broker.log.LogTestSupport.segmentFiles;
import static io.yak.broker.log.LogTestSupport.values;
import static io.yak.broker.log.LogTestSupport.writeAt;
import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash and corruption: a "crash" is a copy of a live log's directory (what the page cache holds). */
class LogRecoveryTest {
    private static final LogConfig ONE_SEGMENT = LogConfig.defaults().withSegmentBytes(64 * 1024);
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(512);
    /** Every batch indexed: the open's walk after the last index entry covers only the last batch. */
    private static final LogConfig EVERY_BATCH = SMALL.withIndexIntervalBytes(0);

    @TempDir
    Path dataDir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private Path live() {
        return dataDir.resolve("live");
    }

    private Path crashed() {
        return dataDir.resolve("crashed");
    }

    private static PartitionLog open(Path dir, LogConfig config) throws IOException {
        return PartitionLog.open(dir, "events", 0, config);
    }

    /** File positions of the batches of a one-segment log, plus its end as the last element. */
    private static List<Integer> batchPositions(PartitionLog log) {
        List<Integer> positions = new ArrayList<>();
        int position = HEADER_LENGTH;
        positions.add(position);
        for (int size : batchSizes(log.read(0, Integer.MAX_VALUE))) {
            position += size;
            positions.add(position);
        }
        return positions;
    }

    @Test
    void shouldRecoverEverythingPublishedWhenTheProcessDies() throws IOException {
        try (PartitionLog log = open(live(), SMALL);
             LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
            for (int i = 0; i < 150; i++) {
                appendNumbered(log, 1 + i % 5);
            }
            long end = log.logEndOffset();
            copyDirectory(live(), crashed());
            assertThat(crashed().resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE)).doesNotExist();
            try (PartitionLog recovered = open(crashed(), SMALL)) {
                assertThat(recovered.logEndOffset()).isEqualTo(end);
                assertThat(recovered.segmentCount()).isEqualTo(log.segmentCount());
                assertNumbered(readAll(recovered, 0, 2048), 0, end);
                assertThat(appendNumbered(recovered, 3)).isEqualTo(end);
                assertNumbered(readAll(recovered, end - 10, 2048), end - 10, end + 3);
            }
            assertThat(logs.warnings()).as("a zero tail is no damage").isEmpty();
        }
    }

    @Test
    void shouldKeepTheActiveFileAsLongAsItsAllocationAndCutAFileLeftSparseAtRecovery() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(8 << 20);
        long end;
        try (PartitionLog log = open(live(), config)) {
            for (int i = 0; i < 20; i++) {
                appendNumbered(log, 3);
            }
            end = log.logEndOffset();
            assertThat(Files.size(segmentFile(live(), 0)))
                .as("a live active segment's file: the 1 MiB allocated ahead, not its 8 MiB mapping")
                .isEqualTo(1 << 20);
            copyDirectory(live(), crashed());
        }
        // An older broker left a crashed active segment as long as its mapping, sparse past the allocated blocks.
        try (RandomAccessFile file = new RandomAccessFile(segmentFile(crashed(), 0).toFile(), "rw")) {
            file.setLength(8 << 20);
        }
        try (PartitionLog recovered = open(crashed(), config)) {
            assertThat(recovered.logEndOffset()).isEqualTo(end);
            assertThat((long) batchPositions(recovered).get(20)).as("the file cut at the end of the recovered data")
                .isEqualTo(Files.size(segmentFile(crashed(), 0)));
            assertThat(appendNumbered(recovered, 2)).isEqualTo(end);
            assertNumbered(readAll(recovered, 0, 1 << 20), 0, end + 2);
        }
        try (PartitionLog reopened = open(crashed(), config)) {
            assertNumbered(readAll(reopened, 0, 1 << 20), 0, end + 2);
        }
    }

    @Test
    void shouldTruncateGarbageAfterTheLastBatchAndLogWhatWasDropped() throws IOException {
        int end;
        try (PartitionLog log = open(live(), ONE_SEGMENT)) {
            for (int i = 0; i < 10; i++) {
                appendNumbered(log, 3);
            }
            end = batchPositions(log).get(10);
            copyDirectory(live(), crashed());
        }
        byte[] garbage = new byte[100];
        Random random = new Random(42);
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (1 + random.nextInt(255));
        }
        writeAt(segmentFile(crashed(), 0), end, garbage);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog recovered = open(crashed(), ONE_SEGMENT)) {
            assertThat(recovered.logEndOffset()).isEqualTo(30);
            assertThat(logs.warnings()).singleElement().asString()
                .contains("partition events-0", "at position " + end, "dropped 100 bytes", "offsets from 30 on",
                    "log end offset is now 30");
            assertThat(appendNumbered(recovered, 2)).isEqualTo(30);
            assertNumbered(readAll(recovered, 0, 100), 0, 32);
        }
        try (PartitionLog reopened = open(crashed(), ONE_SEGMENT)) {
            assertNumbered(readAll(reopened, 0, 100), 0, 32);
        }
    }

    @Test
    void shouldDropAPartiallyWrittenBatch() throws IOException {
        ByteBuf next = batch(values(20, 4));
        next.setLong(RecordBatchLayout.BASE_OFFSET_OFFSET, 20);
        int end;
        try (PartitionLog log = open(live(), ONE_SEGMENT)) {
            for (int i = 0; i < 5; i++) {
                appendNumbered(log, 4);
            }
            end = batchPositions(log).get(5);
            copyDirectory(live(), crashed());
        }
        // Length and header written, the body only half: a torn write.
        byte[] half = new byte[next.readableBytes() / 2];
        next.getBytes(0, half);
        writeAt(segmentFile(crashed(), 0), end, half);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog recovered = open(crashed(), ONE_SEGMENT)) {
            assertThat(recovered.logEndOffset()).isEqualTo(20);
            assertThat(logs.warnings()).singleElement().asString()
                .contains("dropped " + half.length + " bytes", "first dropped batch header claims offsets 20..23");
            assertNumbered(readAll(recovered, 0, 1000), 0, 20);
        }
    }

    @Test
    void shouldDropAWholeBatchThatDoesNotContinueTheOffsets() throws IOException {
        ByteBuf stray = batch(values(50, 2));
        stray.setLong(RecordBatchLayout.BASE_OFFSET_OFFSET, 50);
        int end;
        try (PartitionLog log = open(live(), ONE_SEGMENT)) {
            appendNumbered(log, 4);
            end = batchPositions(log).get(1);
            copyDirectory(live(), crashed());
        }
        writeAt(segmentFile(crashed(), 0), end, LogTestSupport.bytes(stray));
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog recovered = open(crashed(), ONE_SEGMENT)) {
            assertThat(recovered.logEndOffset()).isEqualTo(4);
            assertThat(logs.warnings()).singleElement().asString().contains("batch base offset 50, expected 4");
        }
    }

    @Test
    void shouldDropTheLastBatchWhenOneOfItsBytesFlips() throws IOException {
        List<Integer> positions;
        try (PartitionLog log = open(live(), ONE_SEGMENT)) {
            for (int i = 0; i < 5; i++) {
                appendNumbered(log, 2);
            }
            positions = batchPositions(log);
            copyDirectory(live(), crashed());
        }
        int lastBatch = positions.get(4);
        flipByte(segmentFile(crashed(), 0), positions.get(5) - 3);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog recovered = open(crashed(), ONE_SEGMENT)) {
            assertThat(recovered.logEndOffset()).isEqualTo(8);
            assertThat(logs.warnings()).singleElement().asString()
                .contains("at position " + lastBatch, "CRC32C mismatch", "offsets from 8 on");
            assertNumbered(readAll(recovered, 0, 1000), 0, 8);
        }
    }

    @Test
    void shouldRefuseDamageBelowTheRecoveryPointOfTheActiveSegmentAndTruncateOnceItIsAccepted() throws IOException {
        List<Integer> positions;
        try (PartitionLog log = open(live(), ONE_SEGMENT)) {
            for (int i = 0; i < 5; i++) {
                appendNumbered(log, 2);
            }
            positions = batchPositions(log);
        }
        assertThat(live().resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE)).exists();
        long damaged = positions.get(2) + RecordBatchLayout.RECORDS_OFFSET + 1;
        flipByte(segmentFile(live(), 0), damaged);
        byte[] before = Files.readAllBytes(segmentFile(live(), 0));
        // The clean close forced all 10 records: losing 4..9 to damage keeps the partition offline, and the refusal
        // changes nothing in the segment, so the data can still be restored.
        assertThatThrownBy(() -> open(live(), ONE_SEGMENT)).isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("the log ends at offset 4, below its recovery point 10");
        assertThat(Arrays.copyOf(Files.readAllBytes(segmentFile(live(), 0)), before.length))
            .as("no byte changed (opening may extend the file with zeros)").isEqualTo(before);
        // Restored (the same byte back): every record is there again.
        flipByte(segmentFile(live(), 0), damaged);
        try (PartitionLog restored = open(live(), ONE_SEGMENT)) {
            assertThat(restored.logEndOffset()).isEqualTo(10);
            assertNumbered(readAll(restored, 0, 1000), 0, 10);
        }
        // Damaged again, and this time the operator accepts the loss by deleting the recovery point: the walk
        // truncates at the damage.
        flipByte(segmentFile(live(), 0), damaged);
        Files.delete(live().resolve(SegmentLayout.RECOVERY_POINT_FILE));
        try (PartitionLog recovered = open(live(), ONE_SEGMENT)) {
            assertThat(recovered.logEndOffset()).isEqualTo(4);
        }
    }

    @Test
    void shouldNotResurrectDroppedBatchesWhenNewAppendsLineUpWithThem() throws IOException {
        List<Integer> positions;
        try (PartitionLog log = open(live(), ONE_SEGMENT)) {
            for (int i = 0; i < 3; i++) {
                appendNumbered(log, 2);
            }
            positions = batchPositions(log);
            copyDirectory(live(), crashed());
        }
        // Batch 1 is damaged: recovery drops it and the intact batch 2 behind it.
        flipByte(segmentFile(crashed(), 0), positions.get(2) - 1);
        Path second = dataDir.resolve("crashed-again");
        try (PartitionLog recovered = open(crashed(), ONE_SEGMENT)) {
            assertThat(recovered.logEndOffset()).isEqualTo(2);
            // The same batch again (offsets 2..3, same values): the old batch 2 would now continue the offsets.
            appendNumbered(recovered, 2);
            copyDirectory(crashed(), second);
        }
        try (PartitionLog again = open(second, ONE_SEGMENT)) {
            assertThat(again.logEndOffset()).isEqualTo(4);
        }
    }

    @Test
    void shouldRefuseToOpenWhenASealedSegmentAboveTheRecoveryPointIsCorrupt() throws IOException {
        List<Integer> firstSegmentBatches;
        try (PartitionLog log = open(live(), SMALL)) {
            while (log.segmentCount() < 4) {
                appendNumbered(log, 3);
            }
            firstSegmentBatches = batchPositions(log);
        }
        // An unclean stop without a recovery point: every sealed segment is checked, CRC32C included.
        Files.delete(live().resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE));
        Files.delete(live().resolve(SegmentLayout.RECOVERY_POINT_FILE));
        Path first = segmentFile(live(), 0);
        int damaged = firstSegmentBatches.get(3);
        flipByte(first, damaged + RecordBatchLayout.RECORDS_OFFSET + 2);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
            assertThatThrownBy(() -> open(live(), SMALL))
                .isInstanceOfSatisfying(LogCorruptedException.class, e -> {
                    assertThat(e.file()).isEqualTo(first);
                    assertThat(e.position()).isEqualTo(damaged);
                })
                .hasMessageContaining("partition events-0")
                .hasMessageContaining(first.toString())
                .hasMessageContaining("at position " + damaged)
                .hasMessageContaining("CRC32C mismatch");
            assertThat(logs.warnings()).anySatisfy(w -> assertThat(w).contains("no valid recovery point"));
        }
        // Still refused the second time: nothing was repaired or dropped.
        assertThatThrownBy(() -> open(live(), SMALL)).isInstanceOf(LogCorruptedException.class);
        assertThat(Files.size(first)).isEqualTo((long) firstSegmentBatches.get(firstSegmentBatches.size() - 1));
    }

    /** Three segments, every batch indexed, closed cleanly; returns the batch positions of the first segment. */
    private List<Integer> buildThreeSegments() throws IOException {
        try (PartitionLog log = open(live(), EVERY_BATCH)) {
            while (log.segmentCount() < 3) {
                appendNumbered(log, 3);
            }
            return batchPositions(log);
        }
    }

    private long secondSegmentBase() throws IOException {
        return SegmentLayout.parseBaseOffset(segmentFiles(live()).get(1).getFileName().toString());
    }

    @Test
    void shouldTrustSegmentsBelowTheRecoveryPointButNeverServeABatchWithABadCrc() throws IOException {
        List<Integer> positions = buildThreeSegments();
        long firstSegmentEnd = secondSegmentBase();
        assertThat(live().resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE)).exists();
        Path first = segmentFile(live(), 0);
        // Batch 2 (offsets 6..8) of the first segment gets a flipped record byte: the open trusts the segment.
        flipByte(first, positions.get(2) + RecordBatchLayout.RECORDS_OFFSET + 1);
        try (PartitionLog log = open(live(), EVERY_BATCH);
             LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
            assertNumbered(LogTestSupport.decode(log.read(0, 2 * (positions.get(1) - positions.get(0)))), 0, 6);
            // A read that would include the damaged batch stops before it.
            assertNumbered(LogTestSupport.decode(log.read(3, Integer.MAX_VALUE)), 3, 6);
            assertThatThrownBy(() -> log.read(7, 100))
                .isInstanceOfSatisfying(CorruptBatchException.class, e -> {
                    assertThat(e.file()).isEqualTo(first);
                    assertThat(e.position()).isEqualTo((long) positions.get(2));
                })
                .hasMessageContaining("partition events-0")
                .hasMessageContaining("CRC32C mismatch");
            assertThatThrownBy(() -> log.read(6, 100)).isInstanceOf(CorruptBatchException.class);
            assertThat(logs.errors()).singleElement().asString().contains("corrupt batch", first.toString());
            // The batches after it, and later segments, are intact.
            assertThat(LogTestSupport.decode(log.read(9, 100)).get(0).offset()).isEqualTo(9);
            assertNumbered(readAll(log, firstSegmentEnd, 1000), firstSegmentEnd, log.logEndOffset());
        }
        // The damage is not forgotten: the next open checks that segment in full and refuses it.
        assertThatThrownBy(() -> open(live(), EVERY_BATCH)).isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("at position " + positions.get(2)).hasMessageContaining("CRC32C mismatch");
    }

    @Test
    void shouldNeverServeABatchWhoseLengthLiesInATrustedSegment() throws IOException {
        List<Integer> positions = buildThreeSegments();
        long firstSegmentEnd = secondSegmentBase();
        Path first = segmentFile(live(), 0);
        writeAt(first, positions.get(2) + RecordBatchLayout.BATCH_LENGTH_OFFSET, new byte[] {0x7f, 0, 0, 0});
        try (PartitionLog log = open(live(), EVERY_BATCH)) {
            assertThat(LogTestSupport.batchSizes(log.read(0, Integer.MAX_VALUE))).hasSize(2);
            assertThatThrownBy(() -> log.read(6, 100)).isInstanceOf(CorruptBatchException.class)
                .hasMessageContaining("batch length 2130706432 outside");
            assertThat(log.offsetForTimestamp(0)).as("found before the damage").isZero();
            // The batches after it are intact and reached through the index.
            assertThat(LogTestSupport.decode(log.read(firstSegmentEnd - 1, 100))).last()
                .extracting(LogTestSupport.Read::offset).isEqualTo(firstSegmentEnd - 1);
        }
        assertThatThrownBy(() -> open(live(), EVERY_BATCH)).isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("at position " + positions.get(2));
    }

    @Test
    void shouldRefuseASealedSegmentWithATornTail() throws IOException {
        try (PartitionLog log = open(live(), SMALL)) {
            while (log.segmentCount() < 3) {
                appendNumbered(log, 3);
            }
        }
        Path first = segmentFile(live(), 0);
        long size = Files.size(first);
        try (var channel = java.nio.channels.FileChannel.open(first, java.nio.file.StandardOpenOption.WRITE)) {
            channel.truncate(size - 5);
        }
        assertThatThrownBy(() -> open(live(), SMALL))
            .isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining(first.toString());
    }

    @Test
    void shouldRefuseSegmentsWithAGapBetweenThem() throws IOException {
        try (PartitionLog log = open(live(), SMALL)) {
            while (log.segmentCount() < 4) {
                appendNumbered(log, 3);
            }
        }
        List<Path> files = segmentFiles(live());
        Files.delete(files.get(1));
        // The message names the missing file to restore, and says the one after the hole is intact.
        assertThatThrownBy(() -> open(live(), SMALL))
            .isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("ends before offset " + base(files.get(1)))
            .hasMessageContaining(files.get(1).getFileName() + " is missing")
            .hasMessageContaining(files.get(2).getFileName() + " itself is intact, do not remove it");
    }

    @Test
    void shouldRefuseALogWhoseFirstSegmentsAreMissingUntilTheLossIsAccepted() throws IOException {
        try (PartitionLog log = open(live(), SMALL)) {
            while (log.segmentCount() < 4) {
                appendNumbered(log, 3);
            }
        }
        List<Path> files = segmentFiles(live());
        Files.delete(files.get(0));
        Files.delete(files.get(1));
        // Nothing in the directory says these offsets were deleted by retention: they are lost, not expired.
        assertThatThrownBy(() -> open(live(), SMALL))
            .isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("offsets 0.." + (base(files.get(2)) - 1) + " are missing")
            .hasMessageContaining("the log starts at offset 0 but its first segment, " + files.get(2).getFileName());
        assertThat(files.get(2)).as("a refusal deletes nothing").exists();
        Files.delete(live().resolve(SegmentLayout.RECOVERY_POINT_FILE));
        try (PartitionLog log = open(live(), SMALL)) {
            assertThat(log.logStartOffset()).isEqualTo(base(files.get(2)));
        }
    }

    private static long base(Path segment) {
        return SegmentLayout.parseBaseOffset(segment.getFileName().toString());
    }

    @Test
    void shouldRefuseAnActiveSegmentWithAForeignHeader() throws IOException {
        try (PartitionLog log = open(live(), SMALL)) {
            appendNumbered(log, 3);
        }
        writeAt(segmentFile(live(), 0), 0, new byte[] {'N', 'O', 'P', 'E'});
        assertThatThrownBy(() -> open(live(), SMALL))
            .isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("segment magic 0x4e4f5045 != 0x59414b31");
    }

    @Test
    void shouldOpenEmptySegmentFiles() throws IOException {
        long end;
        try (PartitionLog log = open(live(), SMALL)) {
            while (log.segmentCount() < 2) {
                appendNumbered(log, 3);
            }
            end = log.logEndOffset();
        }
        // A roll that died right after creating the next file: zero-length, then zero-filled without a header.
        Path empty = segmentFile(live(), end);
        Files.write(empty, new byte[0]);
        try (PartitionLog log = open(live(), SMALL)) {
            assertThat(log.segmentCount()).isEqualTo(3);
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(appendNumbered(log, 2)).isEqualTo(end);
        }
        Path zeroes = segmentFile(live(), end + 2);
        Files.write(zeroes, new byte[4096]);
        try (PartitionLog log = open(live(), SMALL)) {
            assertThat(log.logEndOffset()).isEqualTo(end + 2);
            assertThat(appendNumbered(log, 2)).isEqualTo(end + 2);
            assertNumbered(readAll(log, 0, 500), 0, end + 4);
        }

        Path lone = dataDir.resolve("lone");
        Files.createDirectories(lone);
        Files.write(segmentFile(lone, 0), new byte[0]);
        try (PartitionLog log = open(lone, SMALL)) {
            assertThat(log.logEndOffset()).isZero();
            appendNumbered(log, 1);
        }
        // Only a header: a closed log that never got a record.
        assertThat(Files.size(segmentFile(lone, 0))).isGreaterThan(HEADER_LENGTH);
        Path headerOnly = dataDir.resolve("header-only");
        try (PartitionLog log = open(headerOnly, SMALL)) {
            assertThat(log.logEndOffset()).isZero();
        }
        assertThat(Files.size(segmentFile(headerOnly, 0))).isEqualTo(HEADER_LENGTH);
        try (PartitionLog log = open(headerOnly, SMALL)) {
            assertThat(log.logEndOffset()).isZero();
            assertThat(appendNumbered(log, 2)).isZero();
        }
    }

    @Test
    void shouldStartAtTheFirstSegmentsBaseOffsetWithoutARecoveryPoint() throws IOException {
        try (PartitionLog log = open(live(), SMALL)) {
            while (log.segmentCount() < 3) {
                appendNumbered(log, 3);
            }
        }
        List<Path> files = segmentFiles(live());
        Files.delete(files.get(0));
        Files.delete(live().resolve(SegmentLayout.RECOVERY_POINT_FILE)); // the loss accepted (else: refused)
        long start = SegmentLayout.parseBaseOffset(files.get(1).getFileName().toString());
        try (PartitionLog log = open(live(), SMALL)) {
            assertThat(log.logStartOffset()).isEqualTo(start);
            assertThatThrownBy(() -> log.read(start - 1, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertNumbered(readAll(log, start, 100), start, log.logEndOffset());
        }
    }

    @Test
    void shouldIgnoreFilesThatAreNotSegments() throws IOException {
        Files.createDirectories(live());
        Files.writeString(live().resolve("notes.txt"), "hello");
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(live(), SMALL)) {
            appendNumbered(log, 1);
            assertThat(logs.warnings()).singleElement().asString().contains("ignoring unexpected file");
        }
    }
}
