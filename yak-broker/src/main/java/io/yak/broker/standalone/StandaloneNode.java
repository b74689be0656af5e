package io.yak.broker.standalone;

import io.yak.broker.BrokerConfig;
import io.yak.broker.BrokerServer;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.coordinator.cluster.ReplicationSettings;
import io.yak.coordinator.CoordinatorServer;
import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.group.GroupSettings;
import io.yak.http.HealthCheck;
import io.yak.http.HttpRoutes;
import io.yak.http.HttpServer;
import io.yak.http.ServerHttp;
import io.yak.http.ServerMetrics;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import java.net.InetSocketAddress;
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

    /** The HTTP port of a standalone node started without a config file. */
    public static final HostPort DEFAULT_HTTP_LISTEN = new HostPort("127.0.0.1", 8080);

    private final CoordinatorServer coordinator;
    private final BrokerServer broker;
    private final HttpServer http;
    private final ServerMetrics metrics;

    private StandaloneNode(CoordinatorServer coordinator, BrokerServer broker, HttpServer http,
                           ServerMetrics metrics) {
        this.coordinator = coordinator;
        this.broker = broker;
        this.http = http;
        this.metrics = metrics;
    }

    /** Reads the standalone keys (rejecting unknown ones) and starts both servers and the HTTP port. */
    public static StandaloneNode start(ConfigReader r) throws Exception {
        r.string("mode", "standalone");
        r = r.withDefault("broker.id", "1").withDefault("data.dir", "yak-data");
        BrokerConfig b = BrokerConfig.from(r);
        long heartbeatTimeoutMs = r.longValue("heartbeat.timeout.ms", 6000, 100, 600_000);
        BrokerIds brokerIds = CoordinatorConfig.brokerIdsIncluding(r, b.brokerId());
        ReplicationSettings replication = CoordinatorConfig.replication(r);
        GroupSettings groups = CoordinatorConfig.groups(r);
        HostPort httpListen = r.optionalHostPort(ServerHttp.LISTEN_KEY);
        r.finish();
        Path root = b.dataDir();
        CoordinatorConfig c = new CoordinatorConfig(b.coordinator(), root.resolve("coordinator"), heartbeatTimeoutMs,
            b.autoCreateTopics(), b.numPartitions(), b.limits(), brokerIds,
            CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS).withReplication(replication).withGroups(groups);
        return start(c, b.withDataDir(root.resolve("broker-" + b.brokerId())), httpListen);
    }

    /** Starts both servers without an HTTP port; the broker is pointed at the coordinator's bound address. */
    public static StandaloneNode start(CoordinatorConfig c, BrokerConfig b) throws Exception {
        return start(c, b, null);
    }

    /**
     * Starts both servers, sharing one meter registry, and the HTTP port on {@code httpListen} (null: none); the
     * broker is pointed at the coordinator's bound address (port 0 allowed).
     */
    public static StandaloneNode start(CoordinatorConfig c, BrokerConfig b, HostPort httpListen) throws Exception {
        ServerMetrics metrics = new ServerMetrics();
        CoordinatorServer coordinator = new CoordinatorServer(c, metrics.registry());
        BrokerServer broker = null;
        try {
            coordinator.start();
            HostPort bound = new HostPort(c.listen().host(), coordinator.address().getPort());
            broker = new BrokerServer(b.withCoordinator(bound), metrics.registry());
            broker.start();
            BrokerServer running = broker;
            HttpServer http = httpListen == null ? null : ServerHttp.start("standalone node", httpListen, metrics,
                HealthCheck.all(coordinator::notReadyReasons, running::notReadyReasons),
                coordinator.consoleRoutes(new HttpRoutes()));
            LOG.info("standalone node up: coordinator {}, broker {} on {}{}", bound, b.brokerId(), broker.address(),
                http == null ? "" : ", HTTP on " + httpListen.host() + ":" + http.address().getPort());
            return new StandaloneNode(coordinator, broker, http, metrics);
        } catch (Exception e) {
            if (broker != null) {
                broker.close();
            }
            coordinator.close();
            metrics.close();
            throw e;
        }
    }

    public CoordinatorServer coordinator() {
        return coordinator;
    }

    public BrokerServer broker() {
        return broker;
    }

    /** The meters of both servers and of the process. */
    public io.micrometer.prometheusmetrics.PrometheusMeterRegistry meterRegistry() {
        return metrics.registry();
    }

    /** The HTTP port's address, or null without one. */
    public InetSocketAddress httpAddress() {
        return http == null ? null : http.address();
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        broker.close();
        coordinator.close();
        metrics.close();
    }
}
