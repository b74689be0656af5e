package io.yak.broker.standalone;

import io.yak.broker.BrokerConfig;
import io.yak.broker.BrokerServer;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.coordinator.cluster.ReplicationSettings;
import io.yak.coordinator.CoordinatorServer;
import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.group.GroupSettings;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator and one broker in one JVM: the embedded default. One config file serves both: the broker's keys
 * plus {@code heartbeat.timeout.ms}; {@code coordinator} is where the embedded coordinator listens, and
 * {@code data.dir} holds {@code coordinator/} and {@code broker-<id>/}. The only package of yak-broker that may
 * use yak-coordinator.
 */
public final class StandaloneNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StandaloneNode.class);

    private final CoordinatorServer coordinator;
    private final BrokerServer broker;

    private StandaloneNode(CoordinatorServer coordinator, BrokerServer broker) {
        this.coordinator = coordinator;
        this.broker = broker;
    }

    /** Reads the standalone keys (rejecting unknown ones) and starts both servers. */
    public static StandaloneNode start(ConfigReader r) throws Exception {
        r.string("mode", "standalone");
        r = r.withDefault("broker.id", "1").withDefault("data.dir", "yak-data");
        BrokerConfig b = BrokerConfig.from(r);
        long heartbeatTimeoutMs = r.longValue("heartbeat.timeout.ms", 6000, 100, 600_000);
        BrokerIds brokerIds = CoordinatorConfig.brokerIdsIncluding(r, b.brokerId());
        ReplicationSettings replication = CoordinatorConfig.replication(r);
        GroupSettings groups = CoordinatorConfig.groups(r);
        r.finish();
        Path root = b.dataDir();
        CoordinatorConfig c = new CoordinatorConfig(b.coordinator(), root.resolve("coordinator"), heartbeatTimeoutMs,
            b.autoCreateTopics(), b.numPartitions(), b.limits(), brokerIds,
            CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS).withReplication(replication).withGroups(groups);
        return start(c, b.withDataDir(root.resolve("broker-" + b.brokerId())));
    }

    /** Starts both servers; the broker is pointed at the coordinator's bound address (port 0 allowed). */
    public static StandaloneNode start(CoordinatorConfig c, BrokerConfig b) throws Exception {
        CoordinatorServer coordinator = new CoordinatorServer(c);
        coordinator.start();
        HostPort bound = new HostPort(c.listen().host(), coordinator.address().getPort());
        BrokerServer broker = new BrokerServer(b.withCoordinator(bound));
        try {
            broker.start();
        } catch (Exception e) {
            coordinator.close();
            throw e;
        }
        LOG.info("standalone node up: coordinator {}, broker {} on {}", bound, b.brokerId(), broker.address());
        return new StandaloneNode(coordinator, broker);
    }

    public CoordinatorServer coordinator() {
        return coordinator;
    }

    public BrokerServer broker() {
        return broker;
    }

    @Override
    public void close() {
        broker.close();
        coordinator.close();
    }
}
