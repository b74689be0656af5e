package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.coordinator.store.CorruptStateException;
import io.yak.coordinator.store.StateMirror;
import io.yak.coordinator.store.StateRecord;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.testing.Seeds;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random sequences of cluster events (brokers registering as new incarnations, after clean or unclean shutdowns, or
 * as the same incarnation, dying, shutting down,
 * reporting partitions they cannot serve, leaders changing their ISR with random subsets and epochs, preferred
 * elections, coordinator restarts) with the leadership invariants checked after every event. The cluster state's
 * own invariants run on every epoch bump too (tests run with -ea). After every event, the change records and the
 * LEADER_INFO_DELTA it produced, replayed alone, must give the state and the metadata the cluster has. Replay a seed
 * with {@code -Dyak.test.seed=N}.
 */
class ReplicationModelTest {
    private static final long TIMEOUT_MS = 1000;
    private static final int BROKERS = 4;
    private static final int EVENTS = 400;
    private static final InetSocketAddress REMOTE = ClusterStateTest.REMOTE;

    static LongStream seeds() {
        return Seeds.seeds(40);
    }

    /** What one test run tracks besides the state: connections, incarnations, and what every partition was. */
    private static final class Model {
        final Random random;
        final boolean unclean;
        ClusterState state;
        long now = 1_000_000;
        long nextId = 1000;
        /** By broker id: its connection and incarnation (0: none yet). */
        final long[] connection = new long[BROKERS + 1];
        final long[] incarnation = new long[BROKERS + 1];
        /** Partition key "t-p" to its last seen state. */
        final Map<String, PartitionInfo> last = new HashMap<>();
        /** "t-p-leaderEpoch" to the leader seen in that epoch. */
        final Map<String, Integer> leaderOfEpoch = new HashMap<>();

        Model(Random random) {
            this.random = random;
            this.unclean = random.nextInt(4) == 0;
            this.state = new ClusterState(TIMEOUT_MS, 3, true, BrokerIds.ANY, ClusterState.FORGET_NEVER,
                ReplicationSettings.DEFAULTS.withDefaultReplicationFactor(1 + random.nextInt(3))
                    .withUncleanLeaderElection(unclean).withMinInsyncReplicas(1 + random.nextInt(3)));
            startRecording();
        }

        /** What the store thread would have on disk, rebuilt from the change records alone. */
        StateMirror mirror;
        /** The metadata a receiver of every push would have, rebuilt from the deltas alone. */
        ClusterMetadata seen;

        void startRecording() {
            state.recordChanges();
            mirror = new StateMirror(state.snapshot());
            seen = state.metadata();
        }

        void registerNew(int id) {
            if (connection[id] != 0) {
                state.connectionClosed(connection[id]);
            }
            connection[id] = nextId++;
            incarnation[id] = nextId++;
            state.registerBroker(id, "h" + id, 9000 + id, incarnation[id], random.nextBoolean(), connection[id],
                REMOTE, now);
            state.heartbeat(id, connection[id], List.of(), now);
        }

        void registerSame(int id) {
            if (incarnation[id] == 0) {
                registerNew(id);
                return;
            }
            if (connection[id] != 0) {
                state.connectionClosed(connection[id]);
            }
            connection[id] = nextId++;
            state.registerBroker(id, "h" + id, 9000 + id, incarnation[id], connection[id], REMOTE, now);
        }

        void kill(int id) {
            now += TIMEOUT_MS + 1;
            for (int b = 1; b <= BROKERS; b++) {
                if (b != id && connection[b] != 0) {
                    state.heartbeat(b, connection[b], reported(b), now);
                }
            }
            state.checkLiveness(now);
        }

        /** The list broker b sends again with a plain heartbeat: what the state holds for it. */
        List<PartitionRef> reported(int b) {
            return List.of(); // a heartbeat that heals: reports are exercised by report()
        }

