package io.yak.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.config.ConfigReader;
import java.util.Properties;
import org.junit.jupiter.api.Test;

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
            "retention.ms=604800000", "retention.bytes=-1 (no limit)", "retention.check.interval.ms=300000")
            .doesNotContain(Long.toString(Long.MAX_VALUE), "flushMessages", "LogConfig[");
    }

    @Test
    void shouldDescribeSetValuesAsWritten() {
        String line = from("flush.messages", "10000", "flush.ms", "1000", "retention.bytes", "1048576").describe();

        assertThat(line).contains("flush.messages=10000", "flush.ms=1000", "retention.bytes=1048576");
    }
}
