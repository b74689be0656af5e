package io.yak.broker.sim;

import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replication simulation's invariants, checked after every event (see {@link ReplicationSim}). Incremental:
 * for each broker and partition it remembers how much of the committed sequence it verified on that broker's log,
 * and forgets it from where the log was truncated.
 */
final class Invariants {
    private final ReplicationSim sim;
    /** Per partition: the committed records, offset = index (the log start is always 0 here). */
    private final List<List<SimLog.Entry>> committed = new ArrayList<>();
    /** Partition * 2^32 + leader epoch, to the one leader that epoch may have. */
    private final Map<Long, Integer> leaderOfEpoch = new HashMap<>();
    /** [broker][partition]: the high watermark the running process last had. */
    private final long[][] hwFloor = new long[ReplicationSim.BROKERS + 1][3];
    /** [broker][partition]: committed records verified on that broker's log (a prefix). */
    private final long[][] matched = new long[ReplicationSim.BROKERS + 1][3];

    Invariants(ReplicationSim sim) {
        this.sim = sim;
        for (int p = 0; p < 3; p++) {
            committed.add(new ArrayList<>());
        }
    }

    long committedCount(int partition) {
        return committed.get(partition).size();
    }

    /** A broker process started: its high watermark restarts from its checkpoint (allowed to be lower). */
    void processStarted(ReplicationSim.Broker b) {
        for (int p = 0; p < 3; p++) {
            hwFloor[b.id][p] = b.logs[p].highWatermark();
        }
    }

    /** The producer got NONE for an acks=all publish: the record must be committed, with its bytes. */
    void acknowledged(int partition, long offset, long payload) {
        List<SimLog.Entry> c = committed.get(partition);
        if (offset >= c.size()) {
            throw sim.fail("p" + partition + " offset " + offset + " (payload " + payload + ") acknowledged but not "
                + "committed (committed up to " + c.size() + ")");
        }
        if (c.get((int) offset).payload() != payload) {
            throw sim.fail("p" + partition + " offset " + offset + " acknowledged with payload " + payload
                + " but committed as " + c.get((int) offset));
        }
    }

    void check() {
        checkLeaders();
        for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
            ReplicationSim.Broker broker = sim.brokers[b];
            for (int p = 0; p < sim.partitionCount; p++) {
                SimLog log = broker.logs[p];
                matched[b][p] = Math.min(matched[b][p], log.takeRewrittenFrom());
                if (!broker.up) {
                    continue;
                }
                long hw = log.highWatermark();
                if (hw < hwFloor[b][p]) {
                    throw sim.fail("b" + b + " p" + p + " high watermark went back from " + hwFloor[b][p] + " to "
                        + hw);
                }
                hwFloor[b][p] = hw;
                commit(b, p, log, hw);
            }
        }
        checkIsrMembers();
    }

    private void checkLeaders() {
        for (int b = 1; b <= ReplicationSim.BROKERS; b++) {
            ReplicationSim.Broker broker = sim.brokers[b];
            if (!broker.up) {
                continue;
            }
            for (ReplicationSim.Part part : broker.parts) {
                if (part.leader) {
                    claim(part.index, part.leaderEpoch, b, "b" + b + " believes it leads");
                }
            }
        }
        if (sim.coordinator.state == null) {
            return;
        }
        TopicInfo t = sim.coordinator.state.metadata().topic(ReplicationSim.TOPIC);
        if (t != null) {
            for (PartitionInfo p : t.partitions()) {
                if (p.online()) {
                    claim(p.partition(), p.leaderEpoch(), p.leader(), "the coordinator says");
                }
            }
        }
    }

    private void claim(int partition, int leaderEpoch, int broker, String who) {
        Integer before = leaderOfEpoch.putIfAbsent(((long) partition << 32) + leaderEpoch, broker);
        if (before != null && before != broker) {
            throw sim.fail("two leaders of p" + partition + " in leader epoch " + leaderEpoch + ": b" + before
                + " and b" + broker + " (" + who + ")");
        }
    }

    /** Records below {@code hw} on broker b are committed: they must match what is, and extend it. */
    private void commit(int b, int p, SimLog log, long hw) {
        List<SimLog.Entry> c = committed.get(p);
        verify(b, p, log, Math.min(hw, c.size()), "its high watermark " + hw);
        for (long o = c.size(); o < hw; o++) {
            c.add(log.at(o));
        }
        matched[b][p] = Math.max(matched[b][p], hw);
    }

    /** Broker b's log must hold the committed records below {@code upTo}. */
    private void verify(int b, int p, SimLog log, long upTo, String why) {
        if (matched[b][p] >= upTo) {
            return;
        }
        List<SimLog.Entry> c = committed.get(p);
        if (log.logEndOffset() < upTo || log.logStartOffset() > matched[b][p]) {
            throw sim.fail("b" + b + " p" + p + " lost committed records: its log " + log + " should hold the "
                + upTo + " committed ones (" + why + ")");
        }
        for (long o = matched[b][p]; o < upTo; o++) {
            SimLog.Entry mine = log.at(o);
            SimLog.Entry expected = c.get((int) o);
            if (!mine.equals(expected)) {
                throw sim.fail("b" + b + " p" + p + " offset " + o + " holds " + mine + " but the committed record "
                    + "there is " + expected + " (" + why + ")");
            }
        }
        matched[b][p] = upTo;
    }

    /** The coordinator's leader and every ISR member hold every committed record (power-lost brokers exempt). */
    private void checkIsrMembers() {
        if (sim.coordinator.state == null) {
            return;
        }
        TopicInfo t = sim.coordinator.state.metadata().topic(ReplicationSim.TOPIC);
        if (t == null) {
            return;
        }
        for (PartitionInfo info : t.partitions()) {
            for (int m : info.isr()) {
                verifyMember(info, m);
            }
            if (info.online() && !info.isr().contains(info.leader())) {
                verifyMember(info, info.leader());
            }
        }
    }

    private void verifyMember(PartitionInfo info, int m) {
        ReplicationSim.Broker broker = sim.brokers[m];
        int p = info.partition();
        long upTo = committed.get(p).size();
        if (broker.exempt || matched[m][p] >= upTo) {
            return;
        }
        verify(m, p, broker.logs[p], upTo, "in the isr " + info.isr() + " of leader epoch " + info.leaderEpoch()
            + (info.online() ? ", leader b" + info.leader() : ", offline"));
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        for (int p = 0; p < sim.partitionCount; p++) {
            sb.append("p").append(p).append(": ").append(committed.get(p).size()).append(" records; ");
        }
        return sb.toString();
    }
}
