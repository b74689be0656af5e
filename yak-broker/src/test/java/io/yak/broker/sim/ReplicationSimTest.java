package io.yak.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the replication simulation ({@link ReplicationSim}) for many seeds: boot, a few seconds of simulated time
 * with random faults under acks=all traffic, then every fault healed and the cluster given time to converge. Each
 * seed is checked after every event; at the end the cluster must have converged: every partition led, all replicas
 * in sync, and identical logs.
 *
 * <p>Seeds: {@code -Dyak.sim.seed=N} replays seed N alone (printing its trace on failure);
 * {@code -Dyak.sim.seeds=K} runs seeds 1..K plus K/4 fresh ones (default {@value #DEFAULT_SEEDS}). Each run prints
 * the seeds it used. {@code -Dyak.sim.legacyDivergence=true} runs the leader's divergence rule as PartitionManager
 * had it inline before {@code Divergence}.
 */
@ExtendWith(QuietCoordinatorLogs.class)
class ReplicationSimTest {
    static final int DEFAULT_SEEDS = 1200;
    static final long FAULT_PHASE_MS = 7_000;
    static final long HEAL_PHASE_MS = 5_000;
    static final long QUIET_MS = 3_000;


    static boolean legacy() {
        return Boolean.getBoolean("yak.sim.legacyDivergence");
    }

    static List<Long> seeds() {
        String one = System.getProperty("yak.sim.seed");
        if (one != null && !one.isBlank()) {
            return List.of(Long.parseLong(one.trim()));
        }
        int count = Integer.getInteger("yak.sim.seeds", DEFAULT_SEEDS);
        List<Long> seeds = new ArrayList<>();
        for (long s = 1; s <= count; s++) {
            seeds.add(s);
        }
        SplittableRandom fresh = new SplittableRandom();
        for (int i = 0; i < count / 4; i++) {
            seeds.add(fresh.nextLong());
        }
        return seeds;
    }

    /** One whole run of one seed; throws {@link ReplicationSim.Violation} on a broken invariant. */
    static ReplicationSim run(long seed) {
        ReplicationSim sim = new ReplicationSim(seed, legacy(), Boolean.getBoolean("yak.sim.legacyIsrAnswer"));
        sim.boot();
        // some seeds start the faults while the topic is being created and its first records written
        sim.runUntil(sim.random.nextBoolean() ? 1_000 : 200 + sim.random.nextInt(800));
        sim.startFaults();
        sim.runUntil(1_000 + FAULT_PHASE_MS);
        sim.stopFaults();
        sim.heal();
        sim.runUntil(1_000 + FAULT_PHASE_MS + HEAL_PHASE_MS - QUIET_MS);
        sim.producer.on = false;
        sim.runUntil(1_000 + FAULT_PHASE_MS + HEAL_PHASE_MS);
        checkConverged(sim);
        return sim;
    }

    /** After the faults: every partition led by a live broker, all replicas in sync, identical logs. */
    static void checkConverged(ReplicationSim sim) {
        TopicInfo t = sim.coordinator.state.metadata().topic(ReplicationSim.TOPIC);
        if (t == null) {
            throw sim.fail("the topic was never created");
        }
        for (PartitionInfo p : t.partitions()) {
            if (!p.online() || p.isr().size() != p.replicas().size()) {
                throw sim.fail("did not converge: p" + p.partition() + " is " + p + " after the faults ended");
            }
            SimLog leaderLog = sim.brokers[p.leader()].logs[p.partition()];
            if (leaderLog.highWatermark() != leaderLog.logEndOffset()) {
                throw sim.fail("did not converge: p" + p.partition() + " leader's " + leaderLog);
            }
            for (int r : p.replicas()) {
                SimLog log = sim.brokers[r].logs[p.partition()];
                if (!ReplicationSim.entries(log).equals(ReplicationSim.entries(leaderLog))) {
                    throw sim.fail("did not converge: p" + p.partition() + " b" + r + " holds " + log
                        + " and the leader b" + p.leader() + " " + leaderLog);
                }
            }
        }
    }

    @Test
    void shouldKeepEveryCommittedRecordUnderRandomFaults() {
        List<Long> seeds = seeds();
        System.out.println("ReplicationSimTest: " + seeds.size() + " seeds " + (seeds.size() == 1 ? seeds
            : "1.." + Integer.getInteger("yak.sim.seeds", DEFAULT_SEEDS) + " and fresh " + seeds.subList(
                Integer.getInteger("yak.sim.seeds", DEFAULT_SEEDS), seeds.size()))
            + " (replay one with -Dyak.sim.seed=N)");
        long start = System.nanoTime();
        long events = 0;
        long acked = 0;
        long committed = 0;
        Map<String, Integer> counts = new TreeMap<>();
        for (long seed : seeds) {
            ReplicationSim sim = run(seed);
            events += sim.events();
            acked += sim.producer.acked;
            for (int p = 0; p < sim.partitionCount; p++) {
                committed += sim.invariants().committedCount(p);
            }
            sim.counts().forEach((k, v) -> counts.merge(k, v, Integer::sum));
        }
        System.out.printf("ReplicationSimTest: %d seeds, %d events, %d acks, %d committed records in %d ms; %s%n",
            seeds.size(), events, acked, committed, (System.nanoTime() - start) / 1_000_000, counts);
        assertThat(acked).as("acknowledged publishes").isPositive();
    }
}
