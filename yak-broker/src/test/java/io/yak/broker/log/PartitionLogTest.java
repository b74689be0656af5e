package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendBatch;
import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static io.yak.broker.log.LogTestSupport.assertNumbered;
import static io.yak.broker.log.LogTestSupport.batch;
import static io.yak.broker.log.LogTestSupport.batchSizes;
import static io.yak.broker.log.LogTestSupport.bytes;
import static io.yak.broker.log.LogTestSupport.decode;
import static io.yak.broker.log.LogTestSupport.readAll;
import static io.yak.broker.log.LogTestSupport.segmentFiles;
import static io.yak.broker.log.LogTestSupport.value;
import static io.yak.broker.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);

    @TempDir
    Path dataDir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private PartitionLog open(LogConfig config) throws IOException {
        return PartitionLog.open(PartitionLog.directoryFor(dataDir, "orders", 3), "orders", 3, config);
    }

    @Test
    void shouldReadBackAppendedRecordsWithStampedOffsetsAndEpoch() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            assertThat(log.logStartOffset()).isZero();
            assertThat(log.logEndOffset()).isZero();
            assertThat(log.directory()).isEqualTo(dataDir.resolve("orders-3"));
            assertThat(appendNumbered(log, 3)).isZero();
            assertThat(appendNumbered(log, 1)).isEqualTo(3);
            assertThat(appendNumbered(log, 5)).isEqualTo(4);
            assertThat(log.logEndOffset()).isEqualTo(9);

            ByteBuf all = log.read(0, Integer.MAX_VALUE);
            List<LogTestSupport.Read> records = decode(all);
            assertNumbered(records, 0, 9);
            assertThat(records).allSatisfy(r -> assertThat(r.leaderEpoch()).isEqualTo(7));
            assertThat(batchSizes(all)).hasSize(3);
            assertThat(all.isReadOnly()).isTrue();
            all.release();
        }
    }

    @Test
    void shouldReturnTheWholeBatchContainingAnOffsetInItsMiddle() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 10);
            appendNumbered(log, 10);
            List<LogTestSupport.Read> fromMiddle = decode(log.read(15, 1));
            assertThat(fromMiddle.get(0).offset()).isEqualTo(10);
            assertNumbered(fromMiddle, 10, 20);
            assertThat(decode(log.read(9, 1))).first().extracting(LogTestSupport.Read::offset).isEqualTo(0L);
        }
    }

    @Test
    void shouldStopAtMaxBytesButAlwaysReturnTheFirstBatch() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            for (int i = 0; i < 10; i++) {
                appendNumbered(log, 2);
            }
            int size = batchSizes(log.read(0, 1)).get(0);
            assertThat(batchSizes(log.read(0, 3 * size))).hasSize(3);
            assertThat(batchSizes(log.read(0, 3 * size - 1))).hasSize(2);
            assertThat(batchSizes(log.read(0, 1))).hasSize(1);
            assertThat(batchSizes(log.read(0, 0))).hasSize(1);
            assertThat(batchSizes(log.read(4, 2 * size))).hasSize(2);
            assertThat(batchSizes(log.read(18, Integer.MAX_VALUE))).hasSize(1);
        }
    }

    @Test
    void shouldReturnAnEmptyBufferAtTheLogEnd() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            assertThat(log.read(0, 1000)).isSameAs(Unpooled.EMPTY_BUFFER);
            appendNumbered(log, 4);
            assertThat(log.read(4, 1000).readableBytes()).isZero();
        }
    }

    @Test
    void shouldRejectOffsetsOutsideTheLog() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 4);
            assertThatThrownBy(() -> log.read(5, 1000))
                .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                    assertThat(e.requestedOffset()).isEqualTo(5);
                    assertThat(e.logStartOffset()).isZero();
                    assertThat(e.logEndOffset()).isEqualTo(4);
                })
                .hasMessageContaining("offset 5 outside [0, 4] of partition orders-3");
            assertThatThrownBy(() -> log.read(-1, 1000)).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @Test
    void shouldAppendSeveralBatchesOfOneCallContiguouslyWithoutTouchingTheCallersBuffer() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 2);
            ByteBuf three = Unpooled.buffer();
            three.writeBytes(new byte[] {1, 2, 3}).readerIndex(3);
            appendBatch(three, values(2, 3));
            appendBatch(three, values(5, 1));
            appendBatch(three, values(6, 4));
            byte[] before = bytes(three);
            assertThat(log.append(three, 9)).isEqualTo(2);
            assertThat(bytes(three)).isEqualTo(before);
            assertThat(three.readerIndex()).isEqualTo(3);
            assertThat(log.logEndOffset()).isEqualTo(10);
            List<LogTestSupport.Read> records = readAll(log, 0, Integer.MAX_VALUE);
            assertNumbered(records, 0, 10);
            assertThat(records.subList(2, 10)).allSatisfy(r -> assertThat(r.leaderEpoch()).isEqualTo(9));
        }
    }

    @Test
    void shouldAppendFromPooledDirectBuffers() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; i < 50; i++) {
                ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer();
                try {
                    appendBatch(direct, values(log.logEndOffset(), 3));
                    log.append(direct, 1);
                } finally {
                    direct.release();
                }
            }
            assertNumbered(readAll(log, 0, 700), 0, 150);
        }
    }

    @Test
    void shouldRejectBytesThatAreNotWholeBatchesAndStayUsable() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 2);
            ByteBuf good = batch(values(2, 2));
            ByteBuf truncated = good.copy(0, good.readableBytes() - 1);
            ByteBuf badMagic = good.copy();
            badMagic.setByte(RecordBatchLayout.MAGIC_OFFSET, 1);
            ByteBuf trailing = good.copy();
            trailing.writeByte(0);
            assertThatThrownBy(() -> log.append(truncated, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch at index 0");
            assertThatThrownBy(() -> log.append(badMagic, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("magic 1");
            assertThatThrownBy(() -> log.append(trailing, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> log.append(Unpooled.EMPTY_BUFFER, 0))
                .isInstanceOf(IllegalArgumentException.class);
            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(log.append(good, 7)).isEqualTo(2);
            assertNumbered(readAll(log, 0, 1), 0, 4);
        }
    }

    @Test
    void shouldRollSegmentsAndServeReadsFromEachOfThem() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; log.segmentCount() < 8; i++) {
                appendNumbered(log, 1 + i % 4);
            }
            long end = log.logEndOffset();
            List<Path> files = segmentFiles(log.directory());
            assertThat(files).hasSize(log.segmentCount());
            for (int i = 0; i < files.size() - 1; i++) {
                long size = Files.size(files.get(i));
                assertThat(size).as("sealed %s", files.get(i)).isLessThanOrEqualTo(4096).isGreaterThan(4096 - 200);
                // One read never crosses a segment: from a segment's first offset, at most to the next one's.
                long base = SegmentLayout.parseBaseOffset(files.get(i).getFileName().toString());
                long nextBase = SegmentLayout.parseBaseOffset(files.get(i + 1).getFileName().toString());
                List<LogTestSupport.Read> whole = decode(log.read(base, Integer.MAX_VALUE));
                assertNumbered(whole, base, nextBase);
            }
            assertNumbered(readAll(log, 0, 1000), 0, end);
            assertNumbered(readAll(log, end / 2, 300), end / 2, end);
        }
    }

    @Test
    void shouldGiveAnAppendLargerThanASegmentASegmentOfItsOwnSize() throws IOException {
        byte[] big = new byte[10_000];
        Arrays.fill(big, (byte) 'x');
        try (PartitionLog log = open(SMALL)) {
            ByteBuf first = batch(big);
            assertThat(log.append(first, 7)).isZero();
            assertThat(log.segmentCount()).isEqualTo(1);
            appendNumbered(log, 3);
            assertThat(log.segmentCount()).isEqualTo(2);
            ByteBuf second = batch(big, big);
            assertThat(log.append(second, 7)).isEqualTo(4);
            assertThat(log.segmentCount()).isEqualTo(3);
            appendNumbered(log, 1);
            assertThat(log.segmentCount()).isEqualTo(4);
            List<LogTestSupport.Read> records = readAll(log, 0, 100);
            assertThat(records).extracting(LogTestSupport.Read::offset).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(records.get(5).value()).isEqualTo(big);
            assertThat(records.get(6).text()).isEqualTo("v6");
        }
    }

    @Test
    void shouldKeepEveryOffsetAcrossCloseAndReopenAndContinueWithoutGap() throws IOException {
        long end;
        List<Long> segmentBases;
        try (PartitionLog log = open(SMALL)) {
            for (int i = 0; i < 120; i++) {
                appendNumbered(log, 1 + i % 3);
            }
            end = log.logEndOffset();
            segmentBases = segmentFiles(log.directory()).stream()
                .map(f -> SegmentLayout.parseBaseOffset(f.getFileName().toString())).toList();
        }
        Path dir = PartitionLog.directoryFor(dataDir, "orders", 3);
        assertThat(dir.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE)).exists();
        for (Path file : segmentFiles(dir)) {
            assertThat(Files.size(file)).as("closed segment %s is cut to its data", file).isLessThanOrEqualTo(4096);
        }
        try (PartitionLog log = open(SMALL)) {
            assertThat(dir.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE)).doesNotExist();
            assertThat(log.logEndOffset()).isEqualTo(end);
            assertThat(log.segmentCount()).isEqualTo(segmentBases.size());
            assertNumbered(readAll(log, 0, 512), 0, end);
            assertThat(appendNumbered(log, 2)).isEqualTo(end);
            assertNumbered(readAll(log, end - 5, 512), end - 5, end + 2);
        }
        try (PartitionLog log = open(SMALL)) {
            assertNumbered(readAll(log, 0, 4096), 0, end + 2);
        }
    }

    @Test
    void shouldForceAfterFlushMessagesRecords() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults().withFlushMessages(5))) {
            for (int i = 0; i < 4; i++) {
                appendNumbered(log, 1);
            }
            assertThat(log.forceCount()).isZero();
            appendNumbered(log, 1);
            assertThat(log.forceCount()).isEqualTo(1);
            appendNumbered(log, 7);
            assertThat(log.forceCount()).isEqualTo(2);
            log.flush();
            assertThat(log.forceCount()).isEqualTo(3);
        }
    }

    @Test
    void shouldForceAfterFlushMsWithAnInjectedClock() throws IOException {
        AtomicLong now = new AtomicLong(1000);
        Path dir = dataDir.resolve("t-0");
        try (PartitionLog log = PartitionLog.open(dir, "t", 0, LogConfig.defaults().withFlushMs(100), now::get)) {
            appendNumbered(log, 1);
            now.set(1050);
            appendNumbered(log, 1);
            assertThat(log.maybeFlush()).isFalse();
            assertThat(log.forceCount()).isZero();
            now.set(1100);
            appendNumbered(log, 1);
            assertThat(log.forceCount()).isEqualTo(1);
            now.set(1250);
            assertThat(log.maybeFlush()).as("nothing to force").isFalse();
            appendNumbered(log, 1);
            assertThat(log.forceCount()).isEqualTo(2);
            now.set(1300);
            appendNumbered(log, 1);
            assertThat(log.maybeFlush()).isFalse();
            now.set(1350);
            assertThat(log.maybeFlush()).isTrue();
            assertThat(log.forceCount()).isEqualTo(3);
        }
    }

    @Test
    void shouldReleaseEveryMappingOnClose() throws IOException {
        int before = MappedFiles.liveMappings();
        PartitionLog log = open(SMALL);
        try {
            while (log.segmentCount() < 4) {
                appendNumbered(log, 3);
            }
            // Sealed segments: read-only mappings of the segment and its two index files plus the three retired
            // read-write ones (kept for file.delete.delay.ms); the active one: three mappings.
            assertThat(MappedFiles.liveMappings() - before).isEqualTo(6 * log.segmentCount() - 3);
        } finally {
            log.close();
        }
        assertThat(MappedFiles.liveMappings()).isEqualTo(before);
        log.close();
        assertThat(MappedFiles.liveMappings()).isEqualTo(before);

        try (PartitionLog reopened = open(SMALL)) {
            assertThat(MappedFiles.liveMappings() - before).isEqualTo(3 * reopened.segmentCount());
        }
        assertThat(MappedFiles.liveMappings()).isEqualTo(before);
    }

    @Test
    void shouldTreatReleaseOfAReadAsHarmless() throws IOException {
        try (PartitionLog log = open(LogConfig.defaults())) {
            appendNumbered(log, 3);
            int mappings = MappedFiles.liveMappings();
            ByteBuf first = log.read(0, 100);
            assertThat(first.release()).isTrue();
            assertThat(MappedFiles.liveMappings()).isEqualTo(mappings);
            assertNumbered(decode(log.read(0, 100)), 0, 3);
        }
    }

    @Test
    void shouldKeepReturnedBuffersValidAfterTheSegmentIsSealed() throws IOException {
        try (PartitionLog log = open(SMALL)) {
            appendNumbered(log, 3);
            ByteBuf early = log.read(0, 100);
            while (log.segmentCount() == 1) {
                appendNumbered(log, 5);
            }
            assertNumbered(decode(early), 0, 3);
        }
    }

    @Test
    void shouldRefuseAppendsAfterAFailedRollUntilReopened() throws IOException {
        Path dir = PartitionLog.directoryFor(dataDir, "orders", 3);
        Path moved = dataDir.resolve("moved");
        long end;
        PartitionLog log = open(SMALL);
        try {
            appendNumbered(log, 3);
            // The directory vanishes under the log: the next roll cannot create its segment file.
            Files.move(dir, moved);
            ByteBuf batch = batch(values(log.logEndOffset(), 3));
            while (log.segmentCount() == 1) {
                long before = log.logEndOffset();
                try {
                    appendNumbered(log, 3);
                } catch (IOException e) {
                    assertThat(log.logEndOffset()).isEqualTo(before);
                    break;
                }
            }
            end = log.logEndOffset();
            assertThatThrownBy(() -> log.append(batch, 0)).isInstanceOf(LogFailedException.class)
                .hasMessageContaining("log failed earlier, reopen it to recover");
            assertThatThrownBy(log::flush).isInstanceOf(IOException.class);
            assertNumbered(readAll(log, 0, 500), 0, end);
        } finally {
            try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
                log.close();
                assertThat(logs.warnings()).anySatisfy(line -> assertThat(line)
                    .contains("closing without the clean-shutdown marker: its log failed earlier"));
            }
        }
        assertThat(moved.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE)).doesNotExist();
        Files.move(moved, dir);
        try (PartitionLog reopened = open(SMALL)) {
            assertThat(reopened.logEndOffset()).isEqualTo(end);
            assertThat(appendNumbered(reopened, 3)).isEqualTo(end);
            assertNumbered(readAll(reopened, 0, 500), 0, end + 3);
        }
    }

    @Test
    void shouldRefuseUseAfterClose() throws IOException {
        PartitionLog log = open(LogConfig.defaults());
        appendNumbered(log, 1);
        log.close();
        ByteBuf batch = batch(value("late"));
        assertThatThrownBy(() -> log.read(0, 10)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("orders-3 is closed");
        assertThatThrownBy(() -> log.append(batch, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(log::flush).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldValidateConfig() {
        assertThatThrownBy(() -> LogConfig.defaults().withSegmentBytes(100))
            .hasMessageContaining("segment.bytes 100 < 1024");
        assertThatThrownBy(() -> LogConfig.defaults().withFlushMessages(0)).hasMessageContaining("flush.messages");
        assertThatThrownBy(() -> LogConfig.defaults().withFlushMs(-1)).hasMessageContaining("flush.ms");
        assertThatThrownBy(() -> LogConfig.defaults().withIndexIntervalBytes(-1))
            .hasMessageContaining("index.interval.bytes");
        assertThatThrownBy(() -> LogConfig.defaults().withSegmentMs(0)).hasMessageContaining("segment.ms 0 < 1");
        assertThatThrownBy(() -> LogConfig.defaults().withFileDeleteDelayMs(-1))
            .hasMessageContaining("file.delete.delay.ms");
        assertThat(LogConfig.defaults())
            .isEqualTo(new LogConfig(64 * 1024 * 1024, 4096, Long.MAX_VALUE, Long.MAX_VALUE))
            .isEqualTo(new LogConfig(64 * 1024 * 1024, 4096, Long.MAX_VALUE, Long.MAX_VALUE, 7L * 24 * 3600 * 1000,
                60_000));
        assertThat(LogConfig.defaults().withSegmentMs(Long.MAX_VALUE).segmentMs()).isEqualTo(Long.MAX_VALUE);
    }
}
