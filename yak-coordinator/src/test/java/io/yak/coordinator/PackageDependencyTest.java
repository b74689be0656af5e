package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * STYLE.md section 1 as a build check: dependencies point inward (net -> cluster -> store, net -> group), logic
 * packages import no Netty (nor, for the groups, wire messages), and the coordinator never depends on the broker or
 * client modules.
 */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src/main/java/io/yak/coordinator");

    private static List<String> violations(Path dir, String forbiddenImport) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("import " + forbiddenImport) || line.startsWith("import static "
                        + forbiddenImport)) {
                        found.add(f + ": " + line);
                    }
                }
            }
        }
        return found;
    }

    @ParameterizedTest
    @CsvSource({
        "cluster, io.netty",
        "cluster, io.yak.coordinator.net",
        "store, io.netty",
        "store, io.yak.coordinator.net",
        "store, io.yak.coordinator.cluster",
        "store, io.yak.wire",
        "group, io.netty",
        "group, io.yak.coordinator.net",
        "group, io.yak.coordinator.store",
        "group, io.yak.coordinator.cluster",
        "group, io.yak.wire.message",
        ".,  io.yak.broker",
        ".,  io.yak.client",
        ".,  io.yak.bench"})
    void shouldNotImport(String pkg, String forbidden) throws IOException {
        Path dir = MAIN.resolve(pkg);
        assertThat(Files.isDirectory(dir)).as(dir.toAbsolutePath().toString()).isTrue();

        assertThat(violations(dir, forbidden)).isEmpty();
    }
}
