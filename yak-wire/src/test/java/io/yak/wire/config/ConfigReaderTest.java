package io.yak.wire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every config error names the source and the key; unknown keys stop the process. */
class ConfigReaderTest {
    private static ConfigReader reader(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return new ConfigReader(p, "test.properties");
    }

    @Test
    void shouldReadTypedValuesAndDefaults() {
        ConfigReader r = reader("name", "  broker-1 ", "port", "9092", "big", "10000000000", "flag", "TRUE",
            "addr", "localhost:7000", "dir", "/tmp/yak");
        assertThat(r.string("name", "x")).isEqualTo("broker-1");
        assertThat(r.string("absent", "fallback")).isEqualTo("fallback");
        assertThat(r.requiredString("name")).isEqualTo("broker-1");
        assertThat(r.intValue("port", 1, 0, 65535)).isEqualTo(9092);
        assertThat(r.intValue("absent.int", 17, 0, 100)).isEqualTo(17);
        assertThat(r.longValue("big", 0, 0, Long.MAX_VALUE)).isEqualTo(10_000_000_000L);
        assertThat(r.requiredInt("port", 0, 65535)).isEqualTo(9092);
        assertThat(r.requiredLong("big", 0, Long.MAX_VALUE)).isEqualTo(10_000_000_000L);
        assertThat(r.bool("flag", false)).isTrue();
        assertThat(r.bool("absent.bool", true)).isTrue();
        assertThat(r.hostPort("addr", null)).isEqualTo(new HostPort("localhost", 7000));
        assertThat(r.hostPort("absent.addr", new HostPort("h", 1))).isEqualTo(new HostPort("h", 1));
        assertThat(r.path("dir", null)).isEqualTo(Path.of("/tmp/yak"));
        assertThat(r.path("absent.dir", Path.of("d"))).isEqualTo(Path.of("d"));
        assertThat(r.has("name")).isTrue();
        assertThat(r.has("nope")).isFalse();
        assertThat(r.source()).isEqualTo("test.properties");
        r.finish();
    }

    @Test
    void shouldRejectUnknownKeysNamingThem() {
        ConfigReader r = reader("port", "1", "prot", "2");
        r.intValue("port", 0, 0, 10);
        assertThatThrownBy(r::finish).isInstanceOf(ConfigException.class)
            .hasMessageContaining("test.properties").hasMessageContaining("unknown key").hasMessageContaining("prot");

        ConfigReader two = reader("a", "1", "b", "2");
        assertThatThrownBy(two::finish).hasMessageContaining("unknown keys").hasMessageContaining("[a, b]");
    }

    @Test
    void shouldCountAKeyAsKnownOnceReadEvenWhenHasWasAskedFirst() {
        ConfigReader r = reader("x", "1");
        assertThat(r.has("x")).isTrue();
        assertThatThrownBy(r::finish).hasMessageContaining("x");
        r.string("x", null);
        r.finish();
    }

