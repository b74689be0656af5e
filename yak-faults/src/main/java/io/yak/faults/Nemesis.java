package io.yak.faults;

import io.yak.wire.message.PartitionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Injects one fault of a {@link FaultKind} into the cluster and knows how to heal it (Jepsen's nemesis). Targets
 * (which partition, which broker) are drawn from the caller's seeded {@link Random}; leaders and followers are
 * looked up through the client library, falling back to a random broker while the coordinator cannot answer.
 * Healing restarts what was killed on its old config and data, continues what was stopped, removes the routes
 * that cut links. Used by the fault scheduler thread only.
 */
final class Nemesis {
    /** A fault in force. */
    interface Active {
        /** What was done, for the fault log. */
        String description();

        /** Elementary faults in it (a combined fault counts each part). */
        int count();

        /** Undoes it; returns what was done. */
        String heal() throws Exception;
    }

    private final Cluster cluster;
    private final ClusterAdmin admin;
    private final String topic;
    private final int partitions;
    private final FaultLog log;

    Nemesis(Cluster cluster, ClusterAdmin admin, String topic, int partitions, FaultLog log) {
        this.cluster = cluster;
        this.admin = admin;
        this.topic = topic;
        this.partitions = partitions;
        this.log = log;
    }

    /** Injects a fault of {@code kind}; null when it cannot be done now (the reason is logged). */
    Active inject(FaultKind kind, Random random) throws Exception {
        switch (kind) {
            case KILL_LEADER:
                return killBroker(random, true);
            case KILL_FOLLOWER:
                return killBroker(random, false);
            case KILL_COORDINATOR:
                return killCoordinator();
            case PAUSE_BROKER:
                return pauseBroker(random);
            case ROLLING_RESTART:
                return rollingRestart();
            case POWER_LOSS:
                return powerLoss(random);
            case ISOLATE_FROM_COORDINATOR:
                return isolateFromCoordinator(random);
            case ISOLATE_LEADER:
                return isolateLeader(random);
            case CUT_CLIENTS_FROM_LEADER:
                return cutClientsFromLeader(random);
            case COMBINED:
                return combined(random);
            default:
                throw new IllegalArgumentException("unknown fault " + kind);
        }
    }

    private Active killBroker(Random random, boolean leader) throws InterruptedException {
        Target t = leader ? leaderTarget(random) : followerTarget(random);
        ServerProcess b = cluster.broker(t.broker);
        if (!b.alive()) {
            log.info("skip: broker " + t.broker + " is not running");
            return null;
        }
        b.kill9();
        return active("kill -9 broker " + t.broker + " (" + t.role + ", pid " + b.pid() + ")", 1,
            () -> restartBroker(t.broker));
    }

    private Active killCoordinator() throws InterruptedException {
        ServerProcess c = cluster.coordinator();
        if (!c.alive()) {
            log.info("skip: the coordinator is not running");
            return null;
        }
        long pid = c.pid();
        c.kill9();
        return active("kill -9 the coordinator (pid " + pid + ")", 1, this::restartCoordinator);
    }

    private Active pauseBroker(Random random) {
        Target t = random.nextBoolean() ? leaderTarget(random) : randomBroker(random);
        ServerProcess b = cluster.broker(t.broker);
        if (!b.alive() || b.paused()) {
            log.info("skip: broker " + t.broker + " is not running or already paused");
            return null;
        }
        b.pause();
        return active("SIGSTOP broker " + t.broker + " (" + t.role + ", pid " + b.pid() + ")", 1, () -> {
            b.resume();
            return "SIGCONT broker " + t.broker;
        });
    }

    /** Done at once: each broker stopped cleanly, restarted and back in sync (bounded) before the next. */
    private Active rollingRestart() throws Exception {
        List<String> steps = new ArrayList<>();
        for (int id : cluster.brokerIds()) {
            ServerProcess b = cluster.broker(id);
            long startNs = System.nanoTime();
            boolean clean = b.stop(30);
            b.start();
            boolean alive = ClusterAdmin.await(() -> admin.aliveBrokers().contains(id), 15_000);
            boolean inSync = alive && ClusterAdmin.await(() -> admin.fullyInSync(topic, Cluster.BROKERS), 15_000);
            String step = "broker " + id + (clean ? " stopped cleanly" : " killed after the SIGTERM timeout")
                + ", restarted, " + (inSync ? "back in sync" : alive ? "NOT back in sync" : "NOT registered")
                + " after " + (System.nanoTime() - startNs) / 1_000_000 + " ms";
            log.fault("  rolling restart: " + step);
            steps.add(step);
        }
        // Each clean restart is a fault of its own.
        return active("rolling restart (SIGTERM) of brokers " + cluster.brokerIds(), steps.size(),
            () -> "nothing to heal");
    }

    /**
     * Only while every partition has its whole ISR: with the unforced tail of one replica gone, the other two still
     * hold every acknowledged record. Two power losses in a row before the first broker caught up would exceed what
     * {@code acks=all} without fsync promises.
     */
    private Active powerLoss(Random random) throws Exception {
        if (!ClusterAdmin.await(() -> admin.fullyInSync(topic, Cluster.BROKERS), 15_000)) {
            log.info("skip power loss: not every partition has its full ISR (" + admin.describeLine(topic) + ")");
            return null;
        }
        Target t = random.nextBoolean() ? leaderTarget(random) : randomBroker(random);
        ServerProcess b = cluster.broker(t.broker);
        if (!b.alive()) {
            log.info("skip: broker " + t.broker + " is not running");
            return null;
        }
        b.kill9();
        List<String> cuts = PowerLoss.cutTails(cluster.dataDir(t.broker), topic, random);
        return active("power loss of broker " + t.broker + " (" + t.role + "): kill -9, then " + String.join("; ",
            cuts), 1, () -> restartBroker(t.broker));
    }

    private Active isolateFromCoordinator(Random random) {
        NetworkNamespaces net = network();
        Target t = random.nextBoolean() ? leaderTarget(random) : randomBroker(random);
        net.cut(t.broker, NetworkNamespaces.COORDINATOR);
        return active("cut broker " + t.broker + " (" + t.role + ") off from the coordinator", 1,
            () -> healCut(t.broker, NetworkNamespaces.COORDINATOR));
    }

    private Active isolateLeader(Random random) {
        NetworkNamespaces net = network();
        int partition = random.nextInt(partitions);
        Optional<PartitionInfo> p = partitionInfo(partition);
        int leader = p.map(PartitionInfo::leader).filter(l -> l > 0).orElse(1 + random.nextInt(Cluster.BROKERS));
        List<Integer> followers = cluster.brokerIds().stream().filter(b -> b != leader).toList();
        for (int f : followers) {
            net.cut(leader, f);
        }
        return active("cut broker " + leader + " (leader of p" + partition + ") off from brokers " + followers, 1, () -> {
            List<String> errors = new ArrayList<>();
            for (int f : followers) {
                errors.addAll(net.uncut(leader, f));
            }
            return healed("links of broker " + leader + " to " + followers, errors);
        });
    }

    private Active cutClientsFromLeader(Random random) {
        NetworkNamespaces net = network();
        Target t = leaderTarget(random);
        net.cut(t.broker, NetworkNamespaces.CLIENTS);
        return active("cut the clients off from broker " + t.broker + " (" + t.role + ")", 1,
            () -> healCut(t.broker, NetworkNamespaces.CLIENTS));
    }

    /** Two different combinable faults; the coordinator's kill goes last, since the others look up leaders. */
    private Active combined(Random random) throws Exception {
        List<FaultKind> kinds = new ArrayList<>();
        for (FaultKind k : FaultKind.values()) {
            if (k.combinable() && (!k.network() || cluster.network() != null)) {
                kinds.add(k);
            }
        }
        FaultKind first = kinds.remove(random.nextInt(kinds.size()));
        FaultKind second = kinds.get(random.nextInt(kinds.size()));
        if (first == FaultKind.KILL_COORDINATOR) {
            FaultKind swap = first;
            first = second;
            second = swap;
        }
        Active a = inject(first, random);
        Active b = null;
        // The second part may draw a target the first took down: draw again, a few times.
        for (int attempt = 0; attempt < 3 && b == null; attempt++) {
            b = inject(second, random);
        }
        List<Active> parts = new ArrayList<>();
        if (a != null) {
            parts.add(a);
        }
        if (b != null) {
            parts.add(b);
        }
        if (parts.isEmpty()) {
            return null;
        }
        String what = String.join(" + ", parts.stream().map(Active::description).toList());
        return active("combined: " + what, parts.size(), () -> {
            List<String> done = new ArrayList<>();
            for (int i = parts.size() - 1; i >= 0; i--) {
                done.add(parts.get(i).heal());
            }
            return String.join("; ", done);
        });
    }

    /**
     * Brings the cluster back whatever state a fault (or a failed heal) left it in: links restored, paused processes
     * continued, stopped ones started.
     *
     * @return what had to be done, empty when nothing
     */
    List<String> healEverything() throws Exception {
        List<String> done = new ArrayList<>();
        NetworkNamespaces net = cluster.network();
        if (net != null && net.hasCuts()) {
            List<String> errors = net.healAll();
            done.add(healed("every cut link", errors));
        }
        for (ServerProcess p : cluster.processes()) {
            if (p.paused()) {
                p.resume();
                done.add("SIGCONT " + p.name());
            }
        }
        if (!cluster.coordinator().alive()) {
            done.add(restartCoordinator());
        }
        for (int id : cluster.brokerIds()) {
            if (!cluster.broker(id).alive()) {
                done.add(restartBroker(id));
            }
        }
        return done;
    }

    private String restartBroker(int id) throws Exception {
        ServerProcess b = cluster.broker(id);
        if (b.alive()) {
            return "broker " + id + " already running";
        }
        b.start();
        return "restarted broker " + id + " (pid " + b.pid() + ")";
    }

    private String restartCoordinator() throws Exception {
        ServerProcess c = cluster.coordinator();
        if (c.alive()) {
            return "coordinator already running";
        }
        c.start();
        cluster.awaitCoordinatorListening(30);
        return "restarted the coordinator (pid " + c.pid() + ")";
    }

    private String healCut(int a, int b) {
        return healed("link " + node(a) + " <-> " + node(b), network().uncut(a, b));
    }

    private static String healed(String what, List<String> errors) {
        if (!errors.isEmpty()) {
            throw new IllegalStateException("could not heal " + what + ": " + errors);
        }
        return "healed " + what;
    }

    private static String node(int n) {
        return n == NetworkNamespaces.CLIENTS ? "clients" : n == NetworkNamespaces.COORDINATOR ? "coordinator"
            : "broker " + n;
    }

    private NetworkNamespaces network() {
        NetworkNamespaces n = cluster.network();
        if (n == null) {
            throw new IllegalStateException("network faults need the run's namespaces");
        }
        return n;
    }

    /** A broker and why it was picked. */
    private record Target(int broker, String role) {
    }

    private Target leaderTarget(Random random) {
        int partition = random.nextInt(partitions);
        Optional<PartitionInfo> p = partitionInfo(partition);
        if (p.isPresent() && p.get().online()) {
            return new Target(p.get().leader(), "leader of p" + partition);
        }
        return randomBroker(random);
    }

    private Target followerTarget(Random random) {
        int partition = random.nextInt(partitions);
        Optional<PartitionInfo> p = partitionInfo(partition);
        if (p.isPresent() && p.get().online()) {
            int leader = p.get().leader();
            List<Integer> followers = p.get().replicas().stream().filter(b -> b != leader).toList();
            if (!followers.isEmpty()) {
                return new Target(followers.get(random.nextInt(followers.size())), "follower of p" + partition);
            }
        }
        return randomBroker(random);
    }

    private Target randomBroker(Random random) {
        List<Integer> ids = cluster.brokerIds();
        return new Target(ids.get(random.nextInt(ids.size())), "picked at random");
    }

    private Optional<PartitionInfo> partitionInfo(int partition) {
        return admin.describe(topic).filter(t -> partition < t.partitions().size()).map(t -> t.partition(partition));
    }

    private static Active active(String description, int count, Healer healer) {
        return new Active() {
            @Override
            public String description() {
                return description;
            }

            @Override
            public int count() {
                return count;
            }

            @Override
            public String heal() throws Exception {
                return healer.heal();
            }
        };
    }

    @FunctionalInterface
    private interface Healer {
        String heal() throws Exception;
    }
}
