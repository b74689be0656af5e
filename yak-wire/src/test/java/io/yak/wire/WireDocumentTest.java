package io.yak.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.Codec;
import io.yak.wire.message.Message;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.testing.RandomMessages;
import io.yak.wire.testing.Seeds;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Parses the tables of {@code WIRE.md} and holds them against the code, so the document and the code cannot drift:
 * message types, error codes, frame header and record batch offsets, and every body table, which is used to parse
 * encoded messages field by field.
 */
class WireDocumentTest {
    private static Map<String, List<Table>> sections;

    /** A markdown table: header cells and rows keyed by header, cells with backticks removed. */
    record Table(List<String> header, List<Map<String, String>> rows) {
        List<String> column(String name) {
            return rows.stream().map(r -> r.get(name)).collect(Collectors.toList());
        }
    }

    @BeforeAll
    static void parse() throws IOException {
        Path doc = Path.of("WIRE.md");
        if (!Files.exists(doc)) {
            doc = Path.of("yak-wire", "WIRE.md");
        }
        sections = parseMarkdown(Files.readAllLines(doc, StandardCharsets.UTF_8));
    }

    // ---- tables against enums and layouts ------------------------------------------------------------------

    @Test
    void messageTypeTableShouldListExactlyTheMessageTypes() {
        Table t = table("Message types", "Id", "Name", "Direction", "Served by");
        Map<String, Integer> documented = new TreeMap<>();
        for (Map<String, String> row : t.rows()) {
            assertThat(documented.put(row.get("Name"), Integer.parseInt(row.get("Id")))).as(row.get("Name")).isNull();
            assertThat(row.get("Direction")).as("direction of %s", row.get("Name")).isNotBlank();
            assertThat(row.get("Served by")).as("served by of %s", row.get("Name")).isNotBlank();
        }
        Map<String, Integer> code = new TreeMap<>();
        for (MessageType type : MessageType.values()) {
            code.put(type.name(), (int) type.id());
        }
        assertThat(documented).isEqualTo(code);
        assertThat(t.column("Id")).doesNotHaveDuplicates().doesNotContain("0");
    }

    @Test
    void errorCodeTableShouldListExactlyTheErrorCodes() {
        Table t = table("Error codes", "Code", "Name", "Retriable", "Meaning");
        Map<String, String> documented = new TreeMap<>();
        for (Map<String, String> row : t.rows()) {
            String retriable = row.get("Retriable");
            assertThat(retriable).as("Retriable of %s", row.get("Name")).isIn("yes", "no");
            assertThat(row.get("Meaning")).as("meaning of %s", row.get("Name")).isNotBlank();
            assertThat(documented.put(row.get("Name"), row.get("Code") + "/" + retriable)).isNull();
        }
        Map<String, String> code = new TreeMap<>();
        for (ErrorCode e : ErrorCode.values()) {
            code.put(e.name(), e.code() + "/" + (e.retriable() ? "yes" : "no"));
        }
        assertThat(documented).isEqualTo(code);
    }

