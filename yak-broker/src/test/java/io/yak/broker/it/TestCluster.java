package io.yak.broker.it;

import static org.awaitility.Awaitility.await;

import io.yak.broker.BrokerConfig;
import io.yak.broker.BrokerServer;
import io.yak.broker.log.LogConfig;
import io.yak.broker.partition.ReplicationConfig;
import io.yak.broker.partition.RetentionConfig;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.coordinator.CoordinatorServer;
import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.cluster.ReplicationSettings;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A coordinator and N brokers in this JVM on 127.0.0.1 ephemeral ports, data under one directory, with short
 * heartbeats so liveness tests finish quickly. Always {@link #close()} it.
 */
final class TestCluster implements AutoCloseable {
    static final long HEARTBEAT_INTERVAL_MS = 100;
    static final long HEARTBEAT_TIMEOUT_MS = 1000;

    private final Path root;
    /** Replaced by {@link #startCoordinator()} after {@link #stopCoordinator()}. */
    private CoordinatorServer coordinator;
    private final CoordinatorConfig coordinatorConfig;
    private final List<BrokerServer> brokers = new ArrayList<>();
    private final int segmentBytes;
    private final ServerLimits limits;
    private final ReplicationConfig replication;

    TestCluster(Path root, int brokerCount, int segmentBytes) throws Exception {
        this(root, brokerCount, segmentBytes, HEARTBEAT_TIMEOUT_MS);
    }

    TestCluster(Path root, int brokerCount, int segmentBytes, long heartbeatTimeoutMs) throws Exception {
        this(root, brokerCount, segmentBytes, heartbeatTimeoutMs,
            ServerLimits.defaults(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
    }

    /** @param limits every server's connection limits ({@code max.frame.bytes}, request memory, timeouts) */
    TestCluster(Path root, int brokerCount, int segmentBytes, long heartbeatTimeoutMs, ServerLimits limits)
            throws Exception {
        this(root, brokerCount, segmentBytes, heartbeatTimeoutMs, limits, ReplicationConfig.defaults());
    }

    /**
     * @param replication every broker's replication settings ({@code replica.*}); its {@code min.insync.replicas} is
     *                    the coordinator's (the cluster's)
     */
    TestCluster(Path root, int brokerCount, int segmentBytes, long heartbeatTimeoutMs, ReplicationConfig replication)
            throws Exception {
        this(root, brokerCount, segmentBytes, heartbeatTimeoutMs,
            ServerLimits.defaults(FrameLayout.DEFAULT_MAX_FRAME_BYTES), replication);
    }

    private TestCluster(Path root, int brokerCount, int segmentBytes, long heartbeatTimeoutMs, ServerLimits limits,
                        ReplicationConfig replication) throws Exception {
        this.root = root;
        this.segmentBytes = segmentBytes;
        this.limits = limits;
        this.replication = replication;
        coordinator = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0),
            root.resolve("coordinator"), heartbeatTimeoutMs, true, 3, limits, BrokerIds.ANY,
            CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS).withReplication(
                ReplicationSettings.DEFAULTS.withMinInsyncReplicas(replication.minInsyncReplicas())));
        coordinator.start();
        CoordinatorConfig first = coordinator.config();
        // a restarted coordinator binds the port brokers and clients know
        coordinatorConfig = new CoordinatorConfig(new HostPort("127.0.0.1", coordinator.address().getPort()),
            first.dataDir(), first.heartbeatTimeoutMs(), first.autoCreateTopics(), first.numPartitions(),
            first.limits(), first.brokerIds(), first.deadBrokerForgetMs(), first.replication());
        try {
            for (int id = 1; id <= brokerCount; id++) {
                brokers.add(startBroker(id, 0));
            }
            // A broker gets partitions of new topics once a heartbeat after its registration is in (issue 19).
            for (BrokerServer b : brokers) {
                await().atMost(Duration.ofSeconds(30)).until(b::registered);
            }
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    BrokerConfig brokerConfig(int id, int port) {
        LogConfig d = LogConfig.defaults();
        return new BrokerConfig(id, new HostPort("127.0.0.1", port), coordinatorAddress(),
            root.resolve("broker-" + id), HEARTBEAT_INTERVAL_MS, 3, true, limits, 1,
            new LogConfig(segmentBytes, d.indexIntervalBytes(), d.flushMessages(), d.flushMs()),
            RetentionConfig.defaults(), BrokerConfig.DEFAULT_TIMESTAMP_AFTER_MAX_MS, replication);
    }

    private BrokerServer startBroker(int id, int port) throws Exception {
        BrokerServer b = new BrokerServer(brokerConfig(id, port));
        b.start();
        return b;
    }

    HostPort coordinatorAddress() {
        return coordinatorConfig.listen();
    }

    String bootstrap() {
        return coordinatorAddress().toString();
    }

    CoordinatorServer coordinator() {
        return coordinator;
    }

    BrokerServer broker(int id) {
        return brokers.get(id - 1);
    }

    /** Stops broker {@code id} as a crash would: no flush, no clean-shutdown marker. */
    void halt(int id) {
        brokers.get(id - 1).halt();
    }

    /** Stops broker {@code id} cleanly, as SIGTERM does. */
    void stop(int id) {
        brokers.get(id - 1).close();
    }

    /** Starts broker {@code id} again on its old data and port. */
    BrokerServer restart(int id) throws Exception {
        int port = brokers.get(id - 1).address().getPort();
        BrokerServer b = startBroker(id, port);
        brokers.set(id - 1, b);
        return b;
    }

    /** Stops the coordinator as its process stopping would; the brokers keep running. */
    void stopCoordinator() {
        coordinator.close();
    }

    /** Starts the coordinator again on its old port and data.dir (after {@link #stopCoordinator()}). */
    void startCoordinator() {
        coordinator = new CoordinatorServer(coordinatorConfig);
        coordinator.start();
    }

    Path root() {
        return root;
    }

    @Override
    public void close() {
        for (BrokerServer b : brokers) {
            b.close();
        }
        coordinator.close();
    }
}
