package io.yak.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The module rule of STYLE.md section 1: yak-broker may use yak-coordinator only from io.yak.broker.standalone,
 * and inside the broker, logic and storage packages import no Netty channel types (dependencies point inward).
 */
class BoundaryTest {
    private static final Path MAIN = Path.of("src/main/java/io/yak/broker");

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.walk(MAIN)) {
            return s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
    }

    @Test
    void shouldUseCoordinatorOnlyFromStandalone() throws IOException {
        List<Path> offenders = sources().stream()
            .filter(p -> !p.startsWith(MAIN.resolve("standalone")))
            .filter(p -> contains(p, "import io.yak.coordinator"))
            .toList();
        assertThat(offenders).as("files outside io.yak.broker.standalone importing yak-coordinator").isEmpty();
        assertThat(sources()).anyMatch(p -> contains(p, "import io.yak.coordinator"));
    }

    @Test
    void shouldKeepChannelsOutOfLogicAndStorage() throws IOException {
        List<Path> offenders = sources().stream()
            .filter(p -> p.startsWith(MAIN.resolve("log")) || p.startsWith(MAIN.resolve("partition")))
            .filter(p -> contains(p, "import io.netty.channel"))
            .toList();
        assertThat(offenders).as("log/partition files importing Netty channel types").isEmpty();
    }

    private static boolean contains(Path p, String text) {
        try {
            return Files.readString(p).contains(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
