package io.yak.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The startup line shows the settings with the keys users write, and limits that are off as such. */
class BrokerConfigTest {
    private static BrokerConfig from(String... keyValues) {
        Properties p = new Properties();
        p.setProperty("broker.id", "4");
        p.setProperty("data.dir", "/var/yak");
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return BrokerConfig.from(new ConfigReader(p, "test.properties"));
    }

    @Test
    void shouldDescribeDefaultsWithConfigKeysAndNoMaxValues() {
        String line = from().describe();

        assertThat(line).contains("broker.id=4", "listen=127.0.0.1:9092", "coordinator=127.0.0.1:7000",
            "data.dir=/var/yak", "flush.messages=never", "flush.ms=never", "segment.bytes=67108864",
            "retention.ms=604800000", "retention.bytes=-1 (no limit)", "retention.check.interval.ms=300000",
            "log.message.timestamp.after.max.ms=3600000")
            .doesNotContain(Long.toString(Long.MAX_VALUE), "flushMessages", "LogConfig[");
    }

    @Test
    void shouldDescribeSetValuesAsWritten() {
        String line = from("flush.messages", "10000", "flush.ms", "1000", "retention.bytes", "1048576").describe();

        assertThat(line).contains("flush.messages=10000", "flush.ms=1000", "retention.bytes=1048576");
    }

    @Test
    void shouldReadTheTimestampLimitAsKafkaNamesItAndRefuseANegativeOne() {
        assertThat(from().timestampAfterMaxMs()).isEqualTo(3_600_000);
        assertThat(from("log.message.timestamp.after.max.ms", "60000").timestampAfterMaxMs()).isEqualTo(60_000);
        BrokerConfig off = from("log.message.timestamp.after.max.ms", Long.toString(Long.MAX_VALUE));
        assertThat(off.describe()).contains("log.message.timestamp.after.max.ms=no limit");
        assertThatThrownBy(() -> from("log.message.timestamp.after.max.ms", "-1"))
            .hasMessageContaining("log.message.timestamp.after.max.ms");
    }

    @Test
    void shouldSendMinInsyncReplicasToTheCoordinatorsFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("broker.properties");
        Files.writeString(file, "broker.id=1\ndata.dir=d\nmin.insync.replicas=2\n");

        assertThatThrownBy(() -> BrokerConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("'min.insync.replicas' is a cluster setting")
            .hasMessageContaining("coordinator's file");
    }
}
