package io.yak.wire.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void shouldReturnPlainTextUnchanged() {
        String plain = "orders-0 client-1 127.0.0.1";
        assertThat(LogText.safe(plain)).isSameAs(plain);
    }

    @Test
    void shouldEscapeNewlinesSoNoLineCanBeForged() {
        String hostile = "t\n2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE";
        String safe = LogText.safe(hostile);
        assertThat(safe).doesNotContain("\n").startsWith("t\\n2026-12-07");
    }

    @Test
    void shouldEscapeControlCharactersAndBackslashes() {
        assertThat(LogText.safe("a\u0007b\rc\td\\n\u007f\u0085\u2028\u202e"))
            .isEqualTo("a\\u0007b\\rc\\td\\\\n\\u007f\\u0085\\u2028\\u202e");
    }

    @Test
    void shouldCutLongTextAndSayHowMuchWasLeftOut() {
        String safe = LogText.safe("x".repeat(LogText.MAX_CHARS + 10));
        assertThat(safe).isEqualTo("x".repeat(LogText.MAX_CHARS) + "...(10 more chars)");
    }

    @Test
    void shouldShowNullAsNull() {
        assertThat(LogText.safe(null)).isEqualTo("null");
    }
}
