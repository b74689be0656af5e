package io.yak.wire.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicNamesTest {
    /** Kafka's rule, written as Kafka writes it: the hand-written check must agree with it. */
    private static final Pattern KAFKA = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    @ParameterizedTest
    @ValueSource(strings = {"orders", "a", "A.b_c-9", "...", ".a", "..a", "__consumer_offsets"})
    void shouldAcceptKafkaTopicNames(String name) {
        assertThat(TopicNames.isValid(name)).isTrue();
    }

    @Test
    void shouldAcceptTheLongestNameAndRefuseOneLonger() {
        assertThat(TopicNames.isValid("x".repeat(TopicNames.MAX_LENGTH))).isTrue();
        assertThat(TopicNames.isValid("x".repeat(TopicNames.MAX_LENGTH + 1))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a b", "a/b", "../etc", "a\\b", "é", "t\u0000", "t\r", "a:b", "a\u2028b",
        "t\n2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE"})
    void shouldRefuseWhatCannotBeATopicName(String name) {
        assertThat(TopicNames.isValid(name)).as("'%s'", name).isFalse();
    }

    @Test
    void shouldRefuseNull() {
        assertThat(TopicNames.isValid(null)).isFalse();
    }

    @Test
    void shouldAgreeWithKafkasPatternOnRandomNames() {
        long seed = System.nanoTime();
        System.out.println("TopicNamesTest seed " + seed);
        Random random = new Random(seed);
        String alphabet = "aZ09._-/ \n\\:\u00e9\u0007";
        for (int i = 0; i < 20_000; i++) {
            int length = random.nextInt(4) == 0 ? 240 + random.nextInt(20) : random.nextInt(6);
            StringBuilder sb = new StringBuilder(length);
            boolean plain = random.nextBoolean();
            for (int j = 0; j < length; j++) {
                sb.append(alphabet.charAt(random.nextInt(plain ? 7 : alphabet.length())));
            }
            String name = sb.toString();
            boolean expected = KAFKA.matcher(name).matches() && !name.equals(".") && !name.equals("..");
            assertThat(TopicNames.isValid(name)).as("'%s' (seed %d)", name, seed).isEqualTo(expected);
        }
    }
}
