package io.yak.broker.it;

import static org.awaitility.Awaitility.await;

import io.yak.broker.BrokerConfig;
import io.yak.broker.BrokerServer;
import io.yak.broker.log.LogConfig;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.coordinator.CoordinatorServer;
import io.yak.coordinator.cluster.BrokerIds;
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
    private final CoordinatorServer coordinator;
    private final List<BrokerServer> brokers = new ArrayList<>();
    private final int segmentBytes;
    private final ServerLimits limits;

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
        this.root = root;
        this.segmentBytes = segmentBytes;
        this.limits = limits;
        coordinator = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0),
            root.resolve("coordinator"), heartbeatTimeoutMs, true, 3, limits, BrokerIds.ANY,
            CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS));
        coordinator.start();
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
            root.resolve("broker-" + id), HEARTBEAT_INTERVAL_MS, 3, true, limits.maxFrameBytes(), 1,
            new LogConfig(segmentBytes, d.indexIntervalBytes(), d.flushMessages(), d.flushMs())).withLimits(limits);
    }

    private BrokerServer startBroker(int id, int port) throws Exception {
        BrokerServer b = new BrokerServer(brokerConfig(id, port));
        b.start();
        return b;
    }

    HostPort coordinatorAddress() {
        return new HostPort("127.0.0.1", coordinator.address().getPort());
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
