package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static io.yak.broker.log.LogTestSupport.appendTimed;
import static io.yak.broker.log.LogTestSupport.assertNumbered;
import static io.yak.broker.log.LogTestSupport.decode;
import static io.yak.broker.log.LogTestSupport.filesEndingWith;
import static io.yak.broker.log.LogTestSupport.readAll;
import static io.yak.broker.log.LogTestSupport.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** segment.ms rolls, retention by time and by size, the log start offset, deferred unmapping of deleted files. */
class LogRetentionTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);
    private static final long DELAY_MS = SMALL.fileDeleteDelayMs();

    @TempDir
    Path dataDir;

    private final LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock(1_000_000);

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private Path dir() {
        return dataDir.resolve("t-1");
    }

    private PartitionLog open(LogConfig config) throws IOException {
        return PartitionLog.open(dir(), "t", 1, config, clock);
    }

    private static List<Long> bases(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        for (Path file : segmentFiles(dir)) {
            bases.add(SegmentLayout.parseBaseOffset(file.getFileName().toString()));
        }
        return bases;
    }

    @Test
    void shouldRollTheActiveSegmentOnceItsFirstBatchIsSegmentMsOld() throws IOException {
        LogConfig config = SMALL.withSegmentMs(1000);
        try (PartitionLog log = open(config)) {
            clock.advance(10_000);
            appendNumbered(log, 2);
            assertThat(log.segmentCount()).as("an empty segment never rolls; its age starts with its first batch")
                .isEqualTo(1);
            clock.advance(999);
            appendNumbered(log, 2);
            assertThat(log.segmentCount()).isEqualTo(1);
            clock.advance(1);
            assertThat(appendNumbered(log, 2)).isEqualTo(4);
            assertThat(log.segmentCount()).isEqualTo(2);
            assertThat(bases(dir())).containsExactly(0L, 4L);
            appendNumbered(log, 1);
            assertThat(log.segmentCount()).isEqualTo(2);
            assertNumbered(readAll(log, 0, 100), 0, 7);
        }
        try (PartitionLog log = open(config)) {
            // The reopened active segment's age counts from now (its batches' timestamps lie in this clock's future).
            clock.advance(999);
            appendNumbered(log, 1);
            assertThat(log.segmentCount()).isEqualTo(2);
            clock.advance(1);
            appendNumbered(log, 1);
            assertThat(log.segmentCount()).isEqualTo(3);
            assertNumbered(readAll(log, 0, 100), 0, 9);
        }
        try (PartitionLog log = open(config.withSegmentMs(Long.MAX_VALUE))) {
            clock.advance(Long.MAX_VALUE / 4);
            appendNumbered(log, 1);
            assertThat(log.segmentCount()).isEqualTo(3);
        }
    }

    @Test
    void shouldRollAndDeleteAQuietActiveSegmentOnceAllItsRecordsArePastRetentionMs() throws IOException {
        long end;
        try (PartitionLog log = open(SMALL)) {
            clock.set(2000);
            appendTimed(log, 1000, 3);
            appendTimed(log, 1500, 3);
            end = log.logEndOffset();
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.deleteOldSegments(5000, -1)).as("its newest record is not old enough yet").isZero();
            assertThat(log.segmentCount()).isEqualTo(1);

            clock.set(1500 + 5001);
            assertThat(log.deleteOldSegments(5000, -1)).as("rolled, then deleted").isEqualTo(1);
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThat(log.logStartOffset()).isEqualTo(end);
            assertThat(log.logEndOffset()).as("offsets go on where they were").isEqualTo(end);
            assertThatThrownBy(() -> log.read(0, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertThat(log.deleteOldSegments(5000, -1)).as("an empty active segment is left alone").isZero();
            assertThat(appendNumbered(log, 2)).isEqualTo(end);
            assertNumbered(readAll(log, end, 100), end, end + 2);
        }
        try (PartitionLog log = open(SMALL)) {
            assertThat(log.logStartOffset()).isEqualTo(end);
            assertNumbered(readAll(log, end, 100), end, end + 2);
        }
    }

    /** Appends batches stamped 1000, 1010, ... until there are {@code segments}; returns each batch's base. */
    private static List<Long> fillTimed(PartitionLog log, int segments) throws IOException {
        List<Long> batchBases = new ArrayList<>();
        while (log.segmentCount() < segments) {
            batchBases.add(appendTimed(log, 1000 + 10L * batchBases.size(), 3));
        }
        return batchBases;
    }

    @Test
    void shouldDeleteSegmentsWhoseNewestBatchIsOlderThanRetentionMs() throws IOException {
        long start;
        try (PartitionLog log = open(SMALL);
             LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
            List<Long> batchBases = fillTimed(log, 5);
            List<Long> bases = bases(dir());
            start = bases.get(2);
            // The newest batch of segment 1 is the one before segment 2's first.
            long newestOfSecond = 1000 + 10L * (batchBases.indexOf(start) - 1);
            long first = Files.size(LogTestSupport.segmentFile(dir(), 0));
            long bytes = Files.size(LogTestSupport.segmentFile(dir(), 0))
                + Files.size(LogTestSupport.segmentFile(dir(), bases.get(1)));
            long newestOfFirst = 1000 + 10L * (batchBases.indexOf(bases.get(1)) - 1);
            clock.set(newestOfSecond + 5000 + 1);
            assertThat(log.deleteOldSegments(clock.getAsLong() - newestOfFirst, -1)).as("not older than the limit")
                .isZero();
            assertThat(log.deleteOldSegments(clock.getAsLong() - newestOfFirst - 1, -1)).isEqualTo(1);
            assertThat(log.deleteOldSegments(5000, -1)).isEqualTo(1);
            assertThat(log.logStartOffset()).isEqualTo(start);
            assertThat(log.segmentCount()).isEqualTo(3);
            assertThatThrownBy(() -> log.read(start - 1, 100))
                .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                    assertThat(e.logStartOffset()).isEqualTo(start);
                    assertThat(e.requestedOffset()).isEqualTo(start - 1);
                });
            assertNumbered(readAll(log, start, 300), start, log.logEndOffset());
            assertThat(log.deleteOldSegments(5000, -1)).isZero();
            assertThat(logs.infos()).anySatisfy(line -> assertThat(line).contains("partition t-1",
                "retention deleted 1 segment(s)", "offsets [0, " + bases.get(1) + ")", first + " bytes",
                "log start offset is now " + bases.get(1)));
            assertThat(logs.infos()).anySatisfy(line -> assertThat(line).contains("partition t-1",
                "retention deleted 1 segment(s)", "offsets [" + bases.get(1) + ", " + start + ")",
                (bytes - first) + " bytes", "log start offset is now " + start));
            assertThat(bases(dir())).containsExactly(start, bases.get(3), bases.get(4));
            assertThat(filesEndingWith(dir(), ".deleted")).hasSize(6);
            // A crash now: the deleted files are still there, renamed.
            LogTestSupport.copyDirectory(dir(), dataDir.resolve("crashed"));
        }
        assertThat(filesEndingWith(dir(), ".deleted")).as("close removes them").isEmpty();
        try (PartitionLog log = open(SMALL)) {
            assertThat(log.logStartOffset()).isEqualTo(start);
            assertThatThrownBy(() -> log.read(start - 1, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertNumbered(readAll(log, start, 300), start, log.logEndOffset());
        }
        Path crashed = dataDir.resolve("crashed");
        try (PartitionLog log = PartitionLog.open(crashed, "t", 1, SMALL, clock)) {
            assertThat(log.logStartOffset()).isEqualTo(start);
            assertThat(filesEndingWith(crashed, ".deleted")).isEmpty();
            assertNumbered(readAll(log, start, 300), start, log.logEndOffset());
        }
    }

    @Test
    void shouldDeleteTheOldestSegmentsWhileTheLogIsLargerThanRetentionBytes() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            while (log.segmentCount() < 6) {
                appendNumbered(log, 3);
            }
            List<Long> bases = bases(dir());
            long total = 0;
            for (Path file : segmentFiles(dir())) {
                total += file.equals(LogTestSupport.segmentFile(dir(), bases.get(5))) ? 0 : Files.size(file);
            }
            ByteBuf active = log.read(bases.get(5), Integer.MAX_VALUE);
            total += 16 + active.readableBytes();
            long first = Files.size(LogTestSupport.segmentFile(dir(), 0));
            assertThat(log.deleteOldSegments(-1, -1)).isZero();
            assertThat(log.deleteOldSegments(-1, total)).isZero();
            assertThat(log.deleteOldSegments(-1, total - first)).isEqualTo(1);
            assertThat(log.logStartOffset()).isEqualTo(bases.get(1));
            assertThat(log.deleteOldSegments(-1, 1)).as("never the active segment").isEqualTo(4);
            assertThat(log.logStartOffset()).isEqualTo(bases.get(5));
            assertThat(log.segmentCount()).isEqualTo(1);
            assertNumbered(readAll(log, bases.get(5), 300), bases.get(5), log.logEndOffset());
            assertThat(log.deleteOldSegments(1, 1)).isZero();
            assertThatThrownBy(() -> log.deleteOldSegments(-2, -1)).isInstanceOf(IllegalArgumentException.class);
            long end = log.logEndOffset();
            assertThat(appendNumbered(log, 2)).isEqualTo(end);
        }
    }

    @Test
    void shouldKeepBuffersReadBeforeADeletionValidUntilTheDelayPassed() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            while (log.segmentCount() < 3) {
                appendNumbered(log, 3);
            }
            long secondBase = bases(dir()).get(1);
            ByteBuf early = log.read(0, Integer.MAX_VALUE);
            int mappings = MappedFiles.liveMappings();
            clock.advance(1);
            assertThat(log.deleteOldSegments(-1, 1)).isEqualTo(2);
            assertThat(filesEndingWith(dir(), ".log.deleted")).hasSize(2);
            assertThat(MappedFiles.liveMappings()).as("deleted segments stay mapped for now").isEqualTo(mappings);
            // The view taken before the deletion still reads the renamed file's pages.
            assertNumbered(decode(early), 0, secondBase);
            clock.advance(DELAY_MS - 1);
            log.deleteOldSegments(-1, -1);
            assertThat(filesEndingWith(dir(), ".deleted")).hasSize(6);
            clock.advance(1);
            log.deleteOldSegments(-1, -1);
            assertThat(filesEndingWith(dir(), ".deleted")).isEmpty();
            // Two deleted segments (3 mappings each, 3 retired ones each from their seal) are gone now.
            assertThat(MappedFiles.liveMappings()).isEqualTo(mappings - 12);
        }
    }

    @Test
    void shouldReleaseTheMappingsASealReplacedAfterTheDelay() throws IOException {
        int before = MappedFiles.liveMappings();
        try (PartitionLog log = open(SMALL)) {
            while (log.segmentCount() < 3) {
                appendNumbered(log, 3);
            }
            assertThat(MappedFiles.liveMappings() - before).isEqualTo(6 * 2 + 3);
            clock.advance(DELAY_MS - 1);
            assertThat(log.maybeFlush()).isFalse();
            assertThat(MappedFiles.liveMappings() - before).isEqualTo(6 * 2 + 3);
            clock.advance(1);
            assertThat(log.maybeFlush()).isFalse();
            assertThat(MappedFiles.liveMappings() - before).isEqualTo(3 * 2 + 3);
            assertNumbered(readAll(log, 0, 500), 0, log.logEndOffset());
        }
    }

    @Test
    void shouldFinishAnInterruptedRetentionAtOpen() throws Exception {
        List<Long> bases;
        long end;
        try (PartitionLog log = open(SMALL)) {
            while (log.segmentCount() < 4) {
                appendNumbered(log, 3);
            }
            bases = bases(dir());
            end = log.logEndOffset();
        }
        // The recovery point was persisted with the new log start, then the process died before the renames.
        RecoveryPoint written = RecoveryPoint.read(dir());
        new RecoveryPoint(written.offset(), written.segmentBase(), bases.get(2)).write(dir());
        Files.writeString(dir().resolve("00000000000000000000.log.deleted"), "left over");
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(SMALL)) {
            assertThat(log.logStartOffset()).isEqualTo(bases.get(2));
            assertThat(bases(dir())).containsExactly(bases.get(2), bases.get(3));
            assertThat(filesEndingWith(dir(), ".index")).hasSize(2);
            assertThat(filesEndingWith(dir(), ".deleted")).isEmpty();
            assertThat(logs.infos()).anySatisfy(line -> assertThat(line)
                .contains("deleting 2 segment(s) below the log start offset " + bases.get(2)));
            assertThat(logs.warnings()).isEmpty();
            assertNumbered(readAll(log, bases.get(2), 300), bases.get(2), end);
        }
    }

    @Test
    void shouldNeverGoBackBelowThePersistedLogStartOffset() throws IOException {
        long start;
        long end;
        try (PartitionLog log = open(SMALL)) {
            while (log.segmentCount() < 3) {
                appendNumbered(log, 3);
            }
            log.deleteOldSegments(-1, 1);
            start = log.logStartOffset();
            end = log.logEndOffset();
        }
        assertThat(end).isGreaterThan(start);
        // Every segment file lost: the log starts again where its forced records ended (the recovery point, its
        // end after the clean close), never at 0 and never below an offset it gave out before.
        for (Path file : segmentFiles(dir())) {
            Files.delete(file);
        }
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(SMALL)) {
            assertThat(log.logStartOffset()).isEqualTo(end);
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(appendNumbered(log, 2)).isEqualTo(end);
            assertThat(logs.errors()).singleElement().asString().contains("every segment file is gone",
                "forced to disk", "starting an empty log at offset " + end);
        }
    }
}
