package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldWriteNestedDocumentsThatAParserReadsBack() throws Exception {
        String doc = new JsonWriter().beginObject()
            .field("text", "quote \" backslash \\ newline \n tab \t bell \u0007 µs")
            .field("long", Long.MAX_VALUE)
            .field("double", 0.125)
            .field("whole", 3.0)
            .field("nan", Double.NaN)
            .field("infinite", Double.POSITIVE_INFINITY)
            .field("flag", true)
            .field("missing", (String) null)
            .name("empty").beginArray().endArray()
            .name("emptyObject").beginObject().endObject()
            .name("list").beginArray().value(1).beginObject().field("a", "b").endObject().nullValue().endArray()
            .endObject().toJson();
        JsonNode n = JSON.readTree(doc);
        assertThat(n.get("text").asText()).isEqualTo("quote \" backslash \\ newline \n tab \t bell \u0007 µs");
        assertThat(n.get("long").asLong()).isEqualTo(Long.MAX_VALUE);
        assertThat(n.get("double").asDouble()).isEqualTo(0.125);
        assertThat(n.get("whole").asDouble()).isEqualTo(3.0);
        assertThat(n.get("nan").isNull()).isTrue();
        assertThat(n.get("infinite").isNull()).isTrue();
        assertThat(n.get("flag").asBoolean()).isTrue();
        assertThat(n.get("missing").isNull()).isTrue();
        assertThat(n.get("empty")).isEmpty();
        assertThat(n.get("emptyObject")).isEmpty();
        assertThat(n.get("list")).hasSize(3);
        assertThat(n.get("list").get(1).get("a").asText()).isEqualTo("b");
    }

    @Test
    void shouldRefuseAnUnfinishedDocument() {
        assertThatThrownBy(() -> new JsonWriter().beginObject().toJson()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("still open");
    }
}
