package io.yak.broker.sim;

import io.yak.broker.log.EpochEndOffset;
import io.yak.broker.replica.Divergence;
import io.yak.broker.replica.LeaderReplicas;
import io.yak.coordinator.cluster.AlterIsrOutcome;
import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.cluster.HeartbeatResult;
import io.yak.coordinator.cluster.RegisterResult;
import io.yak.coordinator.cluster.ReplicationSettings;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A deterministic simulation of one coordinator and three brokers replicating one topic, on a simulated network and
 * clock (issue 14). The decisions are the product's own: the coordinator is a real {@link ClusterState} (registration
 * with incarnations, heartbeats and liveness on the simulated clock, deaths, ALTER_ISR, preferred elections, clean
 * shutdowns, restarts from its snapshot); a leader's follower bookkeeping, high watermark and ISR proposals are a real
 * {@link LeaderReplicas}; divergence and truncation are {@link Divergence}. What glues them is a transcription of
 * {@code PartitionManager} (applyState, makeLeader, resign, serveFetch, applyFetched, maybeAdvanceHighWatermark,
 * checkIsr, onIsrResult, publish with acks=all) and {@code CoordinatorLink} over in-memory logs ({@link SimLog}).
 *
 * <p>Network: every connection is TCP-like (FIFO, each message delayed at random, sometimes by hundreds of ms); a
 * fault resets a connection (what is in flight is lost, both ends learn it, the client reconnects), a network split
 * cuts every connection between two nodes and refuses new ones for a while. Messages on different connections
 * overtake each other freely. Nodes: process crash (kill -9: the page cache, so the whole log, survives), clean
 * shutdown (BROKER_SHUTDOWN, flush, high-watermark checkpoint), pause (SIGSTOP: nothing runs, messages wait),
 * power loss (the log keeps its flushed part and a random part of the rest, or nothing at all: an empty data
 * directory), coordinator crash and restart from its persisted snapshot.
 *
 * <p>Invariants, checked after every event ({@link #check}): one leader per partition and leader epoch (brokers'
 * beliefs and the coordinator's); each broker's high watermark never decreases while its process runs; the
 * committed records (every record below a high watermark any broker ever had, which includes every acknowledged
 * one) form one sequence that never changes (an offset committed with other bytes is a failure), and the
 * coordinator's leader and every ISR member hold all of it at the same offsets with the same bytes; every
 * acknowledged record is committed with the bytes the producer sent; a follower's append is never refused.
 *
 * <p>Power loss breaks the last guarantee by design without fsync (README: an ack survives a power loss only with
 * {@code flush.messages}) when it hits the only replica that may lead. A broker that lost its tail registers its new
 * incarnation as after an unclean shutdown (no clean-shutdown marker, as a kill -9 too), and the coordinator then
 * takes it out of the ISR and the eligible leaders wherever another candidate remains (Kafka's KIP-966). So a power
 * loss hits one broker at a time, only when every partition it is in sync for has another in-sync member or an
 * eligible leader, and no other fault happens until the coordinator has seen that broker's new incarnation; until
 * then that broker is exempt from the "ISR members hold every committed record" check.
 *
 * <p>Single-threaded and deterministic: one {@link Random} from the seed drives everything.
 *
 * <p>Not covered: retention and log start offsets above 0, multi-record batches (one record per batch, so
 * truncation is exact), the fetcher's one-request-per-leader batching and the leader's parking of empty fetches
 * (modelled as a follower pause), coordinator pauses ({@code forgiveSilence}), brokers reporting partitions they
 * cannot serve, unclean election, topic creation during faults, disk errors, and the threads of a real broker (every
 * handler here is atomic; the real one interleaves writer threads, event loops and the link thread).
 *
 * <p>Replaying the bugs it found, as the code was before the fix: {@code -Dyak.sim.legacyDivergence=true} (the
 * leader's inline divergence rule), {@code -Dyak.sim.legacyIsrAnswer=true} (every failed ISR proposal cleared with
 * {@code proposalFailed()}), {@code -Dyak.sim.legacyRefusal=true} (only refusals so).
 */
final class ReplicationSim {
    static final int BROKERS = 3;
    static final String TOPIC = "t";
    static final int COORDINATOR = 0;
    static final int PRODUCER = BROKERS + 1;
    static final long HEARTBEAT_TIMEOUT_MS = 1000;
    static final long HEARTBEAT_INTERVAL_MS = 150;
    static final long LIVENESS_CHECK_MS = 100;
    static final long LAG_MAX_MS = 600;
    static final long HW_CHECKPOINT_MS = 400;
    static final long WRITEBACK_MS = 1000;
    static final long FETCH_TIMEOUT_MS = 1500;
    static final long PUBLISH_TIMEOUT_MS = 1500;
    static final int FETCH_MAX_RECORDS = 40;
    /** Only refusals handled as before proposalFailed(int) (to replay that bug alone). */
    private static final boolean LEGACY_REFUSAL = Boolean.getBoolean("yak.sim.legacyRefusal");
    private static final InetSocketAddress REMOTE = new InetSocketAddress("127.0.0.1", 1);

    /** Thrown on a broken invariant, with the seed, the event number and the trace. */
    static final class Violation extends AssertionError {
        Violation(String message) {
            super(message);
        }
    }

    final long seed;
    final Random random;
    final boolean legacyDivergence;
    final boolean legacyIsrAnswer;
    final int partitionCount;
    final int minIsr;
    final boolean powerLossEnabled;
    private long now;
    private long sequence;
    private long eventNumber;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    /** The last {@value #TRACE} events and notes, their text built only on failure. */
    private final ArrayDeque<TraceEntry> trace = new ArrayDeque<>();

    private record TraceEntry(long number, long time, Supplier<String> label, String note) {
        @Override
        public String toString() {
            return note != null ? "    " + note : "#" + number + " t=" + time + " " + label.get();
        }
    }
    private static final int TRACE = Integer.getInteger("yak.sim.trace", 50);

    final Coordinator coordinator = new Coordinator();
    final Broker[] brokers = new Broker[BROKERS + 1];
    final Producer producer = new Producer();
    private final Invariants invariants;
    /** Split node pairs: {@code split[a][b]} is the time the split ends. */
    private final long[][] split = new long[PRODUCER + 1][PRODUCER + 1];
    private long nextConnectionId = 1;
    private long nextIncarnation = 1_000_000;
    private boolean faultsOn;
    /** The broker a power loss hit whose new incarnation the coordinator has not seen yet, or 0. */
    int powerLossBroker;
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    ReplicationSim(long seed, boolean legacyDivergence, boolean legacyIsrAnswer) {
        this.seed = seed;
        this.random = new Random(seed);
        this.legacyDivergence = legacyDivergence;
        this.legacyIsrAnswer = legacyIsrAnswer;
        this.partitionCount = 1 + random.nextInt(3);
        int[] minIsrs = {1, 2, 2, 2, 3};
        this.minIsr = minIsrs[random.nextInt(minIsrs.length)];
        this.powerLossEnabled = random.nextInt(3) == 0;
        for (int b = 1; b <= BROKERS; b++) {
            brokers[b] = new Broker(b);
        }
        invariants = new Invariants(this);
    }

    /**
     * A simulation for a scripted test ({@code ReplicationScenariosTest}): one partition and the given
     * {@code min.insync.replicas} instead of random ones, no power loss; the seed still drives delays and timers.
     */
    ReplicationSim(long seed, int minIsr) {
        this.seed = seed;
        this.random = new Random(seed);
        this.legacyDivergence = false;
        this.legacyIsrAnswer = false;
        this.partitionCount = 1;
        this.minIsr = minIsr;
        this.powerLossEnabled = false;
        for (int b = 1; b <= BROKERS; b++) {
            brokers[b] = new Broker(b);
        }
        invariants = new Invariants(this);
    }

    long now() {
        return now;
    }

    // ---------------------------------------------------------------- events

    private record Event(long time, long seq, Supplier<String> label, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }
    }

    void at(long delayMs, String label, Runnable action) {
        at(delayMs, () -> label, action);
    }

    void at(long delayMs, Supplier<String> label, Runnable action) {
        queue.add(new Event(now + Math.max(0, delayMs), sequence++, label, action));
    }

    /** Runs events until {@code untilMs}; checks the invariants after each. */
    void runUntil(long untilMs) {
        while (!queue.isEmpty() && queue.peek().time <= untilMs) {
            runNext();
        }
        now = Math.max(now, untilMs);
    }

    /**
     * Runs events one at a time until {@code condition} holds or the next one is due after {@code untilMs}; checks
     * the invariants after each. The condition is tested before every event, so a scripted test can act between
     * two events (crash a broker right after it appended a record, before the next message reaches it).
     *
     * @return whether the condition holds
     */
    boolean runUntil(BooleanSupplier condition, long untilMs) {
        while (!condition.getAsBoolean()) {
            if (queue.isEmpty() || queue.peek().time > untilMs) {
                return false;
            }
            runNext();
        }
        return true;
    }

    private void runNext() {
        Event e = queue.poll();
        now = e.time;
        eventNumber++;
        if (trace.size() == TRACE) {
            trace.removeFirst();
        }
        trace.addLast(new TraceEntry(eventNumber, now, e.label, null));
        try {
            e.action.run();
        } catch (Violation v) {
            throw v;
        } catch (RuntimeException | AssertionError x) {
            throw fail("exception: " + x, x);
        }
        invariants.check();
    }

    void note(String what) {
        if (trace.size() == TRACE) {
            trace.removeFirst();
        }
        trace.addLast(new TraceEntry(eventNumber, now, null, what));
    }

    void count(String what) {
        counts.merge(what, 1, Integer::sum);
    }

    Map<String, Integer> counts() {
        return counts;
    }

    long events() {
        return eventNumber;
    }

    Violation fail(String what) {
        return fail(what, null);
    }

    Violation fail(String what, Throwable cause) {
        StringBuilder sb = new StringBuilder();
        sb.append("replication simulation seed ").append(seed).append(" (replay with -Dyak.sim.seed=").append(seed)
            .append(legacyDivergence ? " -Dyak.sim.legacyDivergence=true" : "")
            .append(legacyIsrAnswer ? " -Dyak.sim.legacyIsrAnswer=true" : "")
            .append(LEGACY_REFUSAL ? " -Dyak.sim.legacyRefusal=true" : "").append("), event ").append(eventNumber)
            .append(" at t=").append(now).append(" ms: ").append(what).append('\n');
        sb.append("partitions ").append(partitionCount).append(", min.insync.replicas ").append(minIsr)
            .append(", power loss ").append(powerLossEnabled).append('\n');
        sb.append("last ").append(trace.size()).append(" events:\n");
        for (TraceEntry t : trace) {
            sb.append("  ").append(t).append('\n');
        }
        sb.append("state:\n").append(describe());
        Violation v = new Violation(sb.toString());
        if (cause != null) {
            v.initCause(cause);
        }
        return v;
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("  coordinator ").append(coordinator.up ? "up" : "down");
        if (coordinator.state != null) {
            sb.append(", metadata ").append(coordinator.state.metadata());
        }
        sb.append('\n');
        for (int b = 1; b <= BROKERS; b++) {
            sb.append("  ").append(brokers[b]).append('\n');
        }
        sb.append("  committed ").append(invariants.describe()).append('\n');
        return sb.toString();
    }

    // ---------------------------------------------------------------- network

    /** A TCP-like connection: FIFO both ways, lost messages only when it is reset. */
    final class Conn {
        final long id = nextConnectionId++;
        final int client;
        final int server;
        boolean open = true;
        long lastToServer;
        long lastToClient;
        Runnable onClientClose;
        Runnable onServerClose;

        Conn(int client, int server) {
            this.client = client;
            this.server = server;
        }

        int peer(int node) {
            return node == client ? server : client;
        }

        @Override
        public String toString() {
            return "conn" + id + "(" + name(client) + "->" + name(server) + ")";
        }
    }

    static String name(int node) {
        return node == COORDINATOR ? "coord" : node == PRODUCER ? "producer" : "b" + node;
    }

    boolean splitBetween(int a, int b) {
        return split[a][b] > now;
    }

    boolean reachable(int from, int to) {
        if (splitBetween(from, to)) {
            return false;
        }
        if (to == COORDINATOR) {
            return coordinator.up;
        }
        if (to == PRODUCER) {
            return true;
        }
        return brokers[to].up;
    }

    /** Opens a connection from {@code client} to {@code server}, or null when it is refused (down, split). */
    Conn connect(int client, int server) {
        if (!reachable(client, server)) {
            return null;
        }
        return new Conn(client, server);
    }

    private long delay() {
        int r = random.nextInt(100);
        if (r < 80 || !faultsOn) {
            return 1 + random.nextInt(10);
        }
        if (r < 97) {
            return 10 + random.nextInt(60);
        }
        return 100 + random.nextInt(400);
    }

    /** Sends from {@code from} on {@code c}; {@code handler} runs on the other end when it arrives. */
    void send(Conn c, int from, Supplier<String> label, Runnable handler) {
        if (c == null || !c.open) {
            return;
        }
        int to = c.peer(from);
        if (splitBetween(from, to)) {
            reset(c, "split");
            return;
        }
        boolean toServer = from == c.client;
        long at = now + delay();
        at = Math.max(at, toServer ? c.lastToServer : c.lastToClient);
        if (toServer) {
            c.lastToServer = at;
        } else {
            c.lastToClient = at;
        }
        queue.add(new Event(at, sequence++, () -> name(from) + "->" + name(to) + " " + label.get(), () -> {
            if (c.open) {
                deliver(to, handler, c);
            }
        }));
    }

    private void deliver(int to, Runnable handler, Conn c) {
        if (to >= 1 && to <= BROKERS) {
            Broker b = brokers[to];
            if (!b.up) {
                return;
            }
            if (b.paused) {
                b.held.add(() -> {
                    if (c == null || c.open) {
                        handler.run();
                    }
                });
                return;
            }
        }
        handler.run();
    }

    /** Resets a connection: what is in flight is lost; each end learns it a little later. */
    void reset(Conn c, String why) {
        if (c == null || !c.open) {
            return;
        }
        c.open = false;
        note("reset " + c + " (" + why + ")");
        if (c.onClientClose != null) {
            Runnable r = c.onClientClose;
            at(1 + random.nextInt(20), () -> name(c.client) + " sees " + c + " closed",
                () -> deliver(c.client, r, null));
        }
        if (c.onServerClose != null) {
            Runnable r = c.onServerClose;
            at(1 + random.nextInt(20), () -> name(c.server) + " sees " + c + " closed",
                () -> deliver(c.server, r, null));
        }
    }

    private final List<Conn> allConns = new ArrayList<>();

    Conn track(Conn c) {
        if (c != null) {
            allConns.removeIf(x -> !x.open);
            allConns.add(c);
        }
        return c;
    }

    void resetAllOf(int node, String why) {
        for (Conn c : new ArrayList<>(allConns)) {
            if (c.open && (c.client == node || c.server == node)) {
                reset(c, why);
            }
        }
    }

    // ---------------------------------------------------------------- coordinator

    /** The coordinator process: a real ClusterState behind a transcription of its request handling. */
    final class Coordinator {
        ClusterState state;
        CoordinatorSnapshot stored;
        boolean up;
        int generation;
        boolean topicCreated;
        /** Connections brokers registered on, by broker id (LEADER_INFO goes to these). */
        final Map<Integer, Conn> registered = new LinkedHashMap<>();

        void start() {
            up = true;
            generation++;
            ReplicationSettings settings = ReplicationSettings.DEFAULTS.withDefaultReplicationFactor(BROKERS);
            if (stored == null) {
                state = new ClusterState(HEARTBEAT_TIMEOUT_MS, partitionCount, false, BrokerIds.ANY,
                    ClusterState.FORGET_NEVER, settings);
            } else {
                state = ClusterState.restore(HEARTBEAT_TIMEOUT_MS, partitionCount, false, BrokerIds.ANY,
                    ClusterState.FORGET_NEVER, settings, stored, now);
            }
            registered.clear();
            int gen = generation;
            timer(gen, LIVENESS_CHECK_MS, "coord liveness check", this::livenessLoop);
            timer(gen, 300 + random.nextInt(3000), "coord preferred election", this::preferredLoop);
            if (!topicCreated) {
                timer(gen, 200, "coord create topic", this::createTopic);
            }
        }

        void crash() {
            stored = state.snapshot(); // every change was persisted before it was answered or broadcast
            up = false;
            generation++;
            resetAllOf(COORDINATOR, "coordinator crashed");
        }

        private void timer(int gen, long delay, String label, Runnable r) {
            at(delay, label, () -> {
                if (up && generation == gen) {
                    r.run();
                }
            });
        }

        private void livenessLoop() {
            if (state.checkLiveness(now)) {
                broadcast("liveness");
            }
            timer(generation, LIVENESS_CHECK_MS, "coord liveness check", this::livenessLoop);
        }

        private void preferredLoop() {
            if (state.electPreferredLeaders()) {
                broadcast("preferred election");
            }
            timer(generation, 300 + random.nextInt(3000), "coord preferred election", this::preferredLoop);
        }

        private void createTopic() {
            ErrorCode e = state.createTopic(TOPIC, partitionCount, BROKERS,
                Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, Integer.toString(minIsr)), now).error();
            if (e == ErrorCode.NONE) {
                topicCreated = true;
                note("topic created: " + state.metadata().topic(TOPIC));
                broadcast("topic created");
            } else {
                timer(generation, 100, "coord create topic", this::createTopic);
            }
        }

        void broadcast(String why) {
            ClusterMetadata m = state.metadata();
            for (Map.Entry<Integer, Conn> e : registered.entrySet()) {
                Broker b = brokers[e.getKey()];
                send(e.getValue(), COORDINATOR, () -> "LEADER_INFO epoch " + m.epoch() + " (" + why + ")",
                    () -> b.onMetadata(m, "LEADER_INFO"));
            }
        }

        /** A broker connected: the coordinator's end of the connection. */
        void accept(Conn c) {
            int gen = generation;
            c.onServerClose = () -> {
                if (up && generation == gen) {
                    state.connectionClosed(c.id);
                    registered.values().remove(c);
                }
            };
        }

        void onRegister(Conn c, Broker b, long incarnation) {
            RegisterResult r = state.registerBroker(b.id, "h" + b.id, 9000 + b.id, incarnation, b.startedClean, c.id,
                REMOTE, now);
            if (r.error() == ErrorCode.NONE) {
                registered.put(b.id, c);
                if (powerLossBroker == b.id && incarnation == b.incarnation) {
                    note("coordinator saw b" + b.id + "'s new incarnation: its power-loss window ends");
                    powerLossBroker = 0;
                    b.exempt = false;
                }
            }
            ClusterMetadata m = state.metadata();
            send(c, COORDINATOR, () -> "REGISTER_RESPONSE " + r.error() + " brokerEpoch " + r.brokerEpoch(),
                () -> b.onRegistered(c, r.error(), r.brokerEpoch(), m));
            if (r.changed()) {
                broadcast("b" + b.id + " registered");
            }
        }

        void onHeartbeat(Conn c, Broker b) {
            HeartbeatResult r = state.heartbeat(b.id, c.id, List.of(), now);
            send(c, COORDINATOR, () -> "HEARTBEAT_RESPONSE " + (r.known() ? "NONE" : "UNKNOWN_BROKER"),
                () -> b.onHeartbeatAnswer(c, r.known()));
            if (r.changed()) {
                broadcast("heartbeat of b" + b.id);
            }
        }

        void onAlterIsr(Conn c, Broker b, long requestId, long brokerEpoch, AlterIsrPartition change) {
            AlterIsrOutcome o = state.alterIsr(b.id, brokerEpoch, List.of(change));
            AlterIsrResult result = o.error() == ErrorCode.NONE && o.results().size() == 1 ? o.results().get(0) : null;
            send(c, COORDINATOR, () -> "ALTER_ISR_RESPONSE " + (result == null ? o.error() : result),
                () -> b.onIsrAnswer(c, requestId, result));
            if (o.changed()) {
                broadcast("isr change asked by b" + b.id);
            }
        }

        void onShutdown(Conn c, Broker b) {
            boolean applied = state.brokerShutdown(b.id, c.id);
            send(c, COORDINATOR, () -> "BROKER_SHUTDOWN_RESPONSE " + applied, () -> b.onShutdownAnswer(c));
            if (applied) {
                broadcast("b" + b.id + " shut down");
            }
        }
    }

    // ---------------------------------------------------------------- brokers

    /** What a leader waits on for an acks=all publish. */
    private record DelayedAck(long end, long offset, Conn conn, long requestId, int partition) {
    }

    /** One partition on one broker process (the log itself outlives the process: {@link Broker#logs}). */
    final class Part {
        final int index;
        PartitionInfo info;
        int minIsr = 1;
        boolean leader;
        int leaderEpoch;
        LeaderReplicas replicas;
        final List<DelayedAck> delayed = new ArrayList<>();
        int followLeader = -1;
        /** The fetch in flight: its request id (0: none) and what it asked. */
        long fetchId;
        Conn fetchConn;
        long askedOffset;
        int askedEpoch;
        boolean fetchScheduled;

        Part(int index) {
            this.index = index;
        }
    }

    /** A broker process on a machine; its logs are the machine's disk. */
    final class Broker {
        final int id;
        final SimLog[] logs = new SimLog[3];
        boolean up;
        boolean paused;
        final List<Runnable> held = new ArrayList<>();
        int generation;
        long incarnation;
        Conn coord;
        boolean registered;
        boolean shuttingDown;
        long brokerEpoch = -1;
        long metadataEpoch;
        Map<Integer, BrokerInfo> brokerInfos = Map.of();
        final Map<Long, Consumer<AlterIsrResult>> isrAnswers = new LinkedHashMap<>();
        long nextRequestId = 1;
        Part[] parts = new Part[0];
        final Map<Integer, Conn> fetchConns = new LinkedHashMap<>();
        /** Lost its unflushed tail in a power loss; exempt from the ISR check until the coordinator sees it again. */
        boolean exempt;
        /** The data directory's clean-shutdown marker: written by a clean close, removed by the next start. */
        boolean cleanShutdownMarker;
        /** Whether this process found the marker at start: sent with its registrations. */
        boolean startedClean;

        Broker(int id) {
            this.id = id;
            for (int p = 0; p < logs.length; p++) {
                logs[p] = new SimLog(); // an empty log is what a replica that never opened its partition has
            }
        }

        SimLog log(int p) {
            if (logs[p] == null) {
                logs[p] = new SimLog();
            }
            return logs[p];
        }

        Part part(int p) {
            return p < parts.length ? parts[p] : null;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("b" + id + (up ? paused ? " paused" : " up" : " down")
                + (exempt ? " (power loss)" : "") + " registered " + registered + " brokerEpoch " + brokerEpoch
                + " metadataEpoch " + metadataEpoch);
            for (int p = 0; p < logs.length; p++) {
                if (logs[p] == null) {
                    continue;
                }
                Part part = part(p);
                sb.append("\n    p").append(p).append(' ').append(logs[p]);
                if (part != null) {
                    sb.append(part.leader ? " LEADER epoch " + part.leaderEpoch : part.followLeader > 0
                        ? " follows b" + part.followLeader + " epoch " + part.leaderEpoch + " (fetch in flight "
                        + part.fetchId + ", scheduled " + part.fetchScheduled + ")" : " idle");
                    if (part.replicas != null) {
                        sb.append(" maximalIsr ").append(part.replicas.maximalIsr()).append(" pending ")
                            .append(part.replicas.proposalPending());
                    }
                    sb.append(" info ").append(part.info);
                }
                sb.append(" entries ").append(entries(logs[p]));
            }
            return sb.toString();
        }

        /** Runs {@code r} after {@code delay} in this process, unless it died meanwhile; later if paused. */
        void timer(long delay, String label, Runnable r) {
            int gen = generation;
            at(delay, () -> "b" + id + " " + label, () -> {
                if (!up || generation != gen) {
                    return;
                }
                if (paused) {
                    held.add(() -> {
                        if (up && generation == gen) {
                            r.run();
                        }
                    });
                    return;
                }
                r.run();
            });
        }

        // ----- lifecycle

        void start() {
            up = true;
            paused = false;
            held.clear();
            generation++;
            incarnation = nextIncarnation++;
            startedClean = cleanShutdownMarker;
            cleanShutdownMarker = false;
            coord = null;
            registered = false;
            shuttingDown = false;
            brokerEpoch = -1;
            metadataEpoch = 0;
            brokerInfos = Map.of();
            isrAnswers.clear();
            parts = new Part[0];
            fetchConns.clear();
            for (SimLog l : logs) {
                if (l != null) {
                    l.restart();
                }
            }
            invariants.processStarted(this);
            connectCoordinator();
            timer(HEARTBEAT_INTERVAL_MS, "heartbeat", this::heartbeatLoop);
            timer(LAG_MAX_MS / 2, "isr check", this::isrCheckLoop);
            timer(HW_CHECKPOINT_MS, "hw checkpoint", this::checkpointLoop);
        }

        /** kill -9: the process is gone at once; its logs stay in the page cache. */
        void crash() {
            stop();
        }

        /** Power loss: the machine stops; each log keeps its flushed part and a random part of the rest. */
        void powerLoss() {
            stop();
            boolean emptyDir = random.nextInt(4) == 0;
            for (SimLog l : logs) {
                if (l != null) {
                    long keep = l.flushedEnd() + (long) random.nextInt((int) (l.logEndOffset() - l.flushedEnd()) + 1);
                    l.powerLoss(keep, emptyDir);
                }
            }
            note("b" + id + " lost power" + (emptyDir ? " and its data directory" : "") + ": " + logsText());
            exempt = true;
        }

        String logsText() {
            StringBuilder sb = new StringBuilder();
            for (int p = 0; p < logs.length; p++) {
                if (logs[p] != null) {
                    sb.append("p").append(p).append(' ').append(logs[p]).append("; ");
                }
            }
            return sb.toString();
        }

        private void stop() {
            up = false;
            paused = false;
            held.clear();
            generation++;
            resetAllOf(id, "b" + id + " stopped");
        }

        /** Clean shutdown: the coordinator moves its leaderships first (or a timeout passes), then a clean close. */
        void shutdown() {
            shuttingDown = true;
            if (coord != null && coord.open && registered) {
                Conn c = coord;
                send(c, id, () -> "BROKER_SHUTDOWN_REQUEST", () -> coordinator.onShutdown(c, this));
            }
            timer(1000, "shutdown timeout", this::closeCleanly);
        }

        void onShutdownAnswer(Conn c) {
            if (shuttingDown && c == coord) {
                closeCleanly();
            }
        }

        private void closeCleanly() {
            for (Part p : parts) {
                resign(p, ErrorCode.PARTITION_OFFLINE);
            }
            for (SimLog l : logs) {
                if (l != null) {
                    l.flush();
                    l.checkpointHighWatermark();
                }
            }
            note("b" + id + " closed cleanly");
            stop();
            cleanShutdownMarker = true;
        }

        void pause(long ms) {
            paused = true;
            int gen = generation;
            at(ms, "b" + id + " resumes", () -> {
                if (up && generation == gen && paused) {
                    paused = false;
                    List<Runnable> waiting = new ArrayList<>(held);
                    held.clear();
                    for (Runnable r : waiting) {
                        if (up && generation == gen && !paused) {
                            r.run();
                        } else if (up && generation == gen) {
                            held.add(r);
                        }
                    }
                }
            });
        }

        private void checkpointLoop() {
            for (SimLog l : logs) {
                l.checkpointHighWatermark();
            }
            timer(HW_CHECKPOINT_MS, "hw checkpoint", this::checkpointLoop);
        }

        // ----- coordinator link (CoordinatorLink)

        private void connectCoordinator() {
            if (shuttingDown) {
                return;
            }
            Conn c = track(connect(id, COORDINATOR));
            if (c == null) {
                timer(100 + random.nextInt(200), "reconnect to coordinator", this::connectCoordinator);
                return;
            }
            coord = c;
            coordinator.accept(c);
            int gen = generation;
            c.onClientClose = () -> {
                if (generation == gen && coord == c) {
                    registered = false;
                    coord = null;
                    failIsrAnswers();
                    timer(50 + random.nextInt(150), "reconnect to coordinator", this::connectCoordinator);
                }
            };
            register();
        }

        private void register() {
            registered = false;
            if (shuttingDown) {
                return;
            }
            Conn c = coord;
            long inc = incarnation;
            send(c, id, () -> "REGISTER_BROKER incarnation " + inc, () -> coordinator.onRegister(c, this, inc));
        }

        void onRegistered(Conn c, ErrorCode error, long epoch, ClusterMetadata m) {
            if (c != coord || shuttingDown) {
                return;
            }
            if (error != ErrorCode.NONE) {
                timer(200, "register again after " + error, () -> {
                    if (c == coord && c.open) {
                        register();
                    }
                });
                return;
            }
            registered = true;
            brokerEpoch = epoch;
            onMetadata(m, "registration");
        }

        private void heartbeatLoop() {
            if (registered && coord != null && coord.open) {
                Conn c = coord;
                send(c, id, () -> "HEARTBEAT", () -> coordinator.onHeartbeat(c, this));
            }
            timer(HEARTBEAT_INTERVAL_MS, "heartbeat", this::heartbeatLoop);
        }

        void onHeartbeatAnswer(Conn c, boolean known) {
            if (!known && c == coord && !shuttingDown) {
                register();
            }
        }

        private void failIsrAnswers() {
            List<Consumer<AlterIsrResult>> pending = new ArrayList<>(isrAnswers.values());
            isrAnswers.clear();
            for (Consumer<AlterIsrResult> a : pending) {
                a.accept(null);
            }
        }

        void alterIsr(AlterIsrPartition change, Consumer<AlterIsrResult> answer) {
            if (coord == null || !coord.open || !registered || brokerEpoch < 0) {
                answer.accept(null);
                return;
            }
            long requestId = nextRequestId++;
            isrAnswers.put(requestId, answer);
            Conn c = coord;
            long epoch = brokerEpoch;
            send(c, id, () -> "ALTER_ISR " + change, () -> coordinator.onAlterIsr(c, this, requestId, epoch, change));
        }

        void onIsrAnswer(Conn c, long requestId, AlterIsrResult result) {
            if (c != coord) {
                return;
            }
            Consumer<AlterIsrResult> answer = isrAnswers.remove(requestId);
            if (answer != null) {
                answer.accept(result);
            }
        }

        // ----- PartitionManager.onMetadata / applyState

        void onMetadata(ClusterMetadata m, String how) {
            if (m.epoch() < metadataEpoch) {
                return;
            }
            metadataEpoch = m.epoch();
            Map<Integer, BrokerInfo> infos = new LinkedHashMap<>();
            for (BrokerInfo b : m.brokers()) {
                infos.put(b.id(), b);
            }
            brokerInfos = infos;
            TopicInfo t = m.topic(TOPIC);
            if (t == null) {
                return;
            }
            if (parts.length < t.partitionCount()) {
                Part[] next = new Part[t.partitionCount()];
                System.arraycopy(parts, 0, next, 0, parts.length);
                for (int p = parts.length; p < next.length; p++) {
                    next[p] = new Part(p);
                }
                parts = next;
            }
            int topicMinIsr = (int) Math.min(Short.MAX_VALUE,
                t.longConfig(TopicConfigs.MIN_INSYNC_REPLICAS, 1));
            for (PartitionInfo info : t.partitions()) {
                applyState(parts[info.partition()], info, topicMinIsr);
            }
        }

        private void applyState(Part p, PartitionInfo info, int topicMinIsr) {
            PartitionInfo before = p.info;
            if (before != null && (info.leaderEpoch() < before.leaderEpoch()
                || (info.leaderEpoch() == before.leaderEpoch() && info.partitionEpoch() < before.partitionEpoch()))) {
                return;
            }
            p.info = info;
            p.minIsr = Math.max(1, Math.min(topicMinIsr, info.replicas().size()));
            boolean replica = info.isReplica(id);
            boolean leads = info.leader() == id;
            if (replica) {
                log(p.index);
            }
            if (leads) {
                unfollow(p);
                if (!p.leader || info.leaderEpoch() != p.leaderEpoch) {
                    resign(p, ErrorCode.NOT_LEADER);
                    p.leaderEpoch = info.leaderEpoch();
                    p.leader = true;
                    makeLeader(p, info);
                } else {
                    if (p.replicas != null) {
                        p.replicas.update(info, now);
                    }
                    afterIsrChange(p);
                }
                return;
            }
            resign(p, ErrorCode.NOT_LEADER);
            p.leader = false;
            p.leaderEpoch = info.leaderEpoch();
            if (replica && info.leader() >= 0) {
                follow(p, info.leader());
            } else {
                unfollow(p);
            }
        }

        private void makeLeader(Part p, PartitionInfo info) {
            SimLog log = log(p.index);
            LeaderReplicas r = new LeaderReplicas(p.info.leaderEpoch() == info.leaderEpoch() ? p.info : info, id,
                log.logEndOffset(), now);
            p.replicas = r;
            note("b" + id + " leads p" + p.index + " in epoch " + info.leaderEpoch() + " from offset "
                + log.logEndOffset() + " (hw " + log.highWatermark() + ", isr " + info.isr() + ")");
            count("leader elected");
            maybeAdvanceHighWatermark(p);
        }

        private void resign(Part p, ErrorCode why) {
            p.replicas = null;
            List<DelayedAck> waiting = new ArrayList<>(p.delayed);
            p.delayed.clear();
            for (DelayedAck d : waiting) {
                answerPublish(d.conn(), d.requestId(), d.partition(), why, -1);
            }
        }

        private void afterIsrChange(Part p) {
            LeaderReplicas r = p.replicas;
            if (r != null && r.info().isr().size() < p.minIsr && !p.delayed.isEmpty()) {
                List<DelayedAck> failed = new ArrayList<>(p.delayed);
                p.delayed.clear();
                for (DelayedAck d : failed) {
                    answerPublish(d.conn(), d.requestId(), d.partition(), ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                        -1);
                }
            }
            maybeAdvanceHighWatermark(p);
        }

        private void maybeAdvanceHighWatermark(Part p) {
            LeaderReplicas r = p.replicas;
            if (r == null) {
                return;
            }
            SimLog log = log(p.index);
            long before = log.highWatermark();
            long candidate = r.highWatermark(log.logEndOffset(), p.minIsr);
            if (candidate > before) {
                log.updateHighWatermark(candidate);
            }
            long hw = log.highWatermark();
            if (!p.delayed.isEmpty()) {
                for (Iterator<DelayedAck> it = p.delayed.iterator(); it.hasNext(); ) {
                    DelayedAck d = it.next();
                    if (d.end() <= hw) {
                        it.remove();
                        answerPublish(d.conn(), d.requestId(), d.partition(), ErrorCode.NONE, d.offset());
                    }
                }
            }
        }

        private void isrCheckLoop() {
            for (Part p : parts) {
                LeaderReplicas r = p.replicas;
                if (!p.leader || r == null) {
                    continue;
                }
                List<Integer> shrunk = r.shrinkProposal(now, LAG_MAX_MS);
                if (shrunk != null) {
                    r.proposed(shrunk);
                    proposeIsr(p, r, shrunk, "lagging: " + r.lagging(now, LAG_MAX_MS));
                }
            }
            timer(LAG_MAX_MS / 2, "isr check", this::isrCheckLoop);
        }

        private void proposeIsr(Part p, LeaderReplicas r, List<Integer> isr, String why) {
            PartitionInfo info = r.info();
            note("b" + id + " proposes isr " + info.isr() + " -> " + isr + " for p" + p.index + " (" + why + ")");
            count("isr proposed");
            AlterIsrPartition proposal = new AlterIsrPartition(TOPIC, p.index, info.leaderEpoch(),
                info.partitionEpoch(), isr);
            alterIsr(proposal, result -> onIsrResult(p, r, proposal, result));
        }

        private void onIsrResult(Part p, LeaderReplicas r, AlterIsrPartition proposal, AlterIsrResult result) {
            if (p.replicas != r) {
                return;
            }
            if (result != null && result.error() == ErrorCode.NONE && result.leaderEpoch() == r.leaderEpoch()) {
                PartitionInfo info = r.info();
                PartitionInfo next = new PartitionInfo(info.partition(), result.leader(), result.leaderEpoch(),
                    result.partitionEpoch(), info.replicas(), result.isr());
                r.update(next, now);
                PartitionInfo current = p.info;
                if (current == null || current.partitionEpoch() < next.partitionEpoch()) {
                    p.info = next;
                }
            } else {
                note("b" + id + " p" + p.index + " isr change not applied: " + (result == null ? "no answer"
                    : result.error()));
                if (legacyIsrAnswer) {
                    r.proposalFailed(); // LeaderReplication.onIsrResult before proposalUnanswered/proposalFailed(int)
                } else if (result == null) {
                    r.proposalUnanswered(proposal.partitionEpoch());
                } else if (LEGACY_REFUSAL) {
                    r.proposalFailed(); // a refusal clears whatever proposal is pending, as before
                } else {
                    r.proposalFailed(proposal.partitionEpoch());
                }
            }
            afterIsrChange(p);
        }

        // ----- publish (PartitionManager.publish with acks=all)

        void onPublish(Conn c, long requestId, int partition, long payload) {
            Part p = part(partition);
            if (p == null || !p.leader) {
                answerPublish(c, requestId, partition, ErrorCode.NOT_LEADER, -1);
                return;
            }
            PartitionInfo info = p.info;
            if (info != null && info.isr().size() < p.minIsr) {
                answerPublish(c, requestId, partition, ErrorCode.NOT_ENOUGH_REPLICAS, -1);
                return;
            }
            SimLog log = log(partition);
            long offset = log.appendAsLeader(p.leaderEpoch, payload);
            long end = log.logEndOffset();
            maybeAdvanceHighWatermark(p);
            if (log.highWatermark() >= end) {
                answerPublish(c, requestId, partition, ErrorCode.NONE, offset);
                return;
            }
            if (p.replicas == null) {
                answerPublish(c, requestId, partition, ErrorCode.NOT_LEADER, -1);
                return;
            }
            DelayedAck d = new DelayedAck(end, offset, c, requestId, partition);
            p.delayed.add(d);
            timer(PUBLISH_TIMEOUT_MS, "publish timeout", () -> {
                if (p.delayed.remove(d)) {
                    answerPublish(c, requestId, partition, ErrorCode.REQUEST_TIMED_OUT, -1);
                }
            });
        }

        private void answerPublish(Conn c, long requestId, int partition, ErrorCode error, long offset) {
            send(c, id, () -> "PUBLISH_RESPONSE p" + partition + " " + error + (offset >= 0 ? " offset " + offset : ""),
                () -> producer.onAnswer(requestId, partition, error, offset));
        }

        // ----- leader: serving replica fetches (ReplicaFetchServer.serveFetch)

        void onFetch(Conn c, Broker follower, long requestId, long followerEpoch, int partition,
                     int currentLeaderEpoch, long fetchOffset, int lastFetchedEpoch) {
            BrokerInfo known = brokerInfos.get(follower.id);
            if (known != null && known.brokerEpoch() > followerEpoch) {
                answerFetch(c, follower, requestId, partition, ErrorCode.STALE_BROKER_EPOCH, -1, -1, -1, null, null);
                return;
            }
            Part p = part(partition);
            ErrorCode error = fetchError(p, follower.id, currentLeaderEpoch);
            if (error != ErrorCode.NONE) {
                answerFetch(c, follower, requestId, partition, error, -1, -1, -1, null, null);
                return;
            }
            SimLog log = log(partition);
            long leaderEnd = log.logEndOffset();
            EpochEndOffset diverged = divergence(log, lastFetchedEpoch, fetchOffset);
            if (diverged != null) {
                answerFetch(c, follower, requestId, partition, ErrorCode.NONE, log.highWatermark(),
                    log.logStartOffset(), leaderEnd, diverged, null);
                return;
            }
            if (fetchOffset < log.logStartOffset() || fetchOffset > leaderEnd) {
                answerFetch(c, follower, requestId, partition, ErrorCode.OFFSET_OUT_OF_RANGE, log.highWatermark(),
                    log.logStartOffset(), leaderEnd, null, null);
                return;
            }
            LeaderReplicas r = p.replicas;
            r.onFetch(follower.id, fetchOffset, leaderEnd, now);
            List<Integer> expanded = r.expandProposal(follower.id, log.highWatermark());
            if (expanded != null) {
                r.proposed(expanded);
                proposeIsr(p, r, expanded, "b" + follower.id + " caught up to offset " + fetchOffset);
            }
            maybeAdvanceHighWatermark(p);
            List<SimLog.Entry> records = new ArrayList<>();
            long upTo = Math.min(leaderEnd, fetchOffset + 1 + random.nextInt(FETCH_MAX_RECORDS));
            for (long o = fetchOffset; o < upTo; o++) {
                records.add(log.at(o));
            }
            answerFetch(c, follower, requestId, partition, ErrorCode.NONE, log.highWatermark(), log.logStartOffset(),
                leaderEnd, null, records);
        }

        private EpochEndOffset divergence(SimLog log, int lastFetchedEpoch, long fetchOffset) {
            EpochEndOffset ours = log.endOffsetForEpoch(lastFetchedEpoch);
            if (legacyDivergence) {
                // ReplicaFetchServer.serveFetch's inline rule before Divergence
                if (lastFetchedEpoch >= 0 && !ours.isUndefined()
                    && (ours.epoch() != lastFetchedEpoch || ours.endOffset() < fetchOffset)) {
                    return ours;
                }
                return null;
            }
            EpochEndOffset diverged = Divergence.divergence(ours, log.latestEpoch(), log.logStartOffset(),
                lastFetchedEpoch, fetchOffset);
            if (diverged != null && ours.isUndefined()) {
                count("divergence below the leader's first epoch");
            }
            return diverged;
        }

        private ErrorCode fetchError(Part p, int replicaId, int currentLeaderEpoch) {
            if (p == null || !p.leader || p.replicas == null) {
                return ErrorCode.NOT_LEADER;
            }
            if (currentLeaderEpoch < p.leaderEpoch) {
                return ErrorCode.FENCED_LEADER_EPOCH;
            }
            if (currentLeaderEpoch > p.leaderEpoch) {
                return ErrorCode.UNKNOWN_LEADER_EPOCH;
            }
            PartitionInfo info = p.info;
            if (info == null || !info.isReplica(replicaId) || replicaId == id) {
                return ErrorCode.INELIGIBLE_REPLICA;
            }
            return ErrorCode.NONE;
        }

        private void answerFetch(Conn c, Broker follower, long requestId, int partition, ErrorCode error, long hw,
                                 long logStart, long leaderEnd, EpochEndOffset diverged, List<SimLog.Entry> records) {
            List<SimLog.Entry> sent = records == null ? List.of() : List.copyOf(records);
            send(c, id, () -> "FETCH_RESPONSE p" + partition + " " + error + " hw " + hw + " end " + leaderEnd
                    + (diverged != null ? " diverged at " + diverged : "") + (sent.isEmpty() ? ""
                    : " records " + sent.size()),
                () -> follower.onFetchAnswer(c, requestId, partition, error, hw, logStart, leaderEnd, diverged, sent));
        }

        // ----- follower (FollowerFetchers + FollowerApply.applyFetched)

        private void follow(Part p, int leader) {
            p.followLeader = leader;
            if (p.fetchId == 0 && !p.fetchScheduled) {
                scheduleFetch(p, random.nextInt(5));
            }
        }

        private void unfollow(Part p) {
            p.followLeader = -1;
            p.fetchId = 0;
        }

        private void scheduleFetch(Part p, long delay) {
            p.fetchScheduled = true;
            timer(delay, "fetch p" + p.index, () -> {
                p.fetchScheduled = false;
                fetch(p);
            });
        }

        private void fetch(Part p) {
            if (p.leader || p.followLeader < 0 || p.fetchId != 0) {
                return;
            }
            int leaderId = p.followLeader;
            Conn c = fetchConns.get(leaderId);
            if (c == null || !c.open) {
                c = track(connect(id, leaderId));
                if (c == null) {
                    scheduleFetch(p, 100 + random.nextInt(100));
                    return;
                }
                fetchConns.put(leaderId, c);
                Conn opened = c;
                opened.onClientClose = () -> {
                    for (Part q : parts) {
                        if (q.fetchId != 0 && q.fetchConn == opened) {
                            q.fetchId = 0;
                            if (!q.fetchScheduled) {
                                scheduleFetch(q, 50 + random.nextInt(100));
                            }
                        }
                    }
                };
            }
            p.fetchConn = c;
            SimLog log = log(p.index);
            long requestId = nextRequestId++;
            p.fetchId = requestId;
            p.askedOffset = log.logEndOffset();
            p.askedEpoch = p.leaderEpoch;
            int lastFetchedEpoch = log.latestEpoch();
            long offset = p.askedOffset;
            int epoch = p.askedEpoch;
            long myEpoch = brokerEpoch;
            Broker leader = brokers[leaderId];
            Conn conn = c;
            send(conn, id, () -> "REPLICA_FETCH p" + p.index + " offset " + offset + " lastFetchedEpoch "
                    + lastFetchedEpoch
                    + " leaderEpoch " + epoch,
                () -> leader.onFetch(conn, this, requestId, myEpoch, p.index, epoch, offset, lastFetchedEpoch));
            timer(FETCH_TIMEOUT_MS, "fetch timeout p" + p.index, () -> {
                if (p.fetchId == requestId) {
                    p.fetchId = 0;
                    scheduleFetch(p, 0);
                }
            });
        }

        void onFetchAnswer(Conn c, long requestId, int partition, ErrorCode error, long hw, long logStart,
                           long leaderEnd, EpochEndOffset diverged, List<SimLog.Entry> records) {
            Part p = part(partition);
            if (p == null || p.fetchId != requestId) {
                return;
            }
            p.fetchId = 0;
            long next = applyFetched(p, error, hw, logStart, leaderEnd, diverged, records);
            if (next >= 0) {
                scheduleFetch(p, next);
            }
        }

        /** @return the delay before the next fetch */
        private long applyFetched(Part p, ErrorCode error, long hw, long logStart, long leaderEnd,
                                  EpochEndOffset diverged, List<SimLog.Entry> records) {
            SimLog log = log(p.index);
            if (p.leader || log.logEndOffset() != p.askedOffset || p.leaderEpoch != p.askedEpoch) {
                return 0;
            }
            switch (error) {
                case NONE -> {
                    if (diverged != null) {
                        EpochEndOffset ours = log.endOffsetForEpoch(diverged.epoch());
                        long target = Divergence.truncationTarget(ours, log.firstEpochStartOffset(),
                            diverged.epoch(), diverged.endOffset(), log.logEndOffset(), log.logStartOffset());
                        note("b" + id + " p" + p.index + " diverges at " + diverged + " (ours " + ours
                            + "): truncating " + log.logEndOffset() + " -> " + target);
                        count("divergence truncation");
                        log.truncateTo(target);
                        return 0;
                    }
                    try {
                        log.appendAsFollower(p.askedOffset, records);
                    } catch (IllegalArgumentException e) {
                        throw fail("b" + id + " p" + p.index + " refused the leader's records: " + e.getMessage());
                    }
                    long followerHw = Math.min(hw, log.logEndOffset());
                    if (followerHw > log.highWatermark()) {
                        log.updateHighWatermark(followerHw);
                    }
                    return records.isEmpty() ? 20 + random.nextInt(80) : random.nextInt(5);
                }
                case OFFSET_OUT_OF_RANGE -> {
                    if (p.askedOffset < logStart || leaderEnd < log.logStartOffset()) {
                        log.truncateFullyAndStartAt(logStart);
                    } else {
                        note("b" + id + " p" + p.index + " is ahead of the leader's end " + leaderEnd
                            + ": truncating " + log.logEndOffset() + " -> " + leaderEnd);
                        count("out of range truncation");
                        log.truncateTo(leaderEnd);
                    }
                    return 0;
                }
                case STALE_BROKER_EPOCH -> {
                    return 400;
                }
                default -> {
                    return 200;
                }
            }
        }
    }

    // ---------------------------------------------------------------- producer

    /** A client publishing one record at a time per partition with acks=all to the leader it believes in. */
    final class Producer {
        ClusterMetadata metadata = ClusterMetadata.EMPTY;
        final Map<Integer, Conn> conns = new LinkedHashMap<>();
        final Map<Long, Long> payloads = new LinkedHashMap<>();
        long nextRequestId = 1;
        long nextPayload = 1;
        boolean on;
        long acked;
        long failed;
        /** Acknowledged payloads with the offsets they were acknowledged at, oldest first (for scripted tests). */
        final Map<Long, Long> ackedAt = new LinkedHashMap<>();

        void start() {
            on = true;
            at(10, "producer tick", this::tick);
            at(0, "producer metadata", this::refreshLoop);
        }

        private void refreshLoop() {
            refresh();
            at(100 + random.nextInt(300), "producer metadata", this::refreshLoop);
        }

        void refresh() {
            if (coordinator.up && !splitBetween(PRODUCER, COORDINATOR)) {
                metadata = coordinator.state.metadata();
            }
        }

        private void tick() {
            if (on) {
                publish();
            }
            at(5 + random.nextInt(40), "producer tick", this::tick);
        }

        private void publish() {
            TopicInfo t = metadata.topic(TOPIC);
            if (t == null) {
                return;
            }
            int partition = random.nextInt(t.partitionCount());
            int leader = t.partition(partition).leader();
            if (leader < 1) {
                return;
            }
            Conn c = conns.get(leader);
            if (c == null || !c.open) {
                c = track(connect(PRODUCER, leader));
                if (c == null) {
                    return;
                }
                conns.put(leader, c);
            }
            long requestId = nextRequestId++;
            long payload = nextPayload++;
            payloads.put(requestId, payload);
            Broker b = brokers[leader];
            Conn conn = c;
            send(conn, PRODUCER, () -> "PUBLISH p" + partition + " payload " + payload + " acks=all",
                () -> b.onPublish(conn, requestId, partition, payload));
        }

        /** Publishes one record now, as a tick would (for scripted tests); its payload, or -1 when none was sent. */
        long publishOne() {
            long payload = nextPayload;
            publish();
            return nextPayload > payload ? payload : -1;
        }

        void onAnswer(long requestId, int partition, ErrorCode error, long offset) {
            Long payload = payloads.remove(requestId);
            if (payload == null) {
                throw fail("an answer to publish " + requestId + " that was answered already or never sent");
            }
            if (error == ErrorCode.NONE) {
                acked++;
                ackedAt.put(payload, offset);
                invariants.acknowledged(partition, offset, payload);
            } else {
                failed++;
                refresh();
            }
        }
    }

    // ---------------------------------------------------------------- faults

    void startFaults() {
        faultsOn = true;
        at(random.nextInt(400), "fault", this::faultLoop);
    }

    void stopFaults() {
        faultsOn = false;
    }

    private void faultLoop() {
        if (!faultsOn) {
            return;
        }
        if (powerLossBroker == 0) {
            injectFault();
        }
        at(50 + random.nextInt(500), "fault", this::faultLoop);
    }

    private void injectFault() {
        int b = 1 + random.nextInt(BROKERS);
        Broker broker = brokers[b];
        int kind = random.nextInt(100);
        if (kind < 14) {
            if (broker.up) {
                note("FAULT kill -9 b" + b);
                count("crash");
                broker.crash();
                at(50 + random.nextInt(1500), "b" + b + " restarts", () -> restart(broker));
            }
        } else if (kind < 22) {
            if (broker.up && !broker.shuttingDown && !broker.paused) {
                note("FAULT clean shutdown b" + b);
                count("clean shutdown");
                broker.shutdown();
                at(1100 + random.nextInt(1500), "b" + b + " restarts", () -> restart(broker));
            }
        } else if (kind < 32) {
            if (broker.up && !broker.paused) {
                long ms = random.nextBoolean() ? 50 + random.nextInt(500) : 800 + random.nextInt(2000);
                note("FAULT pause b" + b + " for " + ms + " ms");
                count("pause");
                broker.pause(ms);
            }
        } else if (kind < 40) {
            if (powerLossEnabled && powerLossAllowed(broker)) {
                note("FAULT power loss b" + b);
                count("power loss");
                broker.powerLoss();
                powerLossBroker = b;
                at(50 + random.nextInt(800), "b" + b + " restarts", () -> restart(broker));
            }
        } else if (kind < 62) {
            List<Conn> open = new ArrayList<>();
            for (Conn c : allConns) {
                if (c.open) {
                    open.add(c);
                }
            }
            if (!open.isEmpty()) {
                count("connection reset");
                reset(open.get(random.nextInt(open.size())), "FAULT");
            }
        } else if (kind < 80) {
            int other = random.nextInt(PRODUCER + 1);
            if (other != b) {
                long ms = random.nextBoolean() ? 50 + random.nextInt(400) : 600 + random.nextInt(2000);
                note("FAULT network split b" + b + " | " + name(other) + " for " + ms + " ms");
                count("network split");
                split[b][other] = now + ms;
                split[other][b] = now + ms;
                for (Conn c : new ArrayList<>(allConns)) {
                    if (c.open && (c.client == b && c.server == other || c.client == other && c.server == b)) {
                        reset(c, "split");
                    }
                }
            }
        } else if (kind < 86) {
            if (coordinator.up) {
                note("FAULT coordinator crash");
                count("coordinator crash");
                coordinator.crash();
                at(50 + random.nextInt(1500), "coordinator restarts", () -> {
                    if (coordinator.up) {
                        return; // heal() started it already
                    }
                    coordinator.start();
                    note("coordinator restarted at epoch " + coordinator.state.epoch());
                });
            }
        }
        // else: nothing this time
    }

    private void restart(Broker b) {
        if (b.up) {
            if (!b.shuttingDown) {
                return;
            }
            b.crash(); // the clean shutdown never got its answer and the timeout has not fired: kill it
        }
        note("b" + b.id + " starts (new incarnation)");
        b.start();
    }

    /**
     * A power loss may hit {@code b} only when the rest of the cluster is healthy and every partition it is in sync
     * for has another in-sync member the coordinator can elect (see the class comment).
     */
    private boolean powerLossAllowed(Broker b) {
        if (!coordinator.up || powerLossBroker != 0 || coordinator.state == null) {
            return false;
        }
        for (int x = 0; x <= PRODUCER; x++) {
            for (int y = 0; y <= PRODUCER; y++) {
                if (splitBetween(x, y)) {
                    return false;
                }
            }
        }
        for (int o = 1; o <= BROKERS; o++) {
            Broker other = brokers[o];
            if (!other.up || other.paused || other.shuttingDown || !other.registered) {
                return false;
            }
        }
        TopicInfo t = coordinator.state.metadata().topic(TOPIC);
        if (t == null) {
            return false;
        }
        for (PartitionInfo p : t.partitions()) {
            if (!p.online()) {
                return false;
            }
            if (p.isr().contains(b.id) && p.isr().size() < 2 && p.eligibleLeaders().isEmpty()) {
                return false; // the last candidate: nothing could stand in for what it loses
            }
        }
        return true;
    }

    /** Ends every fault: restarts what is down, resumes what is paused, heals splits. */
    void heal() {
        for (long[] row : split) {
            java.util.Arrays.fill(row, 0);
        }
        if (!coordinator.up) {
            coordinator.start();
        }
        for (int b = 1; b <= BROKERS; b++) {
            Broker broker = brokers[b];
            if (broker.paused) {
                broker.pause(0);
            }
        }
        for (int b = 1; b <= BROKERS; b++) {
            Broker broker = brokers[b];
            if (!broker.up) {
                broker.start();
            }
        }
    }

    static String entries(SimLog log) {
        StringBuilder sb = new StringBuilder("[");
        for (long o = log.logStartOffset(); o < log.logEndOffset(); o++) {
            SimLog.Entry e = log.at(o);
            sb.append(o == log.logStartOffset() ? "" : " ").append(e.epoch()).append(':').append(e.payload());
        }
        return sb.append(']').toString();
    }

    /** Starts the cluster and the producer. */
    void boot() {
        coordinator.start();
        for (int b = 1; b <= BROKERS; b++) {
            Broker broker = brokers[b];
            at(random.nextInt(50), "b" + b + " starts", broker::start);
        }
        producer.start();
        at(WRITEBACK_MS, "write-back", this::writeBackLoop);
    }

    /** The operating system writes dirty pages back now and then: a power loss keeps what it wrote. */
    private void writeBackLoop() {
        for (int b = 1; b <= BROKERS; b++) {
            for (SimLog l : brokers[b].logs) {
                l.flush();
            }
        }
        at(WRITEBACK_MS / 2 + random.nextInt((int) WRITEBACK_MS), "write-back", this::writeBackLoop);
    }

    Invariants invariants() {
        return invariants;
    }
}
