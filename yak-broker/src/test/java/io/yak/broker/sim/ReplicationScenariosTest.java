package io.yak.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.broker.log.EpochEndOffset;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14's three replication scenarios, each a scripted run of the replication simulation ({@link ReplicationSim}:
 * the real coordinator, leader bookkeeping and divergence rules over simulated logs and network) instead of a
 * random seed's luck. The producer's random traffic is off and no random fault is injected; the script publishes,
 * crashes, shuts down, pauses and restarts brokers at the moments the scenario needs, waiting for states (a record
 * appended, a leader elected), never for a fixed time. The simulation checks its invariants after every event: one
 * leader per epoch, committed records identical on every ISR member, every acknowledged record committed; the
 * script also checks that no running broker's high watermark ever goes back.
 *
 * <ul>
 *   <li>Scenario 1, KIP-101 case 1: {@link #shouldKeepAnAcknowledgedRecordAFollowerHeldAboveItsHighWatermark}.
 *   <li>Scenario 2, KIP-101 case 2: {@link #shouldTruncateTheReplicaThatReturnsSecondToTheOneThatLedFirst}.
 *   <li>Scenario 3, KIP-279: {@link #shouldTruncateRecordsOfALeaderEpochTheNewLeaderNeverSaw}.
 * </ul>
 *
 * <p>The simulation's coordinator always creates the topic over its three brokers (replication factor 3). Scenarios 1
 * and 2 are about a partition with two replicas, so their third replica shuts down cleanly first (it leaves the ISR
 * at once, where a crash would take a heartbeat timeout) and comes back only at the end, when all three must
 * converge. Each test has a fixed seed, printed; it drives
 * message delays and timers, not what happens.
 */
@ExtendWith(QuietCoordinatorLogs.class)
class ReplicationScenariosTest {
    /** Simulated time a scripted step may take; the slowest waits for a heartbeat timeout. */
    private static final long STEP_MS = 5_000;
    /** Records every scenario starts from, acknowledged and known committed on all three replicas. */
    private static final int COMMITTED_BEFORE = 3;


    private ReplicationSim sim;
    /** Per broker: the process generation and the highest high watermark seen in it. */
    private final Map<Integer, long[]> highestHighWatermark = new HashMap<>();

    /**
     * KIP-101 case 1. The follower fetched a record but crashes before the fetch answer that carries the high
     * watermark covering it, after the leader counted its fetch and acknowledged the record. The leader then goes
     * and the follower, back from a process crash with its log intact and an older high-watermark checkpoint, leads:
     * a follower that truncated to its high watermark on restart would lead without the acknowledged record.
     *
     * <p>YaK's coordinator takes a restarted incarnation out of every ISR when it registers, so the follower can lead
     * without fetching again only if the leader goes while the coordinator still counts the follower's previous
     * incarnation in sync: the script crashes the follower, shuts the leader down (a clean shutdown moves leadership
     * at once; a kill -9 would be noticed a heartbeat timeout later, after the follower's own silence, which was
     * longer, had taken it out of the ISR) and then restarts the follower. With {@code min.insync.replicas} 1, as in
     * KIP-101: with 2, the leader would leave an ISR of one and stay an eligible leader, and the follower, back from
     * an unclean shutdown, would wait for it instead of leading (KIP-966; {@code LastReplicaStandingIT}).
     */
    @Test
    void shouldKeepAnAcknowledgedRecordAFollowerHeldAboveItsHighWatermark() {
        List<Integer> replicas = boot("scenario 1 (KIP-101 case 1)", 1401, 1);
        int leader = replicas.get(0);
        int follower = replicas.get(1);
        int third = replicas.get(2);
        publishCommittedRecords();
        shutDown(third);
        await("b" + third + " out of the ISR", () -> isr().equals(Set.of(leader, follower)));

        long record = publish();
        await("b" + follower + " holds the record, committed by b" + leader + ", above its own high watermark", () -> {
            long o = offsetOf(leader, record);
            return o >= 0 && log(leader).highWatermark() > o && log(follower).logEndOffset() > o
                && log(follower).highWatermark() <= o;
        });
        long offset = offsetOf(leader, record);
        assertThat(log(follower).at(offset).payload()).isEqualTo(record);
        crash(follower);
        await("the acknowledgement of the record", () -> !sim.producer.payloads.containsValue(record));
        assertThat(sim.producer.ackedAt).as("acknowledged with acks=all").containsEntry(record, offset);

        shutDown(leader);
        assertThat(partition().leader()).as("the coordinator's choice").isEqualTo(follower);
        restart(follower);
        assertThat(log(follower).highWatermark()).as("b" + follower + "'s high watermark after its restart")
            .isLessThanOrEqualTo(offset);
        await("b" + follower + " leading", () -> leads(follower));
        assertThat(log(follower).logEndOffset()).isGreaterThan(offset);
        assertThat(log(follower).at(offset).payload()).as("the record on the new leader").isEqualTo(record);

        sim.heal();
        awaitConverged();
        publishAcknowledged();
        awaitConverged();
        assertEveryAcknowledgedRecordOnEveryReplica();
    }

    /**
     * KIP-101 case 2. The leader appended a record its follower never fetched, and both crash; the follower, with the
     * shorter log, returns first, leads and takes new acknowledged records at the offset where the other one holds
     * its unreplicated record. When that one returns it must truncate to where the logs part and copy the new
     * leader's records, not keep its own.
     *
     * <p>Without unclean election, a replica that returns first leads only if it is the last member of the ISR:
     * the script crashes the leader, waits for the coordinator to notice and elect the follower, then crashes the
     * follower, which takes the partition offline with the follower alone in the ISR.
     */
    @Test
    void shouldTruncateTheReplicaThatReturnsSecondToTheOneThatLedFirst() {
        List<Integer> replicas = boot("scenario 2 (KIP-101 case 2)", 1402, 1);
        int longer = replicas.get(0);
        int shorter = replicas.get(1);
        int third = replicas.get(2);
        publishCommittedRecords();
        shutDown(third);
        await("b" + third + " out of the ISR", () -> isr().equals(Set.of(longer, shorter)));

        long unreplicated = publish();
        await("b" + longer + " appending the record", () -> offsetOf(longer, unreplicated) >= 0);
        long offset = offsetOf(longer, unreplicated);
        crash(longer);
        assertThat(log(shorter).logEndOffset()).as("b" + shorter + "'s log end").isEqualTo(offset);
        await("b" + shorter + " elected in b" + longer + "'s place", () -> partition().leader() == shorter);
        crash(shorter);
        await("the partition offline", () -> !partition().online());
        assertThat(partition().isr()).containsExactly(shorter);

        restart(shorter);
        await("b" + shorter + " leading", () -> leads(shorter));
        long overwriting = publishAcknowledged();
        publishAcknowledged();
        assertThat(sim.producer.ackedAt).containsEntry(overwriting, offset);
        SimLog.Entry returning = log(longer).at(offset);
        SimLog.Entry leading = log(shorter).at(offset);
        assertThat(returning.payload()).isEqualTo(unreplicated);
        assertThat(returning).as("b" + longer + "'s record at offset " + offset + " and b" + shorter + "'s")
            .isNotEqualTo(leading);

        restart(longer);
        await("b" + longer + " dropping its record", () -> log(longer).logEndOffset() <= offset
            || log(longer).at(offset).payload() != unreplicated);
        assertThat(log(longer).logEndOffset()).as("where b" + longer + " truncated to").isEqualTo(offset);
        await("b" + longer + " back in sync", () -> isr().equals(Set.of(longer, shorter))
            && sameLogs(longer, shorter));

        sim.heal();
        awaitConverged();
        publishAcknowledged();
        awaitConverged();
        assertEveryAcknowledgedRecordOnEveryReplica();
        assertNoReplicaHolds(unreplicated);
    }

    /**
     * KIP-279. Two leadership changes in quick succession: the first leader's last record reached only the third
     * replica; the second leader took a record in its own short epoch and went before the third replica fetched
     * anything from it; the third replica, still in the ISR, leads next. The second replica returns holding a record
     * of an epoch the new leader never had, after fewer records of the epoch before it than the new leader holds: it
     * must truncate to its own end of that earlier epoch (the smaller of the two ends), not to the leader's.
     *
     * <p>The second and third replicas are paused (SIGSTOP) to hold back their fetches; each pause is far shorter than
     * the lag and heartbeat limits, so neither leaves the ISR.
     */
    @Test
    void shouldTruncateRecordsOfALeaderEpochTheNewLeaderNeverSaw() {
        List<Integer> replicas = boot("scenario 3 (KIP-279)", 1403, 2);
        int first = replicas.get(0);
        int second = replicas.get(1);
        int third = replicas.get(2);
        publishCommittedRecords();
        int firstEpoch = partition().leaderEpoch();
        long end = log(first).logEndOffset();

        pause(second);
        long tail = publish();
        await("b" + third + " fetching b" + first + "'s last record", () -> log(third).logEndOffset() > end);
        pause(third);
        shutDown(first);
        assertThat(partition().leader()).isEqualTo(second);
        resume(second);
        await("b" + second + " leading", () -> leads(second));
        int shortEpoch = partition().leaderEpoch();
        long doomed = publish();
        await("b" + second + " appending a record in epoch " + shortEpoch, () -> log(second).logEndOffset() > end);
        shutDown(second);
        assertThat(partition().leader()).isEqualTo(third);
        resume(third);
        await("b" + third + " leading", () -> leads(third));

        assertThat(log(second).at(end)).isEqualTo(new SimLog.Entry(shortEpoch, doomed));
        assertThat(log(second).logEndOffset()).isEqualTo(end + 1);
        assertThat(log(third).at(end)).isEqualTo(new SimLog.Entry(firstEpoch, tail));
        assertThat(epochsOf(third)).as("b" + third + "'s leader epochs").doesNotContain((long) shortEpoch);
        assertThat(log(third).endOffsetForEpoch(shortEpoch)).as("the new leader's answer for epoch " + shortEpoch)
            .isEqualTo(new EpochEndOffset(firstEpoch, end + 1));

        restart(second);
        await("b" + second + " dropping its epoch " + shortEpoch + " record", () -> log(second).logEndOffset() <= end
            || log(second).at(end).payload() != doomed);
        assertThat(log(second).logEndOffset()).as("where b" + second + " truncated to").isEqualTo(end);
        await("b" + second + " back in sync", () -> isr().equals(Set.of(second, third)) && sameLogs(second, third));
        publishAcknowledged();

        sim.heal();
        awaitConverged();
        assertEveryAcknowledgedRecordOnEveryReplica();
        assertNoReplicaHolds(doomed);
        assertThat(log(second).at(end)).isEqualTo(new SimLog.Entry(firstEpoch, tail));
    }

    // ---------------------------------------------------------------- script

    /** Starts the cluster with the producer idle and waits for the topic led by its first replica, all in sync. */
    private List<Integer> boot(String scenario, long seed, int minIsr) {
        System.out.println("ReplicationScenariosTest: " + scenario + ", seed " + seed + ", min.insync.replicas "
            + minIsr);
        sim = new ReplicationSim(seed, minIsr);
        sim.boot();
        sim.producer.on = false;
        await("the topic created", () -> partition() != null);
        List<Integer> replicas = partition().replicas();
        await("b" + replicas.get(0) + " leading with every replica in sync", () -> leads(replicas.get(0))
            && isr().size() == ReplicationSim.BROKERS);
        return replicas;
    }

    /** Publishes the records every scenario starts from and waits until every replica knows them committed. */
    private void publishCommittedRecords() {
        for (int i = 0; i < COMMITTED_BEFORE; i++) {
            publishAcknowledged();
        }
        await("every replica holding the committed records", () -> {
            long end = log(partition().leader()).logEndOffset();
            for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
                if (log(b).highWatermark() != end || !sameLogs(b, partition().leader())) {
                    return false;
                }
            }
            return end == COMMITTED_BEFORE;
        });
    }

    /** Publishes one record to the leader the coordinator names, without waiting for it; its payload. */
    private long publish() {
        sim.producer.refresh();
        long payload = sim.producer.publishOne();
        if (payload < 0) {
            throw sim.fail("the producer found no leader to publish to");
        }
        return payload;
    }

    /** Publishes until one attempt is acknowledged (a preferred election may move the leader); its payload. */
    private long publishAcknowledged() {
        for (int attempt = 0; attempt < 5; attempt++) {
            long payload = publish();
            await("an answer to the publish of " + payload, () -> !sim.producer.payloads.containsValue(payload));
            if (sim.producer.ackedAt.containsKey(payload)) {
                return payload;
            }
        }
        throw sim.fail("five publishes in a row were not acknowledged");
    }

    private void crash(int b) {
        sim.note("SCRIPT kill -9 b" + b);
        sim.brokers[b].crash();
    }

    /** A clean shutdown, waited for: the coordinator has moved the broker's leadership and the process is gone. */
    private void shutDown(int b) {
        sim.note("SCRIPT clean shutdown b" + b);
        sim.brokers[b].shutdown();
        await("b" + b + " shut down", () -> !sim.brokers[b].up);
    }

    private void restart(int b) {
        sim.note("SCRIPT b" + b + " starts (new incarnation)");
        sim.brokers[b].start();
    }

    /** SIGSTOP until {@link #resume}; the pause's own end is far later. */
    private void pause(int b) {
        sim.note("SCRIPT pause b" + b);
        sim.brokers[b].pause(60_000);
    }

    private void resume(int b) {
        sim.note("SCRIPT resume b" + b);
        sim.brokers[b].pause(0);
        await("b" + b + " resumed", () -> !sim.brokers[b].paused);
    }

    /**
     * Runs the simulation until {@code condition} holds, failing with the simulation's trace after {@link #STEP_MS}.
     * Before every event it also checks that no running broker's high watermark went back.
     */
    private void await(String what, BooleanSupplier condition) {
        BooleanSupplier checked = () -> {
            checkHighWatermarksNeverGoBack();
            return condition.getAsBoolean();
        };
        if (!sim.runUntil(checked, sim.now() + STEP_MS)) {
            throw sim.fail("the script waited " + STEP_MS + " ms in vain for " + what);
        }
    }

    private void checkHighWatermarksNeverGoBack() {
        for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
            ReplicationSim.Broker broker = sim.brokers[b];
            if (!broker.up) {
                continue;
            }
            long hw = log(b).highWatermark();
            long[] seen = highestHighWatermark.get(b);
            if (seen == null || seen[0] != broker.generation) {
                highestHighWatermark.put(b, new long[] {broker.generation, hw});
            } else if (hw < seen[1]) {
                throw sim.fail("b" + b + "'s high watermark went back from " + seen[1] + " to " + hw);
            } else {
                seen[1] = hw;
            }
        }
    }

    /** Waits until every partition is led, all replicas are in sync and hold identical, fully committed logs. */
    private void awaitConverged() {
        await("the cluster converged", () -> {
            for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
                ReplicationSim.Broker broker = sim.brokers[b];
                if (!broker.up || broker.paused || log(b).highWatermark() != log(b).logEndOffset()
                    || !sameLogs(b, 1)) {
                    return false;
                }
            }
            return partition().online() && leads(partition().leader()) && isr().size() == ReplicationSim.BROKERS;
        });
        ReplicationSimTest.checkConverged(sim);
    }

    // ---------------------------------------------------------------- what the script reads

    private PartitionInfo partition() {
        TopicInfo t = sim.coordinator.state.metadata().topic(ReplicationSim.TOPIC);
        return t == null ? null : t.partition(0);
    }

    private Set<Integer> isr() {
        return new HashSet<>(partition().isr());
    }

    /** Both the coordinator and broker {@code b} (running) say it leads, in the same epoch. */
    private boolean leads(int b) {
        PartitionInfo p = partition();
        ReplicationSim.Broker broker = sim.brokers[b];
        ReplicationSim.Part part = broker.part(0);
        return p != null && p.leader() == b && broker.up && !broker.paused && part != null && part.leader
            && part.leaderEpoch == p.leaderEpoch();
    }

    private SimLog log(int b) {
        return sim.brokers[b].logs[0];
    }

    private boolean sameLogs(int a, int b) {
        return ReplicationSim.entries(log(a)).equals(ReplicationSim.entries(log(b)));
    }

    /** The offset of the record with {@code payload} in broker {@code b}'s log, -1 when it holds none. */
    private long offsetOf(int b, long payload) {
        SimLog log = log(b);
        for (long o = log.logStartOffset(); o < log.logEndOffset(); o++) {
            if (log.at(o).payload() == payload) {
                return o;
            }
        }
        return -1;
    }

    private List<Long> epochsOf(int b) {
        return log(b).epochEntries().stream().map(e -> e[0]).toList();
    }

    private void assertEveryAcknowledgedRecordOnEveryReplica() {
        assertThat(sim.producer.ackedAt).isNotEmpty();
        for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
            for (Map.Entry<Long, Long> acked : sim.producer.ackedAt.entrySet()) {
                assertThat(offsetOf(b, acked.getKey())).as("b" + b + ": offset of acknowledged payload "
                    + acked.getKey()).isEqualTo(acked.getValue());
            }
            assertThat(ReplicationSim.entries(log(b))).as("b" + b + "'s log")
                .isEqualTo(ReplicationSim.entries(log(partition().leader())));
        }
    }

    private void assertNoReplicaHolds(long payload) {
        for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
            assertThat(offsetOf(b, payload)).as("b" + b + ": offset of unacknowledged payload " + payload)
                .isEqualTo(-1);
        }
    }
}
