package io.yak.wire.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ServerLimitsTest {
    @Test
    void shouldReadTheConnectionKeysWithKafkaLikeDefaults() {
        ServerLimits defaults = ServerLimits.from(reader(new Properties()), 1 << 20);
        assertThat(defaults).isEqualTo(new ServerLimits(1 << 20, 64L << 20, 30_000, 30_000));

        Properties p = new Properties();
        p.setProperty("queued.max.request.bytes", "16777216");
        p.setProperty("request.read.timeout.ms", "5000");
        p.setProperty("response.write.timeout.ms", "7000");
        assertThat(ServerLimits.from(reader(p), 1 << 20)).isEqualTo(new ServerLimits(1 << 20, 16 << 20, 5000, 7000));
    }

    @Test
    void shouldStopAtABadValueNamingTheKey() {
        for (String[] bad : new String[][] {{"queued.max.request.bytes", "0"}, {"queued.max.request.bytes", "x"},
            {"request.read.timeout.ms", "-1"}, {"response.write.timeout.ms", "99"}}) {
            Properties p = new Properties();
            p.setProperty(bad[0], bad[1]);
            assertThatThrownBy(() -> ServerLimits.from(reader(p), 1 << 20)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(bad[0]);
        }
    }

    private static ConfigReader reader(Properties p) {
        return new ConfigReader(p, "test.properties");
    }
}
