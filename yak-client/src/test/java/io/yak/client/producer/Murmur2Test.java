package io.yak.client.producer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class Murmur2Test {
    /** Apache Kafka's own test vectors (UtilsTest.testMurmur2). */
    @ParameterizedTest
    @CsvSource({
        "21, -973932308",
        "foobar, -790332482",
        "a-little-bit-long-string, -985981536",
        "a-little-bit-longer-string, -1486304829",
        "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8, -58897971",
        "abc, 479470107"
    })
    void shouldMatchKafkaTestVectors(String key, int expected) {
        assertThat(Murmur2.hash(key.getBytes(UTF_8))).isEqualTo(expected);
    }

    @Test
    void shouldHashEmptyKey() {
        // seed ^ 0, no tail, then the final mix: a fixed, stable value
        assertThat(Murmur2.hash(new byte[0])).isEqualTo(Murmur2.hash(new byte[0]));
        assertThat(Murmur2.partitionForKey(new byte[0], 7)).isBetween(0, 6);
    }

    @Test
    void shouldMakePartitionsNonNegativeLikeKafka() {
        assertThat(Murmur2.toPositive(Integer.MIN_VALUE)).isZero();
        assertThat(Murmur2.toPositive(-1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(Murmur2.toPositive(-973932308)).isEqualTo(-973932308 & 0x7fffffff);
        // Kafka: Utils.toPositive(Utils.murmur2("21")) % 4
        assertThat(Murmur2.partitionForKey("21".getBytes(UTF_8), 4)).isEqualTo((-973932308 & 0x7fffffff) % 4);
    }
}
