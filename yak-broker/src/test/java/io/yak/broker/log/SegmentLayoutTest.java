package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code STORAGE.md} is the authority; this keeps {@link SegmentLayout} in line with it. */
class SegmentLayoutTest {
    private record Row(int offset, String size, String field, String rule) {
    }

    private static String storageMd() throws IOException {
        for (Path candidate : List.of(Path.of("STORAGE.md"), Path.of("yak-broker", "STORAGE.md"))) {
            if (Files.exists(candidate)) {
                return Files.readString(candidate);
            }
        }
        throw new IllegalStateException("STORAGE.md not found from " + Path.of("").toAbsolutePath());
    }

    /** The rows of the table under the "### Segment header" heading. */
    private static List<Row> headerTable(String doc) {
        return table(doc, "Segment header");
    }

    /** The rows of the first table under the {@code ### <heading>} heading. */
    private static List<Row> table(String doc, String heading) {
        int section = doc.indexOf("\n### " + heading + "\n");
        assertThat(section).as("section '%s' in STORAGE.md", heading).isNotNegative();
        List<Row> rows = new ArrayList<>();
        boolean inTable = false;
        for (String line : doc.substring(section + 1).split("\n")) {
            if (line.startsWith("|")) {
                inTable = true;
                String[] cells = line.split("\\|");
                String first = cells[1].trim();
                if (first.matches("\\d+")) {
                    rows.add(new Row(Integer.parseInt(first), cells[2].trim(), cells[3].trim().replace("`", ""),
                        cells[4].trim()));
                }
            } else if (inTable) {
                break;
            }
        }
        return rows;
    }

