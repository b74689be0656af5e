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
        int section = doc.indexOf("\n### Segment header\n");
        assertThat(section).as("section 'Segment header' in STORAGE.md").isNotNegative();
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

    @Test
    void shouldDocumentFileNamesAndTheMarker() throws IOException {
        String doc = storageMd();
        assertThat(doc).contains(SegmentLayout.fileName(0), "`" + SegmentLayout.CLEAN_SHUTDOWN_FILE + "`",
            "zero-padded to " + SegmentLayout.FILE_NAME_DIGITS + " digits", "yak-wire/WIRE.md");
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
        assertThatThrownBy(() -> SegmentLayout.fileName(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