    @Test
    void shouldNameAMissingRequiredKey() {
        assertThatThrownBy(() -> reader().requiredString("broker.id")).isInstanceOf(ConfigException.class)
            .hasMessageContaining("test.properties").hasMessageContaining("missing required key 'broker.id'");
        assertThatThrownBy(() -> reader("broker.id", "  ").requiredInt("broker.id", 0, 10))
            .hasMessageContaining("'broker.id'");
        assertThatThrownBy(() -> reader().requiredLong("segment.bytes", 0, 10))
            .hasMessageContaining("'segment.bytes'");
        assertThatThrownBy(() -> reader().hostPort("coordinator", null))
            .hasMessageContaining("missing required key 'coordinator'");
        assertThatThrownBy(() -> reader().path("data.dir", null))
            .hasMessageContaining("missing required key 'data.dir'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "", "0x10", "99999999999999999999"})
    void shouldNameAKeyWithABadNumber(String value) {
        assertThatThrownBy(() -> reader("num.partitions", value).intValue("num.partitions", 1, 1, 1000))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'num.partitions'")
            .hasMessageContaining("'" + value.trim() + "'");
    }

    @Test
    void shouldEnforceRangesNamingKeyValueAndBounds() {
        assertThatThrownBy(() -> reader("port", "70000").intValue("port", 0, 0, 65535))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'port' = 70000 outside 0..65535");
        assertThatThrownBy(() -> reader("port", "-1").intValue("port", 0, 0, 65535))
            .hasMessageContaining("'port' = -1 outside 0..65535");
        assertThatThrownBy(() -> reader("n", "3000000000").intValue("n", 0, 0, Integer.MAX_VALUE))
            .hasMessageContaining("'n' = 3000000000 outside");
        assertThat(reader("n", "0").intValue("n", 5, 0, 0)).isZero();
        assertThat(reader("n", "-9223372036854775808").longValue("n", 0, Long.MIN_VALUE, 0)).isEqualTo(Long.MIN_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "1", "tru", "on"})
    void shouldNameAKeyWithABadBoolean(String value) {
        assertThatThrownBy(() -> reader("auto.create.topics", value).bool("auto.create.topics", false))
            .isInstanceOf(ConfigException.class).hasMessageContaining("'auto.create.topics'")
            .hasMessageContaining("true or false").hasMessageContaining(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", ":9092", "localhost:", "host:port", "host:70000", "host:-1", " :1",
        "127.0.0.1:7000,127.0.0.1:7001", "a:1 b:2"})
    void shouldNameAKeyWithABadHostPort(String value) {
        assertThatThrownBy(() -> reader("coordinator", value).hostPort("coordinator", null))
            .isInstanceOf(ConfigException.class).hasMessageContaining("test.properties")
            .hasMessageContaining("'coordinator'");
    }

    @Test
    void shouldParseHostPorts() {
        assertThat(HostPort.parse("127.0.0.1:0")).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(HostPort.parse(" example.org : 65535 ")).isEqualTo(new HostPort("example.org", 65535));
        assertThat(HostPort.parse("[::1]:9092")).isEqualTo(new HostPort("[::1]", 9092));
        assertThat(new HostPort("h", 5).toString()).isEqualTo("h:5");
        assertThatThrownBy(() -> HostPort.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostPort.parse("h:x")).hasMessageContaining("'h:x'");
        assertThatThrownBy(() -> HostPort.parse("a:1,b:2")).hasMessageContaining("not one host:port");
        assertThatThrownBy(() -> new HostPort("", 1)).hasMessageContaining("empty host");
    }

    @Test
    void shouldAddDefaultsWithoutOverridingTheFileAndKeepWhatWasRead() {
        ConfigReader r = reader("a", "1", "b", "2");
        r.string("a", null);
        ConfigReader withDefaults = r.withDefault("b", "9").withDefault("c", "3");
        assertThat(withDefaults.string("b", null)).isEqualTo("2");
        assertThat(withDefaults.string("c", null)).isEqualTo("3");
        withDefaults.finish();
        assertThat(r.has("c")).isFalse();
    }

    @Test
    void shouldLoadAUtf8FileAndNameItInErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, "# comment\nclient.id = prodüction\nbatch.size=abc\n", StandardCharsets.UTF_8);
        ConfigReader r = ConfigReader.load(file);
        assertThat(r.source()).isEqualTo(file.toString());
        assertThat(r.string("client.id", null)).isEqualTo("prodüction");
        assertThatThrownBy(() -> r.intValue("batch.size", 1, 1, 10)).hasMessageContaining(file.toString())
            .hasMessageContaining("'batch.size'");
    }

    @Test
    void shouldNameAFileThatCannotBeRead(@TempDir Path dir) {
        Path missing = dir.resolve("missing.properties");
        assertThatThrownBy(() -> ConfigReader.load(missing)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("cannot read config file").hasMessageContaining(missing.toString());
    }
}
