package io.yak.bench;

import io.yak.wire.config.ConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the workloads run: a cluster reached through its coordinator ({@code --coordinator}), or a standalone node
 * embedded in this JVM with its data in a temporary directory that {@link #close()} deletes.
 */
final class Target implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Target.class);

    private final String bootstrap;
    private final EmbeddedNode node;
    private final Path dataDir;

    private Target(String bootstrap, EmbeddedNode node, Path dataDir) {
        this.bootstrap = bootstrap;
        this.node = node;
        this.dataDir = dataDir;
    }

    /**
     * @param coordinator null starts an embedded node
     * @param nodeProps   standalone keys for the embedded node
     * @throws UsageException when the embedded node rejects a key of {@code nodeProps}
     */
    static Target open(String coordinator, Map<String, String> nodeProps, PrintWriter out) throws Exception {
        if (coordinator != null) {
            out.println("target: coordinator " + coordinator);
            return new Target(coordinator, null, null);
        }
        Path dir = Files.createTempDirectory("yak-bench");
        EmbeddedNode node;
        try {
            node = EmbeddedNode.start(dir, nodeProps);
        } catch (ConfigException e) {
            EmbeddedNode.delete(dir);
            throw new UsageException("embedded node setting rejected: " + e.getMessage(), e);
        } catch (Exception | Error e) {
            EmbeddedNode.delete(dir);
            throw e;
        }
        out.println("target: embedded standalone node on " + node.bootstrap() + ", data in " + dir
            + " (same JVM as the clients: CPU and heap figures include both)");
        return new Target(node.bootstrap(), node, dir);
    }

    String bootstrap() {
        return bootstrap;
    }

    boolean embedded() {
        return node != null;
    }

    /** A probe for the embedded node's resources, or null for a remote cluster. */
    ResourceProbe newProbe() {
        return node == null ? null : new ResourceProbe();
    }

    @Override
    public void close() {
        if (node == null) {
            return;
        }
        node.close();
        try {
            EmbeddedNode.delete(dataDir);
        } catch (IOException e) {
            LOG.warn("could not delete the embedded node's data in {}: {}", dataDir, e.toString());
        }
    }
}
