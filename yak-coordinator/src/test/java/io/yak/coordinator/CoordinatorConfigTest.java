package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.cluster.ReplicationSettings;
import io.yak.coordinator.group.GroupSettings;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CoordinatorConfigTest {
    @TempDir
    Path dir;

    private Path write(String content) throws IOException {
        Path file = dir.resolve("coordinator.properties");
        Files.writeString(file, content);
        return file;
    }

    @Test
    void shouldApplyDefaults() throws IOException {
        CoordinatorConfig c = CoordinatorConfig.load(write("data.dir=/var/yak\n"));

        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 7000));
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/yak"));
        assertThat(c.heartbeatTimeoutMs()).isEqualTo(6000);
        assertThat(c.autoCreateTopics()).isTrue();
        assertThat(c.numPartitions()).isEqualTo(3);
        assertThat(c.maxFrameBytes()).isEqualTo(FrameLayout.DEFAULT_MAX_FRAME_BYTES);
        assertThat(c.livenessCheckIntervalMs()).isEqualTo(500);
        assertThat(c.brokerIds()).isEqualTo(BrokerIds.ANY);
        assertThat(c.deadBrokerForgetMs()).isEqualTo(3_600_000);
        assertThat(c.groups()).isEqualTo(new GroupSettings(100, 6_000, 1_800_000)).isEqualTo(GroupSettings.DEFAULTS);
    }

    @Test
    void shouldReadEveryKey() throws IOException {
        CoordinatorConfig c = CoordinatorConfig.load(write("""
            listen=0.0.0.0:7100
            data.dir=data/c
            heartbeat.timeout.ms=300
            auto.create.topics=false
            num.partitions=12
            max.frame.bytes=65536
            broker.ids=1, 2, 5-9
            dead.broker.forget.ms=-1
            """));

        assertThat(c).isEqualTo(new CoordinatorConfig(new HostPort("0.0.0.0", 7100), Path.of("data/c"), 300, false,
            12, 65536, BrokerIds.parse("1-2,5-9"), CoordinatorConfig.FORGET_NEVER));
        assertThat(c.livenessCheckIntervalMs()).isEqualTo(75);
    }

    @Test
    void shouldRejectUnknownKeyNamingIt() throws IOException {
        Path file = write("data.dir=d\nheartbeat.timeout=5000\n");

        assertThatThrownBy(() -> CoordinatorConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("heartbeat.timeout");
    }

    @Test
    void shouldRejectMissingDataDir() throws IOException {
        Path file = write("listen=127.0.0.1:7000\n");

        assertThatThrownBy(() -> CoordinatorConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("data.dir");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "heartbeat.timeout.ms|99",
        "heartbeat.timeout.ms|600001",
        "heartbeat.timeout.ms|soon",
        "num.partitions|0",
        "num.partitions|10001",
        "auto.create.topics|maybe",
        "listen|localhost",
        "listen|localhost:99999",
        "max.frame.bytes|100",
        "max.frame.bytes|big",
        "broker.ids|1-x",
        "broker.ids|3-1",
        "broker.ids|-1",
        "broker.ids|1,,2",
        "broker.ids|1;2",
        "broker.ids|2147483648",
        "dead.broker.forget.ms|-2",
        "dead.broker.forget.ms|soon",
        "dead.broker.forget.ms|31536000001",
        "default.replication.factor|0",
        "default.replication.factor|32768",
        "unclean.leader.election.enable|maybe",
        "auto.leader.rebalance.enable|1",
        "leader.imbalance.check.interval.ms|0",
        "min.insync.replicas|0",
        "group.initial.rebalance.delay.ms|-1",
        "group.initial.rebalance.delay.ms|300001",
        "group.initial.rebalance.delay.ms|soon",
        "group.min.session.timeout.ms|0",
        "group.min.session.timeout.ms|86400001",
        "group.max.session.timeout.ms|0",
        "group.max.session.timeout.ms|86400001",
        "group.max.session.timeout.ms|5999"})
    void shouldRejectBadValueNamingTheKey(String key, String value) throws IOException {
        Path file = write("data.dir=d\n" + key + "=" + value + "\n");

        assertThatThrownBy(() -> CoordinatorConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining(key);
    }

    @Test
    void shouldReadTheReplicationKeysWithKafkasDefaultsButOneReplica() throws IOException {
        CoordinatorConfig defaults = CoordinatorConfig.load(write("data.dir=d\n"));
        CoordinatorConfig set = CoordinatorConfig.load(write("data.dir=d\ndefault.replication.factor=3\n"
            + "unclean.leader.election.enable=true\nauto.leader.rebalance.enable=false\n"
            + "leader.imbalance.check.interval.ms=50\nmin.insync.replicas=2\n"));

        assertThat(defaults.replication()).isEqualTo(new ReplicationSettings(1, false, true, 30_000, 1));
        assertThat(set.replication()).isEqualTo(new ReplicationSettings(3, true, false, 50, 2));
        assertThat(defaults.withReplication(set.replication())).isEqualTo(new CoordinatorConfig(defaults.listen(),
            defaults.dataDir(), defaults.heartbeatTimeoutMs(), defaults.autoCreateTopics(), defaults.numPartitions(),
            defaults.limits(), defaults.brokerIds(), defaults.deadBrokerForgetMs(), set.replication()));
    }

    @Test
    void shouldReadTheConsumerGroupKeysWithKafkasSessionBoundsAndAShorterInitialDelay() throws IOException {
        CoordinatorConfig set = CoordinatorConfig.load(write("data.dir=d\ngroup.initial.rebalance.delay.ms=0\n"
            + "group.min.session.timeout.ms=200\ngroup.max.session.timeout.ms=200\n"));

        assertThat(set.groups()).isEqualTo(new GroupSettings(0, 200, 200));
        CoordinatorConfig defaults = CoordinatorConfig.load(write("data.dir=d\n"));
        assertThat(defaults.withGroups(set.groups())).isEqualTo(new CoordinatorConfig(defaults.listen(),
            defaults.dataDir(), defaults.heartbeatTimeoutMs(), defaults.autoCreateTopics(), defaults.numPartitions(),
            defaults.limits(), defaults.brokerIds(), defaults.deadBrokerForgetMs(), defaults.replication(),
            set.groups()));
        assertThat(defaults.withGroups(set.groups()).withReplication(ReplicationSettings.DEFAULTS).groups())
            .as("kept by withReplication").isEqualTo(set.groups());
    }

    @Test
    void shouldNameBothKeysWhenTheMinimumSessionTimeoutExceedsTheMaximum() throws IOException {
        Path file = write("data.dir=d\ngroup.min.session.timeout.ms=9000\ngroup.max.session.timeout.ms=8000\n");

        assertThatThrownBy(() -> CoordinatorConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("coordinator.properties").hasMessageContaining("group.min.session.timeout.ms")
            .hasMessageContaining("group.max.session.timeout.ms");
        assertThatThrownBy(() -> new GroupSettings(500, 9000, 8000)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("group.max.session.timeout.ms");
    }

    /** Every key the coordinator reads is shown, commented, in the shipped files and the README's table. */
    @ParameterizedTest
    @CsvSource({"group.initial.rebalance.delay.ms, 100", "group.min.session.timeout.ms, 6000",
        "group.max.session.timeout.ms, 1800000", "group.max.size, 10000"})
    void shouldDocumentTheConsumerGroupKeysWithTheirDefaults(String key, String defaultValue) throws IOException {
        for (String conf : List.of("../conf/coordinator.properties", "../conf/standalone.properties")) {
            assertThat(Files.readAllLines(Path.of(conf))).as(conf).contains(key + "=" + defaultValue);
        }
        assertThat(Files.readAllLines(Path.of("../README.md")))
            .anySatisfy(line -> assertThat(line).startsWith("| ").contains("`" + key + "`").contains(defaultValue));
    }

    @Test
    void shouldLeaveOtherKeysToTheCallerInFrom() {
        Properties p = new Properties();
        p.setProperty("data.dir", "d");
        p.setProperty("broker.id", "1");
        ConfigReader r = new ConfigReader(p, "standalone.properties");

        CoordinatorConfig c = CoordinatorConfig.from(r);

        assertThat(c.dataDir()).isEqualTo(Path.of("d"));
        assertThatThrownBy(r::finish).isInstanceOf(ConfigException.class).hasMessageContaining("broker.id");
    }

    @Test
    void shouldValidateWhenBuiltInCode() {
        Path d = Path.of("d");
        HostPort l = CoordinatorConfig.DEFAULT_LISTEN;
        assertThatThrownBy(() -> new CoordinatorConfig(l, null, 6000, true, 3, 1 << 20))
            .isInstanceOf(ConfigException.class).hasMessageContaining("data.dir");
        assertThatThrownBy(() -> new CoordinatorConfig(l, d, 50, true, 3, 1 << 20))
            .isInstanceOf(ConfigException.class).hasMessageContaining("heartbeat.timeout.ms");
        assertThatThrownBy(() -> new CoordinatorConfig(l, d, 6000, true, 0, 1 << 20))
            .isInstanceOf(ConfigException.class).hasMessageContaining("num.partitions");
        assertThatThrownBy(() -> new CoordinatorConfig(l, d, 6000, true, 3, 10))
            .isInstanceOf(ConfigException.class).hasMessageContaining("max.frame.bytes");
        assertThatThrownBy(() -> new CoordinatorConfig(null, d, 6000, true, 3, 1 << 20))
            .isInstanceOf(ConfigException.class).hasMessageContaining("listen");
        assertThatThrownBy(() -> new CoordinatorConfig(l, d, 6000, true, 3, 1 << 20, null, 1000))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.ids");
        assertThatThrownBy(() -> new CoordinatorConfig(l, d, 6000, true, 3, 1 << 20, BrokerIds.ANY, -5))
            .isInstanceOf(ConfigException.class).hasMessageContaining("dead.broker.forget.ms");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"1-3|1-3", "3|3", "1,2,5-9|1-2,5-9", " 7 , 1-2 |1-2,7", "0-4,3-9|0-9"})
    void shouldParseBrokerIdsListsAndRanges(String value, String canonical) throws IOException {
        CoordinatorConfig c = CoordinatorConfig.load(write("data.dir=d\nbroker.ids=" + value + "\n"));

        assertThat(c.brokerIds()).hasToString(canonical);
        assertThat(c.brokerIds().isAny()).isFalse();
    }

    @Test
    void shouldTakeAnEmptyBrokerIdsAsUnset() throws IOException {
        assertThat(CoordinatorConfig.load(write("data.dir=d\nbroker.ids=\n")).brokerIds()).isEqualTo(BrokerIds.ANY);
    }

    @Test
    void shouldNameTheBadElementOfBrokerIds() throws IOException {
        Path file = write("data.dir=d\nbroker.ids=1,2,x-4\n");

        assertThatThrownBy(() -> CoordinatorConfig.load(file)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("broker.ids").hasMessageContaining("'x-4'");
    }

    @Test
    void shouldDefaultTheStandaloneBrokerIdsToItsOwnBrokerAndRefuseAListWithoutIt() {
        Properties none = new Properties();
        assertThat(CoordinatorConfig.brokerIdsIncluding(new ConfigReader(none, "s.properties"), 4))
            .isEqualTo(BrokerIds.of(4));
        Properties with = new Properties();
        with.setProperty("broker.ids", "1-5");
        assertThat(CoordinatorConfig.brokerIdsIncluding(new ConfigReader(with, "s.properties"), 4))
            .hasToString("1-5");
        Properties without = new Properties();
        without.setProperty("broker.ids", "1-3");

        assertThatThrownBy(() -> CoordinatorConfig.brokerIdsIncluding(new ConfigReader(without, "s.properties"), 4))
            .isInstanceOf(ConfigException.class).hasMessageContaining("broker.ids").hasMessageContaining("4");
    }

    @Test
    void shouldLoadTheShippedCoordinatorConfig() {
        CoordinatorConfig c = CoordinatorConfig.load(Path.of("../conf/coordinator.properties"));

        assertThat(c.brokerIds()).hasToString("1-3");
        assertThat(c.deadBrokerForgetMs()).isEqualTo(CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS);
        assertThat(c.groups()).isEqualTo(GroupSettings.DEFAULTS);
    }

    @Test
    void shouldNameUnreadableFile() {
        Path missing = dir.resolve("nope.properties");

        assertThatThrownBy(() -> CoordinatorConfig.load(missing)).isInstanceOf(ConfigException.class)
            .hasMessageContaining("nope.properties");
    }
}