        void report(int id) {
            if (connection[id] == 0) {
                return;
            }
            List<PartitionRef> listed = new ArrayList<>();
            for (TopicInfo t : state.metadata().topics()) {
                for (PartitionInfo p : t.partitions()) {
                    if (p.isReplica(id) && random.nextInt(3) == 0) {
                        listed.add(new PartitionRef(t.name(), p.partition()));
                    }
                }
            }
            state.heartbeat(id, connection[id], listed, now);
        }

        void alterIsr() {
            List<TopicInfo> topics = state.metadata().topics();
            if (topics.isEmpty()) {
                return;
            }
            TopicInfo t = topics.get(random.nextInt(topics.size()));
            PartitionInfo p = t.partition(random.nextInt(t.partitionCount()));
            int asker = p.leader() != PartitionInfo.NO_LEADER && random.nextInt(5) != 0 ? p.leader()
                : 1 + random.nextInt(BROKERS);
            BrokerInfo b = state.metadata().broker(asker);
            long brokerEpoch = b == null ? 0 : b.brokerEpoch() - (random.nextInt(8) == 0 ? 1 : 0);
            List<Integer> isr = new ArrayList<>();
            for (int r : p.replicas()) {
                if (r == p.leader() || random.nextBoolean()) {
                    isr.add(r);
                }
            }
            int leaderEpoch = p.leaderEpoch() - (random.nextInt(8) == 0 ? 1 : 0);
            int partitionEpoch = p.partitionEpoch() - (random.nextInt(8) == 0 ? 1 : 0);
            state.alterIsr(asker, brokerEpoch, List.of(new AlterIsrPartition(t.name(), p.partition(), leaderEpoch,
                partitionEpoch, isr)));
        }

        void restart() {
            state = ClusterState.restore(TIMEOUT_MS, 3, true, BrokerIds.ANY, ClusterState.FORGET_NEVER,
                state.replication(), state.snapshot(), now);
            startRecording();
            for (int id = 1; id <= BROKERS; id++) {
                connection[id] = 0; // every broker must register again; its heartbeats are refused until then
            }
        }

        void step(String event) {
            int id = 1 + random.nextInt(BROKERS);
            switch (event) {
                case "new" -> registerNew(id);
                case "same" -> registerSame(id);
                case "kill" -> kill(id);
                case "shutdown" -> {
                    if (connection[id] != 0 && state.brokerShutdown(id, connection[id])) {
                        connection[id] = 0;
                    }
                }
                case "report" -> report(id);
                case "heal" -> {
                    if (connection[id] != 0) {
                        state.heartbeat(id, connection[id], List.of(), now);
                    }
                }
                case "alter" -> alterIsr();
                case "preferred" -> state.electPreferredLeaders();
                case "restart" -> restart();
                case "commit" -> {
                    List<TopicInfo> topics = state.metadata().topics();
                    if (!topics.isEmpty()) {
                        TopicInfo t = topics.get(random.nextInt(topics.size()));
                        state.commitOffset("g" + random.nextInt(3), t.name(), random.nextInt(t.partitionCount()),
                            random.nextInt(1000));
                    }
                }
                case "topic" -> state.createTopic("t" + random.nextInt(6), 1 + random.nextInt(3),
                    random.nextInt(3) == 0 ? -1 : 1 + random.nextInt(3), Map.of(), now);
                default -> throw new IllegalArgumentException(event);
            }
        }