    @Test
    void shouldMatchTheSegmentHeaderTableOfStorageMd() throws IOException {
        List<Row> rows = headerTable(storageMd());
        assertThat(rows).extracting(Row::field)
            .containsExactly("magic", "format_version", "reserved", "base_offset", "batches");
        assertThat(rows.get(0)).extracting(Row::offset, Row::size)
            .containsExactly(SegmentLayout.MAGIC_OFFSET, String.valueOf(SegmentLayout.MAGIC_LENGTH));
        assertThat(rows.get(1)).extracting(Row::offset, Row::size)
            .containsExactly(SegmentLayout.FORMAT_VERSION_OFFSET, String.valueOf(SegmentLayout.FORMAT_VERSION_LENGTH));
        assertThat(rows.get(2)).extracting(Row::offset, Row::size)
            .containsExactly(SegmentLayout.RESERVED_OFFSET, String.valueOf(SegmentLayout.RESERVED_LENGTH));
        assertThat(rows.get(3)).extracting(Row::offset, Row::size)
            .containsExactly(SegmentLayout.BASE_OFFSET_OFFSET, String.valueOf(SegmentLayout.BASE_OFFSET_LENGTH));
        assertThat(rows.get(4).offset()).isEqualTo(SegmentLayout.HEADER_LENGTH);
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).offset()).as("each offset is the previous one plus its size")
                .isEqualTo(rows.get(i - 1).offset() + Integer.parseInt(rows.get(i - 1).size()));
        }
        assertThat(rows.get(0).rule()).contains(String.format("0x%08X", SegmentLayout.MAGIC));
        assertThat(rows.get(1).rule()).contains("`" + SegmentLayout.FORMAT_VERSION + "`");
    }

    /** Checks a table's fields, offsets and sizes, and that each offset is the previous one plus its size. */
    private static void assertLayout(List<Row> rows, List<String> fields, int[] offsets, int[] sizes) {
        assertThat(rows).extracting(Row::field).containsExactlyElementsOf(fields);
        for (int i = 0; i < offsets.length; i++) {
            assertThat(rows.get(i).offset()).as("offset of %s", fields.get(i)).isEqualTo(offsets[i]);
            if (i < sizes.length) {
                assertThat(rows.get(i).size()).as("size of %s", fields.get(i)).isEqualTo(String.valueOf(sizes[i]));
            }
        }
        for (int i = 1; i < rows.size(); i++) {
            assertThat(rows.get(i).offset()).as("each offset is the previous one plus its size")
                .isEqualTo(rows.get(i - 1).offset() + Integer.parseInt(rows.get(i - 1).size()));
        }
    }

    @Test
    void shouldMatchTheIndexTablesOfStorageMd() throws IOException {
        String doc = storageMd();
        List<Row> header = table(doc, "Index file header");
        assertLayout(header, List.of("magic", "format_version", "reserved", "base_offset", "entry_count",
                "entries_crc", "entries"),
            new int[] {IndexLayout.MAGIC_OFFSET, IndexLayout.FORMAT_VERSION_OFFSET, IndexLayout.RESERVED_OFFSET,
                IndexLayout.BASE_OFFSET_OFFSET, IndexLayout.ENTRY_COUNT_OFFSET, IndexLayout.ENTRIES_CRC_OFFSET,
                IndexLayout.HEADER_LENGTH},
            new int[] {IndexLayout.MAGIC_LENGTH, IndexLayout.FORMAT_VERSION_LENGTH, IndexLayout.RESERVED_LENGTH,
                IndexLayout.BASE_OFFSET_LENGTH, IndexLayout.ENTRY_COUNT_LENGTH, IndexLayout.ENTRIES_CRC_LENGTH});
        assertThat(header.get(4).rule()).contains("`" + IndexLayout.ACTIVE_ENTRY_COUNT + "`");
        assertThat(header.get(0).rule()).contains(String.format("0x%08X", IndexLayout.OFFSET_INDEX_MAGIC),
            String.format("0x%08X", IndexLayout.TIME_INDEX_MAGIC), SegmentLayout.INDEX_SUFFIX,
            SegmentLayout.TIME_INDEX_SUFFIX);
        assertThat(header.get(1).rule()).contains("`" + IndexLayout.FORMAT_VERSION + "`");

        List<Row> offsets = table(doc, "Offset index entry");
        assertLayout(offsets, List.of("relative_offset", "position"),
            new int[] {IndexLayout.RELATIVE_OFFSET_OFFSET, IndexLayout.POSITION_OFFSET},
            new int[] {IndexLayout.RELATIVE_OFFSET_LENGTH, IndexLayout.POSITION_LENGTH});
        assertThat(offsets.get(1).offset() + Integer.parseInt(offsets.get(1).size()))
            .isEqualTo(IndexLayout.OFFSET_ENTRY_LENGTH);

        List<Row> times = table(doc, "Time index entry");
        assertLayout(times, List.of("timestamp", "relative_offset"),
            new int[] {IndexLayout.TIMESTAMP_OFFSET, IndexLayout.TIME_RELATIVE_OFFSET_OFFSET},
            new int[] {IndexLayout.TIMESTAMP_LENGTH, IndexLayout.TIME_RELATIVE_OFFSET_LENGTH});
        assertThat(times.get(1).offset() + Integer.parseInt(times.get(1).size()))
            .isEqualTo(IndexLayout.TIME_ENTRY_LENGTH);
        assertThat(doc).contains("max(index.interval.bytes, " + IndexLayout.MIN_BATCH_SIZE + ")",
            "`" + IndexLayout.HEADER_LENGTH + " + n * entry size`");
    }

    @Test
    void shouldMatchTheRecoveryPointTableOfStorageMd() throws IOException {
        List<Row> rows = table(storageMd(), "Recovery-point file");
        assertLayout(rows, List.of("magic", "format_version", "reserved", "recovery_point", "segment_base",
                "log_start_offset", "crc"),
            new int[] {RecoveryPointLayout.MAGIC_OFFSET, RecoveryPointLayout.FORMAT_VERSION_OFFSET,
                RecoveryPointLayout.RESERVED_OFFSET, RecoveryPointLayout.RECOVERY_POINT_OFFSET,
                RecoveryPointLayout.SEGMENT_BASE_OFFSET, RecoveryPointLayout.LOG_START_OFFSET_OFFSET,
                RecoveryPointLayout.CRC_OFFSET},
            new int[] {RecoveryPointLayout.MAGIC_LENGTH, RecoveryPointLayout.FORMAT_VERSION_LENGTH,
                RecoveryPointLayout.RESERVED_LENGTH, RecoveryPointLayout.RECOVERY_POINT_LENGTH,
                RecoveryPointLayout.SEGMENT_BASE_LENGTH, RecoveryPointLayout.LOG_START_OFFSET_LENGTH,
                RecoveryPointLayout.CRC_LENGTH});
        assertThat(rows.get(0).rule()).contains(String.format("0x%08X", RecoveryPointLayout.MAGIC));
        assertThat(rows.get(1).rule()).contains("`" + RecoveryPointLayout.FORMAT_VERSION + "`");
        assertThat(rows.get(6).rule()).contains("bytes 0 to " + (RecoveryPointLayout.CRC_OFFSET - 1));
        assertThat(storageMd()).contains(RecoveryPointLayout.FILE_LENGTH + " bytes");
    }

    @Test
    void shouldMatchTheLeaderEpochTablesOfStorageMd() throws IOException {
        String doc = storageMd();
        List<Row> header = table(doc, "Leader-epoch checkpoint file");
        assertLayout(header, List.of("magic", "format_version", "reserved", "entry_count", "entries"),
            new int[] {LeaderEpochLayout.MAGIC_OFFSET, LeaderEpochLayout.FORMAT_VERSION_OFFSET,
                LeaderEpochLayout.RESERVED_OFFSET, LeaderEpochLayout.ENTRY_COUNT_OFFSET, LeaderEpochLayout.HEADER_LENGTH},
            new int[] {LeaderEpochLayout.MAGIC_LENGTH, LeaderEpochLayout.FORMAT_VERSION_LENGTH,
                LeaderEpochLayout.RESERVED_LENGTH, LeaderEpochLayout.ENTRY_COUNT_LENGTH});
        assertThat(header.get(0).rule()).contains(String.format("0x%08X", LeaderEpochLayout.MAGIC));
        assertThat(header.get(1).rule()).contains("`" + LeaderEpochLayout.FORMAT_VERSION + "`");
        assertThat(header.get(3).rule()).contains(String.valueOf(LeaderEpochLayout.MAX_ENTRIES));
        assertThat(header.get(4).size()).isEqualTo(LeaderEpochLayout.ENTRY_LENGTH + " × n");
        // the CRC32C follows the entries: its offset is not a number, so the row is written out in full here
        assertThat(doc).contains("\n| " + LeaderEpochLayout.HEADER_LENGTH + " + " + LeaderEpochLayout.ENTRY_LENGTH
            + " × n | " + LeaderEpochLayout.CRC_LENGTH + " | `crc` | CRC32C of every byte before it |");

        List<Row> entry = table(doc, "Leader-epoch entry");
        assertLayout(entry, List.of("epoch", "start_offset"),
            new int[] {LeaderEpochLayout.EPOCH_OFFSET, LeaderEpochLayout.START_OFFSET_OFFSET},
            new int[] {LeaderEpochLayout.EPOCH_LENGTH, LeaderEpochLayout.START_OFFSET_LENGTH});
        assertThat(entry.get(1).offset() + Integer.parseInt(entry.get(1).size()))
            .isEqualTo(LeaderEpochLayout.ENTRY_LENGTH);
    }

    @Test
    void shouldMatchTheProducerSnapshotTablesOfStorageMd() throws IOException {
        String doc = storageMd();
        List<Row> header = table(doc, "Producer snapshot file");
        assertLayout(header, List.of("magic", "format_version", "reserved", "snapshot_offset", "producer_count",
                "producers"),
            new int[] {ProducerStateLayout.MAGIC_OFFSET, ProducerStateLayout.FORMAT_VERSION_OFFSET,
                ProducerStateLayout.RESERVED_OFFSET, ProducerStateLayout.SNAPSHOT_OFFSET_OFFSET,
                ProducerStateLayout.PRODUCER_COUNT_OFFSET, ProducerStateLayout.HEADER_LENGTH},
            new int[] {ProducerStateLayout.MAGIC_LENGTH, ProducerStateLayout.FORMAT_VERSION_LENGTH,
                ProducerStateLayout.RESERVED_LENGTH, ProducerStateLayout.SNAPSHOT_OFFSET_LENGTH,
                ProducerStateLayout.PRODUCER_COUNT_LENGTH});
        assertThat(header.get(0).rule()).contains(String.format("0x%08X", ProducerStateLayout.MAGIC));
        assertThat(header.get(1).rule()).contains("`" + ProducerStateLayout.FORMAT_VERSION + "`");
        assertThat(header.get(4).rule()).contains(String.valueOf(ProducerStateLayout.MAX_PRODUCERS));
        assertThat(header.get(5).size()).isEqualTo(ProducerStateLayout.PRODUCER_ENTRY_LENGTH + " × n");
        assertThat(doc).contains("\n| " + ProducerStateLayout.HEADER_LENGTH + " + "
            + ProducerStateLayout.PRODUCER_ENTRY_LENGTH + " × n | " + ProducerStateLayout.CRC_LENGTH
            + " | `crc` | CRC32C of every byte before it |");
        assertThat(doc).contains("`" + (ProducerStateLayout.HEADER_LENGTH + ProducerStateLayout.CRC_LENGTH) + " + "
            + ProducerStateLayout.PRODUCER_ENTRY_LENGTH + " × n`");

        List<Row> entry = table(doc, "Producer entry");
        assertLayout(entry, List.of("producer_id", "producer_epoch", "batch_count", "last_timestamp", "batches"),
            new int[] {ProducerStateLayout.PRODUCER_ID_OFFSET, ProducerStateLayout.PRODUCER_EPOCH_OFFSET,
                ProducerStateLayout.BATCH_COUNT_OFFSET, ProducerStateLayout.LAST_TIMESTAMP_OFFSET,
                ProducerStateLayout.BATCHES_OFFSET},
            new int[] {ProducerStateLayout.PRODUCER_ID_LENGTH, ProducerStateLayout.PRODUCER_EPOCH_LENGTH,
                ProducerStateLayout.BATCH_COUNT_LENGTH, ProducerStateLayout.LAST_TIMESTAMP_LENGTH});
        assertThat(entry.get(4).size()).isEqualTo(ProducerStateLayout.BATCH_ENTRY_LENGTH + " × "
            + ProducerStateLayout.MAX_BATCHES);

        List<Row> batch = table(doc, "Producer batch entry");
        assertLayout(batch, List.of("first_sequence", "last_sequence", "first_offset", "last_offset_delta"),
            new int[] {ProducerStateLayout.FIRST_SEQUENCE_OFFSET, ProducerStateLayout.LAST_SEQUENCE_OFFSET,
                ProducerStateLayout.FIRST_OFFSET_OFFSET, ProducerStateLayout.LAST_OFFSET_DELTA_OFFSET},
            new int[] {ProducerStateLayout.FIRST_SEQUENCE_LENGTH, ProducerStateLayout.LAST_SEQUENCE_LENGTH,
                ProducerStateLayout.FIRST_OFFSET_LENGTH, ProducerStateLayout.LAST_OFFSET_DELTA_LENGTH});
        assertThat(batch.get(3).offset() + Integer.parseInt(batch.get(3).size()))
            .isEqualTo(ProducerStateLayout.BATCH_ENTRY_LENGTH);
    }

    @Test
    void shouldMatchTheHighWatermarkTableOfStorageMd() throws IOException {
        List<Row> rows = table(storageMd(), "High-watermark file");
        assertLayout(rows, List.of("magic", "format_version", "reserved", "high_watermark", "crc"),
            new int[] {HighWatermarkLayout.MAGIC_OFFSET, HighWatermarkLayout.FORMAT_VERSION_OFFSET,
                HighWatermarkLayout.RESERVED_OFFSET, HighWatermarkLayout.HIGH_WATERMARK_OFFSET,
                HighWatermarkLayout.CRC_OFFSET},
            new int[] {HighWatermarkLayout.MAGIC_LENGTH, HighWatermarkLayout.FORMAT_VERSION_LENGTH,
                HighWatermarkLayout.RESERVED_LENGTH, HighWatermarkLayout.HIGH_WATERMARK_LENGTH,
                HighWatermarkLayout.CRC_LENGTH});
        assertThat(rows.get(0).rule()).contains(String.format("0x%08X", HighWatermarkLayout.MAGIC));
        assertThat(rows.get(1).rule()).contains("`" + HighWatermarkLayout.FORMAT_VERSION + "`");
        assertThat(rows.get(4).rule()).contains("bytes 0 to " + (HighWatermarkLayout.CRC_OFFSET - 1));
        assertThat(rows.get(4).offset() + Integer.parseInt(rows.get(4).size()))
            .isEqualTo(HighWatermarkLayout.FILE_LENGTH);
        assertThat(storageMd()).contains(HighWatermarkLayout.FILE_LENGTH + " bytes");
    }

    @Test
    void shouldGiveEveryMetadataFileTheFrameMetadataFileReadsAndWrites() {
        // magic, format_version, reserved, CRC32C length, and the CRC32C last
        int[] frame = {MetadataFile.MAGIC_OFFSET, MetadataFile.FORMAT_VERSION_OFFSET, MetadataFile.RESERVED_OFFSET,
            MetadataFile.CRC_LENGTH, 0};
        assertThat(new int[] {RecoveryPointLayout.MAGIC_OFFSET, RecoveryPointLayout.FORMAT_VERSION_OFFSET,
            RecoveryPointLayout.RESERVED_OFFSET, RecoveryPointLayout.CRC_LENGTH,
            RecoveryPointLayout.FILE_LENGTH - RecoveryPointLayout.CRC_OFFSET - RecoveryPointLayout.CRC_LENGTH})
            .as("recovery-point").containsExactly(frame);
        assertThat(new int[] {HighWatermarkLayout.MAGIC_OFFSET, HighWatermarkLayout.FORMAT_VERSION_OFFSET,
            HighWatermarkLayout.RESERVED_OFFSET, HighWatermarkLayout.CRC_LENGTH,
            HighWatermarkLayout.FILE_LENGTH - HighWatermarkLayout.CRC_OFFSET - HighWatermarkLayout.CRC_LENGTH})
            .as("high-watermark").containsExactly(frame);
        assertThat(new int[] {LeaderEpochLayout.MAGIC_OFFSET, LeaderEpochLayout.FORMAT_VERSION_OFFSET,
            LeaderEpochLayout.RESERVED_OFFSET, LeaderEpochLayout.CRC_LENGTH,
            LeaderEpochLayout.fileLength(0) - LeaderEpochLayout.HEADER_LENGTH - LeaderEpochLayout.CRC_LENGTH})
            .as("leader-epoch-checkpoint").containsExactly(frame);
    }

    @Test
    void shouldDocumentFileNamesAndTheMarker() throws IOException {
        String doc = storageMd();
        assertThat(doc).contains(SegmentLayout.fileName(0), "`" + SegmentLayout.CLEAN_SHUTDOWN_FILE + "`",
            "zero-padded to " + SegmentLayout.FILE_NAME_DIGITS + " digits", "yak-wire/WIRE.md",
            SegmentLayout.fileName(0, SegmentLayout.INDEX_SUFFIX),
            SegmentLayout.fileName(0, SegmentLayout.TIME_INDEX_SUFFIX),
            "`<base offset>" + SegmentLayout.INDEX_SUFFIX + "`", "`<base offset>" + SegmentLayout.TIME_INDEX_SUFFIX
                + "`", "`" + SegmentLayout.RECOVERY_POINT_FILE + "`", "`" + SegmentLayout.RECOVERY_POINT_TEMP_FILE
                + "`", "`<name>" + SegmentLayout.DELETED_SUFFIX + "`");
        // Every file the code names has a row in the partition directory table.
        for (String name : List.of("<base offset>" + SegmentLayout.SEGMENT_SUFFIX,
            "<base offset>" + SegmentLayout.INDEX_SUFFIX, "<base offset>" + SegmentLayout.TIME_INDEX_SUFFIX,
            SegmentLayout.RECOVERY_POINT_FILE, SegmentLayout.RECOVERY_POINT_TEMP_FILE,
            SegmentLayout.CLEAN_SHUTDOWN_FILE, "<name>" + SegmentLayout.DELETED_SUFFIX,
            "<base offset>" + SegmentLayout.SWAP_SUFFIX, "<base offset>" + SegmentLayout.FULL_SWAP_SUFFIX,
            SegmentLayout.LEADER_EPOCH_FILE, SegmentLayout.LEADER_EPOCH_TEMP_FILE, SegmentLayout.HIGH_WATERMARK_FILE,
            SegmentLayout.HIGH_WATERMARK_TEMP_FILE)) {
            assertThat(doc).as("row for %s", name).contains("\n| `" + name + "` |");
        }
    }

    @Test
    void shouldNameSegmentsByZeroPaddedBaseOffset() {
        assertThat(SegmentLayout.fileName(0)).isEqualTo("00000000000000000000.log");
        assertThat(SegmentLayout.fileName(4096)).isEqualTo("00000000000000004096.log");
        assertThat(SegmentLayout.fileName(Long.MAX_VALUE)).isEqualTo("09223372036854775807.log");
        for (long offset : new long[] {0, 1, 4096, 123_456_789_012L, Long.MAX_VALUE}) {
            assertThat(SegmentLayout.parseBaseOffset(SegmentLayout.fileName(offset))).isEqualTo(offset);
        }
        assertThat(SegmentLayout.parseBaseOffset("0000000000000000000.log")).isEqualTo(-1);
        assertThat(SegmentLayout.parseBaseOffset("0000000000000000000x.log")).isEqualTo(-1);
        assertThat(SegmentLayout.parseBaseOffset("00000000000000000000.idx")).isEqualTo(-1);
        assertThat(SegmentLayout.parseBaseOffset("99999999999999999999.log")).isEqualTo(-1);
        assertThat(SegmentLayout.parseBaseOffset(".clean_shutdown")).isEqualTo(-1);
        assertThat(SegmentLayout.fileName(42, SegmentLayout.TIME_INDEX_SUFFIX))
            .isEqualTo("00000000000000000042.timeindex");
        assertThat(SegmentLayout.parseBaseOffset("00000000000000000042.index", SegmentLayout.INDEX_SUFFIX))
            .isEqualTo(42);
        assertThat(SegmentLayout.parseBaseOffset("00000000000000000042.index", SegmentLayout.TIME_INDEX_SUFFIX))
            .isEqualTo(-1);
        assertThat(SegmentLayout.parseBaseOffset("00000000000000000042.log.deleted")).isEqualTo(-1);
        assertThatThrownBy(() -> SegmentLayout.fileName(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
