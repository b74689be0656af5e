package io.yak.bench;

import io.yak.broker.standalone.StandaloneNode;
import io.yak.wire.config.ConfigReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A standalone node (coordinator + broker) on 127.0.0.1 ephemeral ports, for benchmarks without a cluster. It runs
 * in the benchmark's own JVM: its CPU and heap are shared with the client. Configured through the standalone
 * configuration keys, so every setting not named here keeps the broker's default (as {@code conf/standalone.properties}
 * would). {@link #start} returns once the broker is registered with the coordinator, so topics can be created at once.
 * Public for the client benchmarks of {@code io.yak.bench.jmh}.
 */
public final class EmbeddedNode implements AutoCloseable {
    private static final long REGISTRATION_TIMEOUT_MS = 15_000;

    private final StandaloneNode node;

    private EmbeddedNode(StandaloneNode node) {
        this.node = node;
    }

    /** Starts a node whose coordinator, broker and data live under {@code dir}. */
    public static EmbeddedNode start(Path dir) throws Exception {
        return start(dir, Map.of());
    }

    /**
     * @param extra standalone keys ({@code conf/standalone.properties}) that override or add to the defaults here
     * @throws io.yak.wire.config.ConfigException for an unknown key or a bad value
     */
    public static EmbeddedNode start(Path dir, Map<String, String> extra) throws Exception {
        Properties p = new Properties();
        p.setProperty("listen", "127.0.0.1:0");
        p.setProperty("coordinator", "127.0.0.1:0");
        p.setProperty("data.dir", dir.toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("auto.create.topics", "true");
        p.putAll(extra);
        EmbeddedNode node = new EmbeddedNode(StandaloneNode.start(new ConfigReader(p, "yak-bench embedded node")));
        try {
            node.awaitRegistered();
        } catch (Exception | Error e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** The coordinator places topics only on live brokers: wait for the broker's registration to be accepted. */
    private void awaitRegistered() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REGISTRATION_TIMEOUT_MS);
        while (!node.broker().registered()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IllegalStateException("embedded broker did not register with its coordinator within "
                    + REGISTRATION_TIMEOUT_MS + " ms");
            }
            Thread.sleep(5);
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + node.coordinator().address().getPort();
    }

    @Override
    public void close() {
        node.close();
    }

    public static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