        /**
         * The change records and the delta of the event: replayed over what came before, they give the state and
         * the metadata the cluster state has now (the change log and LEADER_INFO_DELTA lose nothing).
         */
        void checkChanges(String event, int step) throws CorruptStateException {
            ClusterState.Changes changes = state.drainChanges();
            for (StateRecord r : changes.records()) {
                mirror.apply(r);
            }
            String where = "step " + step + " (" + event + ")";
            CoordinatorSnapshot expected = state.snapshot();
            CoordinatorSnapshot rebuilt = mirror.toSnapshot();
            assertThat(rebuilt.epoch()).as(where).isEqualTo(expected.epoch());
            assertThat(rebuilt.nextProducerId()).as(where).isEqualTo(expected.nextProducerId());
            assertThat(rebuilt.brokers()).as(where).containsExactlyInAnyOrderElementsOf(expected.brokers());
            assertThat(rebuilt.topics()).as(where).containsExactlyInAnyOrderElementsOf(expected.topics());
            assertThat(rebuilt.offsets()).as(where).containsExactlyInAnyOrderElementsOf(expected.offsets());
            ClusterMetadata now = state.metadata();
            if (changes.delta() == null) {
                assertThat(now.epoch()).as(where + ": the epoch moved without a delta").isEqualTo(seen.epoch());
            } else {
                assertThat(seen.apply(changes.delta())).as(where + ": " + changes.delta()).isEqualTo(now);
            }
            seen = now;
        }

        void check(String event, int step) {
            for (TopicInfo t : state.metadata().topics()) {
                for (PartitionInfo p : t.partitions()) {
                    String key = t.name() + "-" + p.partition();
                    String where = "step " + step + " (" + event + "), partition " + key + " " + p;
                    assertThat(p.isr()).as(where).doesNotHaveDuplicates();
                    assertThat(p.isr()).as(where + ": isr and eligible leaders disjoint")
                        .noneMatch(p.eligibleLeaders()::contains);
                    assertThat(p.isr().isEmpty() && p.eligibleLeaders().isEmpty()).as(where + ": no candidate left")
                        .isFalse();
                    assertThat(p.replicas()).as(where).containsAll(p.isr()).containsAll(p.eligibleLeaders())
                        .doesNotHaveDuplicates();
                    if (p.online()) {
                        assertThat(p.isr()).as(where).contains(p.leader());
                        Integer earlier = leaderOfEpoch.putIfAbsent(key + "-" + p.leaderEpoch(), p.leader());
                        assertThat(earlier).as(where + ": one leader per leader epoch").isIn(null, p.leader());
                    }
                    PartitionInfo before = last.put(key, p);
                    if (before == null) {
                        continue;
                    }
                    assertThat(p.leaderEpoch()).as(where).isGreaterThanOrEqualTo(before.leaderEpoch());
                    assertThat(p.partitionEpoch()).as(where).isGreaterThanOrEqualTo(before.partitionEpoch());
                    boolean changed = !p.equals(before);
                    if (changed) {
                        assertThat(p.partitionEpoch()).as(where + " changed since " + before)
                            .isGreaterThan(before.partitionEpoch());
                    }
                    if (p.online() && p.leader() != before.leader()) {
                        assertThat(p.leaderEpoch()).as(where + ": a new leader, a new epoch, since " + before)
                            .isGreaterThan(before.leaderEpoch());
                        if (!unclean) {
                            assertThat(before.isr().contains(p.leader()) || before.eligibleLeaders().contains(p.leader()))
                                .as(where + ": elected from the isr or the eligible leaders of " + before).isTrue();
                        }
                    }
                }
            }
        }
    }

    private static final String[] EVENTS_BY_WEIGHT = {"new", "new", "same", "same", "kill", "kill", "shutdown",
        "report", "report", "heal", "heal", "alter", "alter", "alter", "alter", "preferred", "restart", "topic",
        "topic", "commit", "commit"};

    @ParameterizedTest
    @MethodSource("seeds")
    void shouldKeepTheLeadershipInvariantsUnderRandomEvents(long seed) throws CorruptStateException {
        Model m = new Model(Seeds.random("ReplicationModelTest", seed));
        for (int id = 1; id <= BROKERS; id++) {
            m.registerNew(id);
        }
        for (int step = 0; step < EVENTS; step++) {
            String event = EVENTS_BY_WEIGHT[m.random.nextInt(EVENTS_BY_WEIGHT.length)];
            m.step(event);
            m.check(event, step);
            m.checkChanges(event, step);
        }
    }
}