    @Test
    void frameHeaderTableShouldMatchFrameLayout() throws IllegalAccessException {
        Table t = table("Frame header", "Offset", "Size", "Field", "Rule");
        assertLayout(t, FrameLayout.class, Set.of("BODY"));
        Map<String, String> last = t.rows().get(t.rows().size() - 1);
        assertThat(Integer.parseInt(last.get("Offset"))).isEqualTo(FrameLayout.BODY_OFFSET)
            .isEqualTo(FrameLayout.HEADER_LENGTH);
        assertThat(rule(t, "length")).contains(String.valueOf(FrameLayout.MIN_LENGTH_FIELD))
            .contains(String.valueOf(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
    }

    @Test
    void recordBatchTableShouldMatchRecordBatchLayout() throws IllegalAccessException {
        Table t = table("Record batch", "Offset", "Size", "Field", "Rule");
        assertLayout(t, RecordBatchLayout.class, Set.of("RECORDS"));
        assertThat(rule(t, "batch_length")).contains(String.valueOf(RecordBatchLayout.MIN_BATCH_LENGTH));
        assertThat(rule(t, "magic")).contains(String.valueOf(RecordBatchLayout.MAGIC_V2));
        assertThat(rule(t, "crc")).contains("bytes " + RecordBatchLayout.ATTRIBUTES_OFFSET);
        assertThat(table("Record", "Field", "Type", "Rule").column("Field")).containsExactly("length", "attributes",
            "timestamp_delta", "offset_delta", "key_length", "key", "value_length", "value", "header_count",
            "headers");
    }

    @Test
    void topicConfigTableShouldMatchTopicConfigs() {
        Table t = table("Topic configs", "Key", "Minimum", "Maximum", "Meaning");
        assertThat(t.column("Key")).as("keys, sorted").containsExactlyElementsOf(TopicConfigs.KEYS);
        for (Map<String, String> row : t.rows()) {
            String key = row.get("Key");
            long min = Long.parseLong(row.get("Minimum"));
            long max = Long.parseLong(row.get("Maximum"));
            assertThat(row.get("Meaning")).as("meaning of %s", key).isNotBlank();
            assertThat(TopicConfigs.problem(key, Long.toString(min))).as("%s at its minimum", key).isNull();
            assertThat(TopicConfigs.problem(key, Long.toString(max))).as("%s at its maximum", key).isNull();
            assertThat(TopicConfigs.problem(key, Long.toString(min - 1))).as("%s below its minimum", key)
                .contains(key);
            if (max < Long.MAX_VALUE) {
                assertThat(TopicConfigs.problem(key, Long.toString(max + 1))).as("%s above its maximum", key)
                    .contains(key);
            }
        }
        assertThat(TopicConfigs.problem("no.such.key", "1")).contains("no.such.key");
    }

    @Test
    void fieldTypesShouldStateTheCodecLimits() {
        Table t = table("Field types", "Type", "Bytes", "Encoding");
        assertThat(rowWhere(t, "Type", "string").get("Encoding")).contains(String.valueOf(Codec.MAX_STRING_BYTES));
        assertThat(rowWhere(t, "Type", "T[count]").get("Encoding")).contains(String.valueOf(Codec.MAX_COUNT));
    }

    @Test
    void versionHistoryShouldDescribeTheVersionThisBuildSpeaks() {
        Table t = table("Version history", "Version", "Date", "Changes");
        Map<String, String> latest = t.rows().get(t.rows().size() - 1);
        short max = 0;
        for (MessageType type : MessageType.values()) {
            max = (short) Math.max(max, type.maxVersion());
        }
        assertThat(latest.get("Version")).isEqualTo("v" + max);
        assertThat(t.rows().get(0)).containsEntry("Version", "v1").containsEntry("Date", "2026-11-25");
    }

    // ---- body tables --------------------------------------------------------------------------------------

    @Test
    void everyUpperCaseSectionShouldBeAMessageTypeAndEveryTypeShouldHaveOne() {
        Set<String> bodySections = new TreeSet<>();
        for (String heading : sections.keySet()) {
            if (heading.matches("[A-Z][A-Z_]+")) {
                bodySections.add(heading);
            }
        }
        Set<String> types = Arrays.stream(MessageType.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        assertThat(bodySections).isEqualTo(types);
    }

    @Test
    void errorCodesNamedInBodyTablesShouldExist() {
        Set<String> names = Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toSet());
        Pattern upper = Pattern.compile("\\b[A-Z][A-Z_]{2,}\\b");
        for (MessageType type : MessageType.values()) {
            for (Map<String, String> row : table(type.name(), "Field", "Type", "Rule").rows()) {
                if (row.get("Field").equals("error_code")) {
                    Matcher m = upper.matcher(row.get("Rule"));
                    while (m.find()) {
                        assertThat(names).as("error code in %s", type).contains(m.group());
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void bodyTableShouldParseTheEncodedMessage(MessageType type) throws ReflectiveOperationException {
        long[] seeds = Seeds.seeds(10).toArray();
        for (long seed : seeds) {
            Random random = Seeds.random("WireDocumentTest body " + type, seed);
            Message message = new RandomMessages(random).message(type);
            ByteBuf body = Unpooled.buffer();
            try {
                message.writeBody(body);
                if (message.payload() != null) {
                    body.writeBytes(message.payload(), message.payload().readerIndex(),
                        message.payload().readableBytes());
                }
                Map<String, Object> fromDocument = readStruct(type.name(), body);
                assertThat(body.readableBytes()).as("bytes left after the %s table", type).isZero();
                Map<String, Object> fromCode = toTree((Record) message);
                assertThat(fromDocument.keySet()).as("fields of %s", type).containsExactlyElementsOf(fromCode.keySet());
                assertThat(fromDocument).as("values of %s (seed %s)", type, seed).isEqualTo(fromCode);
            } finally {
                body.release();
                message.release();
            }
        }
    }

    /** Reads one structure as the document's table for {@code section} describes it. */
    private static Map<String, Object> readStruct(String section, ByteBuf in) {
        Table t = table(section, "Field", "Type", "Rule");
        Map<String, Object> values = new LinkedHashMap<>();
        Set<String> counts = new LinkedHashSet<>();
        Pattern array = Pattern.compile("(.+)\\[(\\w+)]");
        for (Map<String, String> row : t.rows()) {
            String field = row.get("Field");
            String type = row.get("Type");
            Matcher m = array.matcher(type);
            if (m.matches()) {
                String countField = m.group(2);
                assertThat(values).as("%s.%s counted by an earlier field", section, field).containsKey(countField);
                int n = (Integer) values.get(countField);
                counts.add(countField);
                if (m.group(1).equals("bytes")) {
                    byte[] bytes = new byte[n];
                    in.readBytes(bytes);
                    values.put(field, ByteBufUtil.hexDump(bytes));
                } else {
                    List<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(readValue(section, field, m.group(1), in));
                    }
                    values.put(field, list);
                }
            } else {
                values.put(field, readValue(section, field, type, in));
            }
        }
        counts.forEach(values::remove); // counts are implied by the lists they count
        return values;
    }

    private static Object readValue(String section, String field, String type, ByteBuf in) {
        switch (type) {
            case "int8":
                return in.readByte();
            case "int16":
                return in.readShort();
            case "int32":
                return in.readInt();
            case "int64":
                return in.readLong();
            case "bool": {
                byte b = in.readByte();
                assertThat(b).as("%s.%s", section, field).isIn((byte) 0, (byte) 1);
                return b == 1;
            }
            case "string":
            case "nullable string": {
                short length = in.readShort();
                if (length == -1) {
                    assertThat(type).as("null in %s.%s", section, field).isEqualTo("nullable string");
                    return null;
                }
                return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
            }
            default:
                assertThat(sections).as("type %s of %s.%s", type, section, field).containsKey(type);
                return readStruct(type, in);
        }
    }

    /** The message as the same tree the document reader builds: snake_case names, codes for errors. */
    private static Map<String, Object> toTree(Record record) throws ReflectiveOperationException {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object value = c.getAccessor().invoke(record);
            String name = snake(c.getName());
            if (value instanceof ErrorCode e) {
                out.put(name + "_code", e.code());
            } else {
                out.put(name, toValue(value));
            }
        }
        return out;
    }

    private static Object toValue(Object value) throws ReflectiveOperationException {
        if (value instanceof Record r) {
            return toTree(r);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(toValue(o));
            }
            return out;
        }
        if (value instanceof ByteBuf b) {
            return ByteBufUtil.hexDump(b);
        }
        if (value instanceof byte[] b) {
            return ByteBufUtil.hexDump(b);
        }
        if (value instanceof Map<?, ?> map) {
            // a config map travels as ConfigEntry[config_count], in the map's (key) order
            List<Object> out = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("key", e.getKey());
                entry.put("value", e.getValue());
                out.add(entry);
            }
            return out;
        }
        return value;
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    /**
     * Each row's offset equals the {@code *_OFFSET} constant of its field and follows the previous row; each size
     * equals the {@code *_LENGTH} constant; and every {@code *_OFFSET} constant of the layout class is documented.
     */
    private static void assertLayout(Table t, Class<?> layout, Set<String> open) throws IllegalAccessException {
        Map<String, Integer> constants = new TreeMap<>();
        for (Field f : layout.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                constants.put(f.getName(), f.getInt(null));
            }
        }
        Set<String> documented = new TreeSet<>();
        int expectedOffset = 0;
        for (Map<String, String> row : t.rows()) {
            String prefix = row.get("Field").toUpperCase(java.util.Locale.ROOT);
            int offset = Integer.parseInt(row.get("Offset"));
            assertThat(offset).as("offset of %s follows the previous field", prefix).isEqualTo(expectedOffset);
            assertThat(constants).as("%s.%s_OFFSET", layout.getSimpleName(), prefix)
                .containsEntry(prefix + "_OFFSET", offset);
            documented.add(prefix + "_OFFSET");
            if (open.contains(prefix)) {
                assertThat(row.get("Size")).isEqualTo("...");
                continue;
            }
            int size = Integer.parseInt(row.get("Size"));
            assertThat(constants).as("%s.%s_LENGTH", layout.getSimpleName(), prefix)
                .containsEntry(prefix + "_LENGTH", size);
            expectedOffset = offset + size;
        }
        Set<String> offsetConstants = constants.keySet().stream().filter(n -> n.endsWith("_OFFSET"))
            .collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).isEqualTo(offsetConstants);
    }

    private static String rule(Table t, String field) {
        return rowWhere(t, "Field", field).get("Rule");
    }

    private static Map<String, String> rowWhere(Table t, String column, String value) {
        return t.rows().stream().filter(r -> value.equals(r.get(column))).findFirst()
            .orElseThrow(() -> new AssertionError("no row with " + column + " = " + value));
    }

    /** The first table of a section, checked to have exactly these columns. */
    private static Table table(String section, String... columns) {
        List<Table> tables = sections.get(section);
        assertThat(tables).as("tables of section '%s' in WIRE.md", section).isNotNull().isNotEmpty();
        Table t = tables.get(0);
        assertThat(t.header()).as("columns of '%s'", section).containsExactly(columns);
        assertThat(t.rows()).as("rows of '%s'", section).isNotEmpty();
        return t;
    }

    private static Map<String, List<Table>> parseMarkdown(List<String> lines) {
        Map<String, List<Table>> out = new LinkedHashMap<>();
        String heading = "";
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i).trim();
            if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "").trim();
                assertThat(out).as("duplicate heading '%s'", heading).doesNotContainKey(heading);
                out.put(heading, new ArrayList<>());
                i++;
            } else if (line.startsWith("|")) {
                List<String> block = new ArrayList<>();
                while (i < lines.size() && lines.get(i).trim().startsWith("|")) {
                    block.add(lines.get(i).trim());
                    i++;
                }
                out.computeIfAbsent(heading, h -> new ArrayList<>()).add(toTable(heading, block));
            } else {
                i++;
            }
        }
        return out;
    }

    private static Table toTable(String heading, List<String> block) {
        List<String> header = cells(block.get(0));
        assertThat(block.get(1)).as("separator of a table in '%s'", heading).matches("\\|(\\s*:?-+:?\\s*\\|)+");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : block.subList(2, block.size())) {
            List<String> cells = cells(line);
            assertThat(cells).as("cells of '%s' in '%s'", line, heading).hasSameSizeAs(header);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.size(); c++) {
                row.put(header.get(c), cells.get(c));
            }
            rows.add(row);
        }
        return new Table(header, rows);
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.length() - (line.endsWith("|") ? 1 : 0));
        return Arrays.stream(inner.split("\\|", -1)).map(c -> c.replace("`", "").trim()).collect(Collectors.toList());
    }
}
