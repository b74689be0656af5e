package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static io.yak.broker.log.LogTestSupport.assertNumbered;
import static io.yak.broker.log.LogTestSupport.bytes;
import static io.yak.broker.log.LogTestSupport.decode;
import static io.yak.broker.log.LogTestSupport.readAll;
import static io.yak.broker.log.LogTestSupport.segmentFiles;
import static io.yak.broker.log.LogTestSupport.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link PartitionLog#truncateTo} and {@link PartitionLog#truncateFullyAndStartAt}: results, zero-copy safety, crashes. */
class LogTruncationTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);

    @TempDir
    Path dataDir;

    private final LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock(1_000_000);

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private Path dir() {
        return dataDir.resolve("t-0");
    }

    private PartitionLog open() throws IOException {
        return PartitionLog.open(dir(), "t", 0, SMALL, clock);
    }

    /** Appends batches of 3 records ("v<offset>") until the log has {@code segments} segments. */
    private static void fill(PartitionLog log, int segments) throws IOException {
        while (log.segmentCount() < segments) {
            appendNumbered(log, 3);
        }
    }

    private static long baseOf(Path segmentFile) {
        return SegmentLayout.parseBaseOffset(segmentFile.getFileName().toString());
    }

    @Test
    void shouldKeepTheBytesOfAHeldViewWhenTruncatedAndOverwrittenAtTheSameOffsets() throws IOException {
        try (PartitionLog log = open()) {
            appendNumbered(log, 3);
            appendNumbered(log, 3);
            appendNumbered(log, 3);
            ByteBuf held = log.read(3, 10_000);
            byte[] before = bytes(held);
            assertThat(log.truncateTo(3)).isEqualTo(3);
            assertThat(log.logEndOffset()).isEqualTo(3);
            // Different records at the same offsets, and more than the page the old ones were in.
            for (int i = 0; i < 40; i++) {
                ByteBuf other = LogTestSupport.batch(value("other-" + i), value("x".repeat(50)));
                log.append(other, 7);
            }
            assertThat(bytes(held)).as("a view read before the truncation").isEqualTo(before);
            assertNumbered(decode(held), 3, 9);
            assertThat(readAll(log, 3, 100).get(0).text()).isEqualTo("other-0");
            held.release();
        }
    }

    @Test
    void shouldTruncateAtTheBaseOfTheBatchHoldingTheOffset() throws IOException {
        try (PartitionLog log = open()) {
            appendNumbered(log, 5);
            appendNumbered(log, 5);
            assertThat(log.truncateTo(7)).as("offset 7 is inside the batch [5, 9]").isEqualTo(5);
            assertThat(log.logEndOffset()).isEqualTo(5);
            assertNumbered(readAll(log, 0, 100), 0, 5);
            assertThat(log.read(5, 100).readableBytes()).isZero();
            assertThatThrownBy(() -> log.read(6, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertThat(log.truncateTo(5)).as("at the log end: nothing to do").isEqualTo(5);
            assertThatThrownBy(() -> log.truncateTo(6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside [0, 5]");
            assertThat(appendNumbered(log, 2)).isEqualTo(5);
            assertNumbered(readAll(log, 0, 100), 0, 7);
        }
        try (PartitionLog log = open()) {
            assertNumbered(readAll(log, 0, 100), 0, 7);
        }
    }

    @Test
    void shouldRetireLaterSegmentsAndReplaceTheOneHoldingTheNewEnd() throws IOException {
        long middle;
        try (PartitionLog log = open()) {
            fill(log, 5);
            List<Path> files = segmentFiles(dir());
            long thirdBase = baseOf(files.get(2));
            long fourthBase = baseOf(files.get(3));
            middle = thirdBase + 3 * ((fourthBase - thirdBase) / 6);
            try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
                assertThat(log.truncateTo(middle)).isEqualTo(middle);
                assertThat(logs.infos()).anySatisfy(line -> assertThat(line)
                    .contains("partition t-0: truncated to offset " + middle, "retired 3 segment(s)"));
            }
            assertThat(log.segmentCount()).isEqualTo(3);
            assertThat(segmentFiles(dir()).stream().map(LogTruncationTest::baseOf))
                .containsExactly(baseOf(files.get(0)), baseOf(files.get(1)), thirdBase);
            assertThat(LogTestSupport.filesEndingWith(dir(), SegmentLayout.DELETED_SUFFIX)).hasSize(9);
            assertThat(log.recoveryPoint()).isEqualTo(middle);
            assertNumbered(readAll(log, 0, 500), 0, middle);
            fill(log, 6);
            assertNumbered(readAll(log, 0, 500), 0, log.logEndOffset());
            // truncating at a segment's base retires it whole and starts an empty one with the same name
            long base = baseOf(segmentFiles(dir()).get(4));
            assertThat(log.truncateTo(base)).isEqualTo(base);
            assertThat(segmentFiles(dir()).stream().map(LogTruncationTest::baseOf)).endsWith(base);
            assertThat(log.segmentCount()).isEqualTo(5);
            assertThat(log.truncateTo(base)).isEqualTo(base);
            appendNumbered(log, 3);
            assertThat(log.truncateTo(base)).as("twice at one base offset: unique .deleted names").isEqualTo(base);
            assertThat(LogTestSupport.filesEndingWith(dir(), "1.deleted")).isNotEmpty();
            clock.advance(SMALL.fileDeleteDelayMs());
            log.releaseDueFiles();
            assertThat(LogTestSupport.filesEndingWith(dir(), SegmentLayout.DELETED_SUFFIX)).isEmpty();
        }
    }

    @Test
    void shouldLowerTheHighWatermarkAndTheLeaderEpochsAndKeepThemAfterRestart() throws IOException {
        try (PartitionLog log = open()) {
            appendNumbered(log, 4); // epoch 7
            ByteBuf b = LogTestSupport.batch(LogTestSupport.values(4, 4));
            log.append(b, 9);
            log.append(b, 11);
            log.updateHighWatermark(10);
            assertThat(log.epochCache().entries()).extracting(e -> e[0] + "@" + e[1])
                .containsExactly("7@0", "9@4", "11@8");
            log.truncateTo(6);
            assertThat(log.logEndOffset()).isEqualTo(4);
            assertThat(log.highWatermark()).isEqualTo(4);
            assertThat(log.latestEpoch()).isEqualTo(7);
            assertThat(log.endOffsetForEpoch(9)).isEqualTo(new EpochEndOffset(7, 4));
        }
        try (PartitionLog log = open()) {
            assertThat(log.highWatermark()).isEqualTo(4);
            assertThat(log.epochCache().entries()).extracting(e -> e[0] + "@" + e[1]).containsExactly("7@0");
        }
    }

    @Test
    void shouldRestartTheLogEmptyAtAnyOffset() throws IOException {
        try (PartitionLog log = open()) {
            fill(log, 3);
            ByteBuf held = log.read(0, 100);
            byte[] before = bytes(held);
            log.updateHighWatermark(5);
            log.truncateFullyAndStartAt(1000);
            assertThat(log.logStartOffset()).isEqualTo(1000);
            assertThat(log.logEndOffset()).isEqualTo(1000);
            assertThat(log.highWatermark()).isEqualTo(1000);
            assertThat(log.latestEpoch()).isEqualTo(-1);
            assertThat(log.segmentCount()).isEqualTo(1);
            assertThatThrownBy(() -> log.read(0, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertThat(appendNumbered(log, 2)).isEqualTo(1000);
            assertThat(bytes(held)).isEqualTo(before);
            held.release();
        }
        try (PartitionLog log = open()) {
            assertThat(log.logStartOffset()).isEqualTo(1000);
            assertNumbered(readAll(log, 1000, 100), 1000, 1002);
            // below the log start: a truncation restarts the log there (the start moves back: a follower's leader
            // holds those offsets)
            assertThat(log.truncateTo(10)).isEqualTo(10);
            assertThat(log.logStartOffset()).isEqualTo(10);
            assertThat(log.logEndOffset()).isEqualTo(10);
        }
        try (PartitionLog log = open()) {
            assertThat(log.logStartOffset()).isEqualTo(10);
            assertThat(appendNumbered(log, 1)).isEqualTo(10);
        }
    }

    @Test
    void shouldRefuseToCopyADamagedBatchAndChangeNothing() throws IOException {
        try (PartitionLog log = open()) {
            fill(log, 2);
        }
        Path first = segmentFiles(dir()).get(0);
        LogTestSupport.flipByte(first, SegmentLayout.HEADER_LENGTH + 70); // inside the first batch's records
        try (PartitionLog log = open()) {
            long end = log.logEndOffset();
            assertThatThrownBy(() -> log.truncateTo(6)).isInstanceOf(CorruptBatchException.class);
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(LogTestSupport.filesEndingWith(dir(), SegmentLayout.SWAP_SUFFIX)).isEmpty();
        }
        LogTestSupport.flipByte(first, SegmentLayout.HEADER_LENGTH + 70);
    }

    /** Thrown by the hook: stands in for a crash (an Error, so no cleanup runs). */
    private static final class Crash extends Error {
        private static final long serialVersionUID = 1L;
    }

    /** The steps a truncation of a 4-segment log to the middle of its 2nd segment goes through. */
    static Stream<String> truncationSteps() {
        return Stream.of("recovery-point", "swap-written", "retired-3", "retired-2", "retired-1", "retired-synced",
            "installed");
    }

    @ParameterizedTest(name = "crash after {0}")
    @MethodSource("truncationSteps")
    void shouldOpenAValidLogAfterACrashAtAnyStepOfATruncation(String crashAfter) throws IOException {
        long end;
        long newEnd;
        List<Long> bases = new ArrayList<>();
        PartitionLog log = open();
        try {
            fill(log, 4);
            end = log.logEndOffset();
            for (Path file : segmentFiles(dir())) {
                bases.add(baseOf(file));
            }
            newEnd = bases.get(1) + 3;
            log.updateHighWatermark(end);
            log.checkpointHighWatermark();
            List<String> steps = new ArrayList<>();
            log.truncationHook(step -> {
                String name = step.startsWith("retired ") ? "retired-" + bases.indexOf(Long.parseLong(step.substring(8)))
                    : step;
                steps.add(name);
                if (name.equals(crashAfter)) {
                    throw new Crash();
                }
            });
            assertThatThrownBy(() -> log.truncateTo(newEnd)).isInstanceOf(Crash.class);
            assertThat(steps).endsWith(crashAfter);
        } finally {
            log.abandon();
        }
        try (PartitionLog reopened = open()) {
            long recovered = reopened.logEndOffset();
            // Either the truncation is undone (the log may have lost whole segments at its end, never more) or done.
            assertThat(recovered).isIn(newEnd, end, bases.get(2), bases.get(3));
            boolean committed = List.of("retired-1", "retired-synced", "installed").contains(crashAfter);
            assertThat(recovered == newEnd).as("committed once the segment holding the new end was retired")
                .isEqualTo(committed);
            assertNumbered(readAll(reopened, 0, 700), 0, recovered);
            assertThat(reopened.highWatermark()).isEqualTo(newEnd);
            assertThat(reopened.latestEpoch()).isEqualTo(7);
            assertThat(reopened.endOffsetForEpoch(7)).isEqualTo(new EpochEndOffset(7, recovered));
            try (Stream<Path> files = Files.list(dir())) {
                assertThat(files.map(f -> f.getFileName().toString()))
                    .noneMatch(n -> n.endsWith(SegmentLayout.SWAP_SUFFIX) || n.endsWith(SegmentLayout.DELETED_SUFFIX));
            }
            // finishing the truncation from there gives the same log
            assertThat(reopened.truncateTo(newEnd)).isEqualTo(newEnd);
            assertThat(appendNumbered(reopened, 2)).isEqualTo(newEnd);
            assertNumbered(readAll(reopened, 0, 700), 0, newEnd + 2);
        }
    }

    static IntStream fullTruncationCrashes() {
        return IntStream.range(0, 8);
    }

    @ParameterizedTest(name = "crash at step {0}")
    @MethodSource("fullTruncationCrashes")
    void shouldOpenAValidLogAfterACrashAtAnyStepOfAFullTruncation(int crashAt) throws IOException {
        long end;
        PartitionLog log = open();
        try {
            fill(log, 3);
            end = log.logEndOffset();
            int[] step = {0};
            log.truncationHook(name -> {
                if (step[0]++ == crashAt) {
                    throw new Crash();
                }
            });
            try {
                log.truncateFullyAndStartAt(5000);
            } catch (Crash expected) {
                // files as a crash there leaves them
            }
        } finally {
            log.abandon();
        }
        try (PartitionLog reopened = open()) {
            long start = reopened.logStartOffset();
            if (start == 5000) {
                assertThat(reopened.logEndOffset()).isEqualTo(5000);
                assertThat(reopened.latestEpoch()).isEqualTo(-1);
            } else {
                assertThat(start).isZero();
                assertThat(reopened.logEndOffset()).isGreaterThan(0).isLessThanOrEqualTo(end);
                assertNumbered(readAll(reopened, 0, 700), 0, reopened.logEndOffset());
            }
            reopened.truncateFullyAndStartAt(5000);
            assertThat(appendNumbered(reopened, 1)).isEqualTo(5000);
        }
        try (PartitionLog reopened = open()) {
            assertThat(reopened.logStartOffset()).isEqualTo(5000);
            assertThat(reopened.logEndOffset()).isEqualTo(5001);
        }
    }

    @Test
    void shouldReadAtTheNewEndAsAtTheLogEndWhileOldViewsStayValid() throws IOException {
        try (PartitionLog log = open()) {
            fill(log, 2);
            long end = log.logEndOffset();
            ByteBuf tail = log.read(end - 3, 100);
            log.truncateTo(3);
            assertThat(log.read(3, 100)).isSameAs(Unpooled.EMPTY_BUFFER);
            assertThatThrownBy(() -> log.read(end - 3, 100)).isInstanceOf(OffsetOutOfRangeException.class);
            assertNumbered(decode(tail), end - 3, end);
            tail.release();
        }
    }
}
