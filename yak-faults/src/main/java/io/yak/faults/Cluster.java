package io.yak.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The cluster under test: a coordinator and {@link #BROKERS} brokers as real processes, their config files, data
 * directories and addresses. In loopback mode every server listens on 127.0.0.1 on a port chosen free at the start
 * (kept across restarts, so clients and brokers find a restarted server again); in namespace mode each one has its
 * own address on the run's bridge ({@link NetworkNamespaces}) and the usual ports. Settings are short so faults
 * cycle fast: a broker silent for {@link #HEARTBEAT_TIMEOUT_MS} is dead, a follower behind for
 * {@link #REPLICA_LAG_TIME_MAX_MS} leaves the ISR, segments roll every {@link #SEGMENT_BYTES}.
 */
final class Cluster {
    static final int BROKERS = 3;
    static final long HEARTBEAT_TIMEOUT_MS = 3000;
    static final long HEARTBEAT_INTERVAL_MS = 300;
    static final long REPLICA_LAG_TIME_MAX_MS = 5000;
    static final int SEGMENT_BYTES = 1 << 20;
    static final int MIN_INSYNC_REPLICAS = 2;

    private final ServerProcess coordinator;
    private final Map<Integer, ServerProcess> brokers = new LinkedHashMap<>();
    private final Map<Integer, Path> dataDirs = new LinkedHashMap<>();
    private final String bootstrap;
    private final NetworkNamespaces network;

    private Cluster(ServerProcess coordinator, String bootstrap, NetworkNamespaces network) {
        this.coordinator = coordinator;
        this.bootstrap = bootstrap;
        this.network = network;
    }

    /**
     * Writes the config files under {@code workDir}; starts nothing.
     *
     * @param network the run's namespaces, or null for loopback mode
     */
    static Cluster create(Path coordinatorJar, Path brokerJar, Path workDir, NetworkNamespaces network)
            throws IOException {
        String coordinatorHost = network == null ? "127.0.0.1" : NetworkNamespaces.address(NetworkNamespaces.COORDINATOR);
        int coordinatorPort = network == null ? freePort() : 7000;
        String bootstrap = coordinatorHost + ":" + coordinatorPort;
        Map<String, String> c = new LinkedHashMap<>();
        c.put("listen", bootstrap);
        c.put("data.dir", workDir.resolve("coordinator-data").toString());
        c.put("heartbeat.timeout.ms", Long.toString(HEARTBEAT_TIMEOUT_MS));
        c.put("broker.ids", "1-" + BROKERS);
        c.put("num.partitions", "3");
        c.put("default.replication.factor", Integer.toString(BROKERS));
        c.put("min.insync.replicas", Integer.toString(MIN_INSYNC_REPLICAS));
        c.put("unclean.leader.election.enable", "false");
        c.put("auto.leader.rebalance.enable", "true");
        // Leadership moves back often, one more source of leader changes under load.
        c.put("leader.imbalance.check.interval.ms", "5000");
        Cluster cluster = new Cluster(new ServerProcess("coordinator", coordinatorJar, workDir, c,
            network == null ? null : network.namespace(NetworkNamespaces.COORDINATOR)), bootstrap, network);
        for (int id = 1; id <= BROKERS; id++) {
            Path dataDir = workDir.resolve("broker-" + id + "-data");
            String listen = network == null ? "127.0.0.1:" + freePort() : NetworkNamespaces.address(id) + ":9092";
            Map<String, String> b = new LinkedHashMap<>();
            b.put("broker.id", Integer.toString(id));
            b.put("listen", listen);
            b.put("coordinator", bootstrap);
            b.put("data.dir", dataDir.toString());
            b.put("heartbeat.interval.ms", Long.toString(HEARTBEAT_INTERVAL_MS));
            b.put("segment.bytes", Integer.toString(SEGMENT_BYTES));
            b.put("replica.lag.time.max.ms", Long.toString(REPLICA_LAG_TIME_MAX_MS));
            b.put("replica.high.watermark.checkpoint.interval.ms", "1000");
            cluster.brokers.put(id, new ServerProcess("broker-" + id, brokerJar, workDir, b,
                network == null ? null : network.namespace(id)));
            cluster.dataDirs.put(id, dataDir);
        }
        return cluster;
    }

    /** A port free on 127.0.0.1 now; the server binds it a moment later (a race only with other programs). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    void startAll() throws IOException {
        coordinator.start();
        awaitCoordinatorListening(60);
        for (ServerProcess b : brokers.values()) {
            b.start();
        }
    }

    /** Waits until the coordinator accepts TCP connections; throws naming its log when it does not. */
    void awaitCoordinatorListening(long seconds) {
        String[] hostPort = bootstrap.split(":");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!coordinator.alive()) {
                throw new IllegalStateException("the coordinator exited at start; see " + coordinator.logFile());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), 1000);
                return;
            } catch (IOException e) {
                Pause.ms(100);
            }
        }
        throw new IllegalStateException("the coordinator does not accept connections on " + bootstrap + " after "
            + seconds + " s; see " + coordinator.logFile());
    }

    String bootstrap() {
        return bootstrap;
    }

    ServerProcess coordinator() {
        return coordinator;
    }

    ServerProcess broker(int id) {
        ServerProcess b = brokers.get(id);
        if (b == null) {
            throw new IllegalArgumentException("no broker " + id);
        }
        return b;
    }

    List<Integer> brokerIds() {
        return new ArrayList<>(brokers.keySet());
    }

    Path dataDir(int brokerId) {
        return dataDirs.get(brokerId);
    }

    /** The namespaces, or null in loopback mode. */
    NetworkNamespaces network() {
        return network;
    }

    /** Every server process, coordinator first. */
    List<ServerProcess> processes() {
        List<ServerProcess> all = new ArrayList<>();
        all.add(coordinator);
        all.addAll(brokers.values());
        return all;
    }

    /** Each server's log file, for messages. */
    List<Path> logFiles() {
        return processes().stream().map(ServerProcess::logFile).filter(Files::exists).toList();
    }

    /** SIGKILLs whatever still runs (failure paths and the shutdown hook). */
    void destroyAll() {
        for (ServerProcess p : processes()) {
            p.destroy();
        }
    }

}
