package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static io.yak.broker.log.LogTestSupport.batchSizes;
import static io.yak.broker.log.LogTestSupport.decode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The high watermark: monotonic and clamped in memory, checkpointed to its file, and reads bounded by it. */
class HighWatermarkTest {
    @TempDir
    Path dataDir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private Path dir() {
        return dataDir.resolve("h-0");
    }

    private PartitionLog open() throws IOException {
        return PartitionLog.open(dir(), "h", 0, LogConfig.defaults());
    }

    @Test
    void shouldRiseMonotonicallyWithinTheLog() throws IOException {
        try (PartitionLog log = open()) {
            assertThat(log.highWatermark()).isZero();
            appendNumbered(log, 10);
            log.updateHighWatermark(4);
            assertThat(log.highWatermark()).isEqualTo(4);
            log.updateHighWatermark(2);
            assertThat(log.highWatermark()).as("never lowered by an update").isEqualTo(4);
            log.updateHighWatermark(99);
            assertThat(log.highWatermark()).as("clamped to the log end").isEqualTo(10);
        }
    }

    @Test
    void shouldCheckpointOnlyChangesAndLoadTheValueClampedToTheLog() throws IOException, InvalidFileException {
        Path file = dir().resolve(SegmentLayout.HIGH_WATERMARK_FILE);
        try (PartitionLog log = open()) {
            appendNumbered(log, 10);
            log.checkpointHighWatermark();
            assertThat(HighWatermarkCheckpoint.read(dir())).isZero();
            log.updateHighWatermark(7);
            log.checkpointHighWatermark();
            assertThat(HighWatermarkCheckpoint.read(dir())).isEqualTo(7);
            assertThat(Files.size(file)).isEqualTo(HighWatermarkLayout.FILE_LENGTH).isEqualTo(20);
            Files.setLastModifiedTime(file, FileTime.fromMillis(1000));
            log.checkpointHighWatermark();
            assertThat(Files.getLastModifiedTime(file).toMillis()).as("unchanged: not rewritten").isEqualTo(1000);
            log.updateHighWatermark(9);
        }
        assertThat(HighWatermarkCheckpoint.read(dir())).as("close checkpoints it").isEqualTo(9);
        try (PartitionLog log = open()) {
            assertThat(log.highWatermark()).isEqualTo(9);
        }
        HighWatermarkCheckpoint.write(dir(), 500);
        try (PartitionLog log = open()) {
            assertThat(log.highWatermark()).as("clamped to the log end").isEqualTo(10);
        }
        LogTestSupport.flipByte(file, 10);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs(); PartitionLog log = open()) {
            assertThat(log.highWatermark()).isZero();
            assertThat(logs.warnings()).anySatisfy(line -> assertThat(line).contains("ignoring invalid high-watermark"));
        }
        Files.write(file, new byte[3]);
        assertThatThrownBy(() -> HighWatermarkCheckpoint.read(dir())).isInstanceOf(InvalidFileException.class);
    }

    @Test
    void shouldServeOnlyWholeBatchesBelowMaxOffset() throws IOException {
        try (PartitionLog log = open()) {
            appendNumbered(log, 3); // 0..2
            appendNumbered(log, 3); // 3..5
            appendNumbered(log, 3); // 6..8
            assertThat(batchSizes(log.read(0, Integer.MAX_VALUE, 6))).hasSize(2);
            assertThat(batchSizes(log.read(0, Integer.MAX_VALUE, 5))).hasSize(1);
            assertThat(log.read(3, Integer.MAX_VALUE, 5)).as("the batch holding 3 ends at 5")
                .isSameAs(Unpooled.EMPTY_BUFFER);
            assertThat(log.read(6, 100, 6)).isSameAs(Unpooled.EMPTY_BUFFER);
            assertThat(decode(log.read(4, Integer.MAX_VALUE, 9))).hasSize(6);
            assertThat(decode(log.read(0, Integer.MAX_VALUE))).hasSize(9);
            assertThatThrownBy(() -> log.read(10, 100, 5)).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }
}
