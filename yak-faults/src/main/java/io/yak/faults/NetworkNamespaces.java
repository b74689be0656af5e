package io.yak.faults;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The run's private network: one Linux network namespace per server (coordinator, brokers 1-3), each joined to a
 * bridge by a veth pair, addresses from 198.18.0.0/24 (RFC 2544 benchmarking space). The bridge's host side is
 * 198.18.0.1, so the harness JVM (the clients) reaches the servers directly; the namespaces have no default route
 * and the host does not forward, so no packet of the run leaves the bridge.
 *
 * <p>Links are cut with blackhole routes inside the namespaces ({@code ip route add blackhole PEER/32}, on both
 * sides when both are servers; only on the server's side for the client, so the host's routing table is never
 * touched) and healed by deleting them. Every name starts with a short per-run prefix (interface names have at most
 * 15 characters) and {@link #close()} deletes everything, whatever state the run ended in. Not thread-safe: the
 * fault scheduler owns it; {@code close} is synchronized for the shutdown hook.
 */
final class NetworkNamespaces implements AutoCloseable {
    static final String SUBNET = "198.18.0.0/24";
    static final String HOST_ADDRESS = "198.18.0.1";
    /** The harness's clients, as a node id of {@link #address(int)}. */
    static final int CLIENTS = -1;
    /** The coordinator, as a node id; brokers are their broker ids. */
    static final int COORDINATOR = 0;

    private final String prefix;
    private final List<Integer> nodes;
    private final List<String> namespacesCreated = new ArrayList<>();
    private boolean bridgeCreated;
    /** Blackhole routes in force: "namespace address". */
    private final Set<String> cuts = new LinkedHashSet<>();
    private boolean closed;

    private NetworkNamespaces(String prefix, List<Integer> nodes) {
        this.prefix = prefix;
        this.nodes = List.copyOf(nodes);
    }

    /** Why namespaces cannot be used here, or null when they can: root and an {@code ip} that answers. */
    static String unavailableReason() {
        Commands.Result id = Commands.run(List.of("id", "-u"));
        if (!id.ok() || !id.output().equals("0")) {
            return "not running as root (id -u: " + id.output() + ")";
        }
        Commands.Result ip = Commands.run(List.of("ip", "netns", "list"));
        if (!ip.ok()) {
            return "`ip netns list` failed: " + ip.output();
        }
        Commands.Result used = Commands.run(List.of("ip", "-4", "-o", "addr", "show", "to", SUBNET));
        if (!used.ok() || !used.output().isEmpty()) {
            return SUBNET + " is already in use on this host (a fault run still going, or one killed before it could "
                + "clean up: its namespaces and bridge start with 'yk', see `ip netns list`, `ip link`): " + used.output();
        }
        return null;
    }

    /**
     * Creates the bridge and one namespace per node in {@code nodes} ({@link #COORDINATOR} and broker ids). On
     * failure, removes what it created and throws.
     */
    static NetworkNamespaces create(String prefix, List<Integer> nodes) {
        NetworkNamespaces n = new NetworkNamespaces(prefix, nodes);
        try {
            n.build();
            return n;
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
    }

    private void build() {
        String bridge = bridge();
        Commands.check(List.of("ip", "link", "add", bridge, "type", "bridge"));
        bridgeCreated = true;
        Commands.check(List.of("ip", "addr", "add", HOST_ADDRESS + "/24", "dev", bridge));
        Commands.check(List.of("ip", "link", "set", bridge, "up"));
        for (int node : nodes) {
            String ns = namespace(node);
            String hostSide = prefix + "h" + node;
            String nsSide = prefix + "n" + node;
            Commands.check(List.of("ip", "netns", "add", ns));
            namespacesCreated.add(ns);
            Commands.check(List.of("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide));
            // Moving one end into the namespace ties the pair's life to it: deleting the namespace removes both.
            Commands.check(List.of("ip", "link", "set", nsSide, "netns", ns));
            Commands.check(List.of("ip", "link", "set", hostSide, "master", bridge));
            Commands.check(List.of("ip", "link", "set", hostSide, "up"));
            Commands.check(List.of("ip", "-n", ns, "addr", "add", address(node) + "/24", "dev", nsSide));
            Commands.check(List.of("ip", "-n", ns, "link", "set", nsSide, "up"));
            Commands.check(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
    }

    String bridge() {
        return prefix + "br";
    }

    /** The namespace of a node ({@link #COORDINATOR} or a broker id). */
    String namespace(int node) {
        return prefix + (node == COORDINATOR ? "c" : "b" + node);
    }

    /** 198.18.0.1 for {@link #CLIENTS}, .10 for the coordinator, .10 + id for broker id. */
    static String address(int node) {
        return node == CLIENTS ? HOST_ADDRESS : "198.18.0." + (10 + node);
    }

    /**
     * Cuts the link between two nodes: packets from one to the other are dropped. With {@link #CLIENTS} only the
     * server's side gets a route (its answers to the clients are dropped, so connections stall both ways).
     */
    void cut(int a, int b) {
        if (a != CLIENTS) {
            blackhole(namespace(a), address(b));
        }
        if (b != CLIENTS) {
            blackhole(namespace(b), address(a));
        }
    }

    private void blackhole(String ns, String peer) {
        if (cuts.add(ns + " " + peer)) {
            Commands.check(List.of("ip", "-n", ns, "route", "add", "blackhole", peer + "/32"));
        }
    }

    /** Heals what {@link #cut(int, int)} did between these two nodes. */
    List<String> uncut(int a, int b) {
        List<String> errors = new ArrayList<>();
        if (a != CLIENTS) {
            removeBlackhole(namespace(a), address(b), errors);
        }
        if (b != CLIENTS) {
            removeBlackhole(namespace(b), address(a), errors);
        }
        return errors;
    }

    private void removeBlackhole(String ns, String peer, List<String> errors) {
        if (cuts.remove(ns + " " + peer)) {
            Commands.Result r = Commands.run(List.of("ip", "-n", ns, "route", "del", "blackhole", peer + "/32"));
            if (!r.ok()) {
                errors.add("could not remove blackhole " + peer + " in " + ns + ": " + r.output());
            }
        }
    }

    /** Removes every cut; each failure is reported, none stops the others. */
    List<String> healAll() {
        List<String> errors = new ArrayList<>();
        for (String cut : new ArrayList<>(cuts)) {
            String[] nsAndPeer = cut.split(" ");
            removeBlackhole(nsAndPeer[0], nsAndPeer[1], errors);
        }
        return errors;
    }

    boolean hasCuts() {
        return !cuts.isEmpty();
    }

    /** Deletes the namespaces (and with them their veth pairs and routes) and the bridge. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        cuts.clear();
        for (String ns : namespacesCreated) {
            Commands.Result r = Commands.run(List.of("ip", "netns", "del", ns));
            if (!r.ok()) {
                System.err.println("yak-faults: could not delete network namespace " + ns + ": " + r.output());
            }
        }
        if (bridgeCreated) {
            Commands.Result r = Commands.run(List.of("ip", "link", "del", bridge()));
            if (!r.ok()) {
                System.err.println("yak-faults: could not delete bridge " + bridge() + ": " + r.output());
            }
        }
    }

    /** The names this run creates, for messages. */
    String describe() {
        return "bridge " + bridge() + " (" + HOST_ADDRESS + "/24), namespaces " + String.join(", ",
            nodes.stream().map(this::namespace).toList()) + ", addresses " + String.join(", ",
            nodes.stream().map(n -> namespace(n) + "=" + address(n)).toList());
    }
}
