package io.yak.bench;

import io.yak.broker.BrokerConfig;
import io.yak.broker.log.LogConfig;
import io.yak.broker.standalone.StandaloneNode;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A standalone node (coordinator + broker) on 127.0.0.1 ephemeral ports, for benchmarks without a cluster. It runs
 * in the benchmark's own JVM: its CPU and heap are shared with the client. {@link #start} returns once the broker is
 * registered with the coordinator, so topics can be created right away.
 */
final class EmbeddedNode implements AutoCloseable {
    private static final long REGISTRATION_TIMEOUT_MS = 15_000;

    private final StandaloneNode node;

    private EmbeddedNode(StandaloneNode node) {
        this.node = node;
    }

    static EmbeddedNode start(Path dir) throws Exception {
        HostPort any = new HostPort("127.0.0.1", 0);
        CoordinatorConfig c = new CoordinatorConfig(any, dir.resolve("coordinator"), 6000, true, 1,
            FrameLayout.DEFAULT_MAX_FRAME_BYTES);
        BrokerConfig b = new BrokerConfig(1, any, any, dir.resolve("broker-1"), 1000, 1, true,
            FrameLayout.DEFAULT_MAX_FRAME_BYTES, Math.max(1, Runtime.getRuntime().availableProcessors() / 2),
            LogConfig.defaults());
        EmbeddedNode node = new EmbeddedNode(StandaloneNode.start(c, b));
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

    String bootstrap() {
        return "127.0.0.1:" + node.coordinator().address().getPort();
    }

    @Override
    public void close() {
        node.close();
    }

    static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
