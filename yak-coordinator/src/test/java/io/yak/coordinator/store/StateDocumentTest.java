package io.yak.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Holds {@code STATE.md}'s "Layout" table against {@link StateFileCodec}: the fields it writes, their sizes and their
 * order, so document and code cannot drift. A snapshot with one element of every list writes each field once.
 */
class StateDocumentTest {
    private static final String LAYOUT_HEADING = "## Layout (format version ";

    private static final String CHANGE_LOG_HEADING = "## Change log layout (version ";

    /** The Field and Size cells of the Layout table's rows, backticks removed, as codec fields. */
    static List<StateFileCodec.Field> documentedLayout() throws IOException {
        return documentedLayout(LAYOUT_HEADING);
    }

    private static List<StateFileCodec.Field> documentedLayout(String heading) throws IOException {
        Path doc = Path.of("STATE.md");
        if (!Files.exists(doc)) {
            doc = Path.of("yak-coordinator", "STATE.md");
        }
        List<StateFileCodec.Field> fields = new ArrayList<>();
        boolean inSection = false;
        for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) {
                inSection = line.startsWith(heading);
                continue;
            }
            if (!inSection || !line.startsWith("|") || line.startsWith("|---") || line.startsWith("| Offset")) {
                continue;
            }
            String[] cells = line.split("\\|", -1);
            fields.add(new StateFileCodec.Field(cells[3].trim().replace("`", ""), cells[2].trim()));
        }
        return fields;
    }

    @Test
    void shouldDocumentEveryFieldTheCodecWritesInOrderWithItsSize() throws IOException {
        CoordinatorSnapshot oneOfEach = new CoordinatorSnapshot(1, 1,
            List.of(new CoordinatorSnapshot.Broker(1, "h", 1, 7, 3, true),
                new CoordinatorSnapshot.Broker(2, "h", 2, 8, 4, true)),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(List.of(1, 2),
                List.of(1), 1, 0, 0, List.of(2))), Map.of("retention.ms", "1"))),
            List.of(new CoordinatorSnapshot.CommittedOffset("g", "t", 0, 0)));

        List<StateFileCodec.Field> documented = documentedLayout();

        assertThat(documented).isNotEmpty();
        assertThat(StateFileCodec.layout(oneOfEach)).containsExactlyElementsOf(documented);
    }

    @Test
    void shouldDocumentEveryFieldOfTheChangeLogInOrderWithItsSize() throws IOException {
        List<StateRecord> oneOfEachType = List.of(
            new StateRecord.Counters(3, 2),
            new StateRecord.BrokerRecord(new CoordinatorSnapshot.Broker(1, "h", 1, 7, 3, true)),
            new StateRecord.BrokerForgotten(4),
            new StateRecord.TopicRecord(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(
                List.of(1, 2), List.of(1), 1, 0, 0, List.of(2))), Map.of("retention.ms", "1"))),
            new StateRecord.PartitionRecord("t", 0, new CoordinatorSnapshot.Partition(List.of(1, 2), List.of(1, 2), 1,
                0, 1)),
            new StateRecord.OffsetRecord(new CoordinatorSnapshot.CommittedOffset("g", "t", 0, 0)),
            new StateRecord.GroupDeleted("g"),
            new StateRecord.TopicDeleted("t"));

        List<StateFileCodec.Field> documented = documentedLayout(CHANGE_LOG_HEADING);

        assertThat(documented).isNotEmpty();
        assertThat(ChangeLogCodec.layout(oneOfEachType)).containsExactlyElementsOf(documented);
    }

    @Test
    void shouldDocumentTheVersionTheCodecWrites() throws IOException {
        String doc = Files.readString(Files.exists(Path.of("STATE.md")) ? Path.of("STATE.md")
            : Path.of("yak-coordinator", "STATE.md"));

        assertThat(doc).contains(LAYOUT_HEADING + StateFileCodec.VERSION + ")")
            .contains("| " + StateFileCodec.VERSION + " | ")
            .contains(CHANGE_LOG_HEADING + ChangeLogCodec.VERSION + ")");
    }
}
