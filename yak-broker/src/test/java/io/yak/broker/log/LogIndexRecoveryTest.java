package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendNumbered;
import static io.yak.broker.log.LogTestSupport.appendTimed;
import static io.yak.broker.log.LogTestSupport.assertNumbered;
import static io.yak.broker.log.LogTestSupport.copyDirectory;
import static io.yak.broker.log.LogTestSupport.readAll;
import static io.yak.broker.log.LogTestSupport.segmentFiles;
import static io.yak.broker.log.LogTestSupport.writeAt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Index files that are missing, damaged or lying; the recovery-point file; what an open trusts and checks. */
class LogIndexRecoveryTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(300);

    @TempDir
    Path dataDir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private Path dir() {
        return dataDir.resolve("ix-0");
    }

    private static PartitionLog open(Path dir) throws IOException {
        return PartitionLog.open(dir, "ix", 0, SMALL);
    }

    /** Batches stamped 5000, 5010, ... until there are {@code segments}, then a clean close; returns the end. */
    private long build(int segments) throws IOException {
        try (PartitionLog log = open(dir())) {
            int i = 0;
            while (log.segmentCount() < segments) {
                appendTimed(log, 5000 + 10L * i++, 1 + i % 4);
            }
            return log.logEndOffset();
        }
    }

    private Map<Path, byte[]> indexFiles() throws IOException {
        Map<Path, byte[]> files = new HashMap<>();
        try (Stream<Path> list = Files.list(dir())) {
            for (Path file : list.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".index") || name.endsWith(".timeindex")) {
                    files.put(file, Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    /** Everything readable, and every timestamp lookup the same as a walk over the batches would answer. */
    private static void checkLog(PartitionLog log, long end) {
        assertNumbered(readAll(log, 0, 700), 0, end);
        for (long offset = 0; offset < end; offset += 7) {
            assertThat(LogTestSupport.decode(log.read(offset, 1)).get(0).offset()).isLessThanOrEqualTo(offset);
        }
        List<long[]> batches = new ArrayList<>();
        long offset = 0;
        while (offset < end) {
            for (LogTestSupport.Read read : LogTestSupport.decode(log.read(offset, 1))) {
                offset = read.offset() + 1;
            }
            batches.add(new long[] {batches.isEmpty() ? 0 : batches.get(batches.size() - 1)[2], 0, offset});
        }
        for (int i = 0; i < batches.size(); i++) {
            long timestamp = 5000 + 10L * i;
            assertThat(log.offsetForTimestamp(timestamp)).as("offset for %d", timestamp)
                .isEqualTo(batches.get(i)[0]);
            assertThat(log.offsetForTimestamp(timestamp - 3)).isEqualTo(batches.get(i)[0]);
        }
        assertThat(log.offsetForTimestamp(0)).isZero();
        assertThat(log.offsetForTimestamp(5000 + 10L * batches.size())).isEqualTo(-1);
    }

    @Test
    void shouldRebuildMissingIndexFilesWithAWarningAndTheSameContent() throws IOException {
        long end = build(4);
        Map<Path, byte[]> before = indexFiles();
        List<Path> segments = segmentFiles(dir());
        Path index = segments.get(0).resolveSibling(segments.get(0).getFileName().toString()
            .replace(".log", ".index"));
        Path timeIndex = segments.get(1).resolveSibling(segments.get(1).getFileName().toString()
            .replace(".log", ".timeindex"));
        Files.delete(index);
        Files.delete(timeIndex);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            assertThat(logs.warnings()).hasSize(2);
            assertThat(logs.warnings().get(0)).contains("partition ix-0", "index files of segment "
                + segments.get(0), "not usable", index.getFileName() + ": file missing", "rebuilding");
            assertThat(logs.warnings().get(1)).contains(timeIndex.getFileName() + ": file missing");
            assertThat(logs.infos()).anySatisfy(line -> assertThat(line).contains("1 sealed segment(s) trusted",
                "3 checked with CRC32C", "2 index rebuild(s)"));
            checkLog(log, end);
        }
        assertSameIndexFiles(before);
    }

    @Test
    void shouldSayNothingAboutShutdownOrWarningsForANewPartitionOrAHealthyReopen() throws IOException {
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            assertThat(logs.infos()).singleElement().asString().contains("created partition log ix-0",
                "new and empty").doesNotContain("shutdown", "clean");
            appendNumbered(log, 3);
        }
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            assertThat(logs.warnings()).isEmpty();
            assertThat(logs.infos()).singleElement().asString().contains("opened partition log ix-0",
                "last shutdown clean", "no index rebuilt").doesNotContain("WARN", "warning");
            assertThat(log.logEndOffset()).isEqualTo(3);
        }
    }

    private void assertSameIndexFiles(Map<Path, byte[]> expected) throws IOException {
        Map<Path, byte[]> now = indexFiles();
        assertThat(now.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<Path, byte[]> e : expected.entrySet()) {
            assertThat(now.get(e.getKey())).as("%s", e.getKey()).isEqualTo(e.getValue());
        }
    }

    static Stream<Arguments> damages() {
        List<Arguments> cases = new ArrayList<>();
        for (long seed : Seeds.seeds().toArray()) {
            for (String damage : List.of("random bytes", "truncated", "entry past the end", "zero tail",
                "foreign header", "entries out of order")) {
                cases.add(Arguments.of(damage, seed));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}, seed {1}")
    @MethodSource("damages")
    void shouldRebuildDamagedIndexFilesAndStillAnswerCorrectly(String damage, long seed) throws IOException {
        System.out.println("LogIndexRecoveryTest " + damage + " seed " + seed + " (replay with -Dyak.seed=" + seed
            + ")");
        Random random = new Random(seed);
        long end = build(4 + random.nextInt(3));
        Map<Path, byte[]> before = indexFiles();
        List<Path> sealed = segmentFiles(dir());
        Path segment = sealed.get(random.nextInt(sealed.size() - 1));
        boolean time = random.nextBoolean();
        Path file = segment.resolveSibling(segment.getFileName().toString()
            .replace(".log", time ? ".timeindex" : ".index"));
        byte[] bytes = Files.readAllBytes(file);
        int entryLength = time ? IndexLayout.TIME_ENTRY_LENGTH : IndexLayout.OFFSET_ENTRY_LENGTH;
        int entries = (bytes.length - IndexLayout.HEADER_LENGTH) / entryLength;
        switch (damage) {
            case "random bytes" -> {
                byte[] noise = new byte[bytes.length];
                random.nextBytes(noise);
                Files.write(file, noise);
            }
            case "truncated" -> Files.write(file, Arrays.copyOf(bytes, random.nextInt(bytes.length)));
            case "entry past the end" -> {
                int last = IndexLayout.HEADER_LENGTH + (entries - 1) * entryLength;
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                if (time) {
                    buf.putInt(last + IndexLayout.TIME_RELATIVE_OFFSET_OFFSET, 1 << 30);
                } else {
                    buf.putInt(last + IndexLayout.POSITION_OFFSET, (int) Files.size(segment) + random.nextInt(100));
                }
                Files.write(file, bytes);
            }
            case "zero tail" -> Files.write(file, Arrays.copyOf(bytes, bytes.length
                + entryLength * (1 + random.nextInt(20))));
            case "foreign header" -> writeAt(file, IndexLayout.BASE_OFFSET_OFFSET,
                new byte[] {0, 0, 0, 0, 0, 0, 1, 0});
            case "entries out of order" -> {
                int slot = random.nextInt(entries);
                int at = IndexLayout.HEADER_LENGTH + slot * entryLength;
                byte[] entry = Arrays.copyOfRange(bytes, at, at + entryLength);
                int other = IndexLayout.HEADER_LENGTH + (slot == 0 ? entries - 1 : 0) * entryLength;
                System.arraycopy(bytes, other, bytes, at, entryLength);
                System.arraycopy(entry, 0, bytes, other, entryLength);
                if (entries < 2) {
                    bytes = Arrays.copyOf(bytes, bytes.length + entryLength);
                    System.arraycopy(entry, 0, bytes, bytes.length - entryLength, entryLength);
                }
                Files.write(file, bytes);
            }
            default -> throw new IllegalArgumentException(damage);
        }
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            assertThat(logs.warnings()).singleElement().asString().contains("partition ix-0",
                "index files of segment " + segment, "rebuilding them");
            checkLog(log, end);
        }
        assertSameIndexFiles(before);
    }

    @Test
    void shouldNoticeAnIndexEntryThatLiesAndRebuildItAtTheNextOpen() throws IOException {
        long end = build(3);
        Map<Path, byte[]> before = indexFiles();
        Path segment = segmentFiles(dir()).get(0);
        Path index = segment.resolveSibling(segment.getFileName().toString().replace(".log", ".index"));
        byte[] bytes = Files.readAllBytes(index);
        assertThat((bytes.length - IndexLayout.HEADER_LENGTH) / 8).isGreaterThanOrEqualTo(3);
        // Entry 1 points one byte later: still between its neighbours, so the open cannot tell...
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int at = IndexLayout.HEADER_LENGTH + 8 + IndexLayout.POSITION_OFFSET;
        buf.putInt(at, buf.getInt(at) + 1);
        long lyingOffset = buf.getInt(IndexLayout.HEADER_LENGTH + 8);
        // ... and its CRC32C matches, as if a writer had got it wrong.
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, IndexLayout.HEADER_LENGTH, bytes.length - IndexLayout.HEADER_LENGTH);
        buf.putInt(IndexLayout.ENTRIES_CRC_OFFSET, (int) crc.getValue());
        Files.write(index, bytes);
        try (PartitionLog log = open(dir())) {
            try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs()) {
                assertThat(LogTestSupport.decode(log.read(lyingOffset, 1)).get(0).offset()).isEqualTo(lyingOffset);
                assertThat(logs.warnings()).singleElement().asString().contains("index of segment " + segment,
                    "is wrong", "rebuilt at the next open");
            }
            checkLog(log, end);
        }
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            assertThat(logs.warnings()).singleElement().asString().contains("file missing");
            checkLog(log, end);
        }
        assertSameIndexFiles(before);
    }

    @Test
    void shouldCheckOnlyTheSegmentsFromTheRecoveryPointOnAfterACrash() throws Exception {
        Path crashed = dataDir.resolve("crashed");
        long end;
        byte[] earlyRecoveryPoint;
        try (PartitionLog log = open(dir())) {
            while (log.segmentCount() < 2) {
                appendNumbered(log, 3);
            }
            earlyRecoveryPoint = Files.readAllBytes(dir().resolve(SegmentLayout.RECOVERY_POINT_FILE));
            while (log.segmentCount() < 5) {
                appendNumbered(log, 3);
            }
            end = log.logEndOffset();
            assertThat(RecoveryPoint.read(dir())).isEqualTo(new RecoveryPoint(
                SegmentLayout.parseBaseOffset(segmentFiles(dir()).get(4).getFileName().toString()),
                SegmentLayout.parseBaseOffset(segmentFiles(dir()).get(4).getFileName().toString()), 0));
            copyDirectory(dir(), crashed);
        }
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(crashed)) {
            assertThat(logs.infos()).anySatisfy(line -> assertThat(line).contains("last shutdown unclean",
                "4 sealed segment(s) trusted, 1 checked with CRC32C"));
            assertThat(logs.warnings()).isEmpty();
            assertNumbered(readAll(log, 0, 900), 0, end);
        }
        // The same crash, but the recovery point is an old one (segment 1's base): only segment 0 ends at or
        // below it, every segment from segment 1 on is checked.
        LogTestSupport.deleteDirectory(crashed);
        copyDirectory(dir(), crashed);
        Files.delete(crashed.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE));
        Files.write(crashed.resolve(SegmentLayout.RECOVERY_POINT_FILE), earlyRecoveryPoint);
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(crashed)) {
            assertThat(logs.infos()).anySatisfy(line -> assertThat(line).contains(
                "1 sealed segment(s) trusted, 4 checked with CRC32C"));
            assertNumbered(readAll(log, 0, 900), 0, end);
        }
        // A damaged byte in a checked segment now stops the partition.
        Path second = segmentFiles(crashed).get(1);
        LogTestSupport.flipByte(second, 200);
        Files.delete(crashed.resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE));
        Files.write(crashed.resolve(SegmentLayout.RECOVERY_POINT_FILE), earlyRecoveryPoint);
        assertThatThrownBy(() -> open(crashed)).isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining(second.toString()).hasMessageContaining("sealed segment");
    }

    @Test
    void shouldIgnoreAnInvalidRecoveryPointFileAndCheckEverything() throws Exception {
        long end = build(3);
        Path recoveryPoint = dir().resolve(SegmentLayout.RECOVERY_POINT_FILE);
        byte[] bytes = Files.readAllBytes(recoveryPoint);
        bytes[RecoveryPointLayout.RECOVERY_POINT_OFFSET + 7] ^= 1;
        Files.write(recoveryPoint, bytes);
        Files.delete(dir().resolve(SegmentLayout.CLEAN_SHUTDOWN_FILE));
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            assertThat(logs.warnings()).hasSize(2);
            assertThat(logs.warnings().get(0)).contains("ignoring invalid recovery-point file", "CRC32C mismatch");
            assertThat(logs.warnings().get(1)).contains("no valid recovery point: checking every segment");
            checkLog(log, end);
        }
        assertThat(RecoveryPoint.read(dir()).offset()).isEqualTo(end);
        Files.write(recoveryPoint, new byte[] {1, 2, 3});
        try (LogTestSupport.CapturedLogs logs = new LogTestSupport.CapturedLogs();
             PartitionLog log = open(dir())) {
            // After a clean shutdown the sealed segments are trusted even without the recovery point.
            assertThat(logs.warnings()).singleElement().asString().contains("has 3 bytes, not 36");
            checkLog(log, end);
        }
    }

    @Test
    void shouldWriteTheRecoveryPointAtEachRollFlushAndClose() throws Exception {
        try (PartitionLog log = open(dir())) {
            assertThat(RecoveryPoint.read(dir())).isEqualTo(new RecoveryPoint(0, 0, 0));
            appendNumbered(log, 3);
            assertThat(RecoveryPoint.read(dir())).as("appends without a force leave it").isEqualTo(
                new RecoveryPoint(0, 0, 0));
            log.flush();
            assertThat(RecoveryPoint.read(dir())).isEqualTo(new RecoveryPoint(3, 0, 0));
            assertThat(log.recoveryPoint()).isEqualTo(3);
            while (log.segmentCount() < 2) {
                appendNumbered(log, 3);
            }
            long active = SegmentLayout.parseBaseOffset(segmentFiles(dir()).get(1).getFileName().toString());
            assertThat(RecoveryPoint.read(dir())).isEqualTo(new RecoveryPoint(active, active, 0));
            appendNumbered(log, 1);
            log.deleteOldSegments(-1, 1);
            assertThat(RecoveryPoint.read(dir())).isEqualTo(new RecoveryPoint(active, active, active));
            long end = log.logEndOffset();
            log.close();
            assertThat(RecoveryPoint.read(dir())).isEqualTo(new RecoveryPoint(end, active, active));
        }
        assertThat(dir().resolve(SegmentLayout.RECOVERY_POINT_TEMP_FILE)).doesNotExist();
    }

    @Test
    void shouldKeepThePartitionOfflineWhenForcedRecordsAreGoneUntilTheRecoveryPointIsDeleted() throws IOException {
        long end = build(2);
        Path active = segmentFiles(dir()).get(1);
        try (FileChannel channel = FileChannel.open(active, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 20); // the last batch's tail: its records' bytes, not only zeros
        }
        assertThatThrownBy(() -> open(dir())).isInstanceOf(LogCorruptedException.class)
            .hasMessageContaining("partition ix-0: the log ends at offset")
            .hasMessageContaining("below its recovery point " + end)
            .hasMessageContaining("forced to disk are gone")
            .hasMessageContaining("delete " + dir().resolve(SegmentLayout.RECOVERY_POINT_FILE));
        byte[] kept = Files.readAllBytes(active);
        assertThatThrownBy(() -> open(dir())).as("still refused").isInstanceOf(LogCorruptedException.class);
        assertThat(Arrays.copyOf(Files.readAllBytes(active), kept.length))
            .as("the refusal changes no byte of the segment (opening it may extend the file with zeros)")
            .isEqualTo(kept);
        // The operator accepts the loss: without a recovery point every segment is checked and the log continues.
        Files.delete(dir().resolve(SegmentLayout.RECOVERY_POINT_FILE));
        try (PartitionLog log = open(dir())) {
            assertThat(log.logEndOffset()).isLessThan(end).isGreaterThan(0);
        }
    }

    @Test
    void shouldRecoverAnEmptyDirectoryWithOnlyIndexFiles() throws IOException {
        Files.createDirectories(dir());
        Files.write(dir().resolve(SegmentLayout.fileName(0, SegmentLayout.INDEX_SUFFIX)), new byte[100]);
        Files.write(dir().resolve(SegmentLayout.fileName(5, SegmentLayout.TIME_INDEX_SUFFIX)), new byte[7]);
        Files.write(dir().resolve(SegmentLayout.RECOVERY_POINT_TEMP_FILE), new byte[7]);
        try (PartitionLog log = open(dir())) {
            assertThat(log.logEndOffset()).isZero();
            appendNumbered(log, 2);
            assertThat(log.offsetForTimestamp(0)).isZero();
        }
        assertThat(dir().resolve(SegmentLayout.fileName(5, SegmentLayout.TIME_INDEX_SUFFIX))).doesNotExist();
        assertThat(dir().resolve(SegmentLayout.RECOVERY_POINT_TEMP_FILE)).doesNotExist();
    }
}
