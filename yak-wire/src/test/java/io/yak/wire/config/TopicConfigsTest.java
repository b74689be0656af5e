package io.yak.wire.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicConfigsTest {
    @ParameterizedTest
    @CsvSource({
        "retention.ms, -1", "retention.ms, 0", "retention.ms, 604800000", "retention.bytes, -1",
        "retention.bytes, 9223372036854775807", "segment.bytes, 4096", "segment.bytes, 2147483647",
        "segment.ms, 1", "flush.messages, 1", "flush.ms, 1000"})
    void shouldAcceptValuesInRange(String key, String value) {
        assertThat(TopicConfigs.problem(key, value)).isNull();
        assertThat(TopicConfigs.problem(Map.of(key, value))).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "retention.ms, -2", "retention.bytes, -2", "segment.bytes, 4095", "segment.bytes, 2147483648",
        "segment.ms, 0", "flush.messages, 0", "flush.ms, -1"})
    void shouldRejectValuesOutOfRangeNamingKeyAndValue(String key, String value) {
        assertThat(TopicConfigs.problem(key, value)).contains(key).contains(value).contains("outside");
    }

    @ParameterizedTest
    @CsvSource(value = {
        "retention.ms|abc", "retention.ms|''", "retention.ms|+5", "retention.ms|007", "retention.ms|' 5'",
        "segment.bytes|1e6", "flush.ms|9223372036854775808", "flush.ms|1.5"}, delimiter = '|')
    void shouldRejectTextThatIsNotAPlainDecimalInteger(String key, String value) {
        assertThat(TopicConfigs.problem(key, value)).as("%s='%s'", key, value).contains(key)
            .contains("'" + value + "'")
            .contains("decimal integer");
    }

    @Test
    void shouldRejectUnknownAndNullKeysAndNullValues() {
        assertThat(TopicConfigs.problem("cleanup.policy", "compact")).contains("unknown topic config 'cleanup.policy'")
            .contains("compact").contains("retention.ms");
        assertThat(TopicConfigs.problem(null, "1")).contains("unknown topic config 'null'");
        assertThat(TopicConfigs.problem("flush.ms", null)).contains("flush.ms='null'");
    }

    @Test
    void shouldReportTheFirstProblemInKeyOrder() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("segment.bytes", "1");
        configs.put("flush.ms", "0");
        configs.put("retention.ms", "100");
        assertThat(TopicConfigs.problem(configs)).contains("flush.ms=0");
        assertThat(TopicConfigs.problem(Map.of())).isNull();
    }

    @Test
    void shouldListTheKeysSorted() {
        assertThat(TopicConfigs.KEYS).containsExactly("flush.messages", "flush.ms", "min.insync.replicas", "retention.bytes", "retention.ms",
            "segment.bytes", "segment.ms");
    }
}
