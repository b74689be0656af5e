package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * One partition's replication state as the coordinator decided it: its replicas (the first is the preferred
 * leader), the in-sync replicas, the current leader ({@code -1} while offline), the leader epoch (bumped on every
 * leader change) and the partition epoch (bumped on every change of leader or ISR, the compare-and-set version of
 * ALTER_ISR), and the eligible leader replicas: replicas outside the ISR known to hold every committed record,
 * which may lead when no ISR member can (Kafka's KIP-966). See {@code WIRE.md}, section "PartitionInfo". Immutable.
 */
public record PartitionInfo(int partition, int leader, int leaderEpoch, int partitionEpoch, List<Integer> replicas,
                            List<Integer> isr, List<Integer> eligibleLeaders) {
    public static final int NO_LEADER = -1;

    public PartitionInfo {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        eligibleLeaders = List.copyOf(eligibleLeaders);
    }

    /** A partition with no eligible leader replicas outside its ISR. */
    public PartitionInfo(int partition, int leader, int leaderEpoch, int partitionEpoch, List<Integer> replicas,
                         List<Integer> isr) {
        this(partition, leader, leaderEpoch, partitionEpoch, replicas, isr, List.of());
    }

    /** A partition with one replica that leads it, in sync (tests and single-copy callers). */
    public static PartitionInfo single(int partition, int broker, int leaderEpoch) {
        return new PartitionInfo(partition, broker, leaderEpoch, leaderEpoch, List.of(broker), List.of(broker));
    }

    public boolean online() {
        return leader != NO_LEADER;
    }

    /** The first replica: the leader this partition moves back to once it is in sync. */
    public int preferredLeader() {
        return replicas.isEmpty() ? NO_LEADER : replicas.get(0);
    }

    public boolean isReplica(int brokerId) {
        return replicas.contains(brokerId);
    }

    public boolean inSync(int brokerId) {
        return isr.contains(brokerId);
    }

    /** Fewer replicas in sync than assigned. */
    public boolean underReplicated() {
        return isr.size() < replicas.size();
    }

    static PartitionInfo read(ByteBuf in) {
        int partition = Codec.readInt(in, "partition");
        int leader = Codec.readInt(in, "leader");
        int leaderEpoch = Codec.readInt(in, "leader_epoch");
        int partitionEpoch = Codec.readInt(in, "partition_epoch");
        List<Integer> replicas = readIds(in, "replica_count");
        List<Integer> isr = readIds(in, "isr_count");
        List<Integer> eligibleLeaders = readIds(in, "eligible_leader_count");
        return new PartitionInfo(partition, leader, leaderEpoch, partitionEpoch, replicas, isr, eligibleLeaders);
    }

    /** Reads an int32 count and that many int32 broker ids, sized by the bytes present (a hostile count allocates nothing big). */
    static List<Integer> readIds(ByteBuf in, String countField) {
        int n = Codec.readCount(in, countField);
        List<Integer> ids = new ArrayList<>(Math.min(n, in.readableBytes() / 4));
        for (int i = 0; i < n; i++) {
            ids.add(Codec.readInt(in, "broker id"));
        }
        return ids;
    }

    static void writeIds(ByteBuf out, List<Integer> ids) {
        out.writeInt(ids.size());
        for (int id : ids) {
            out.writeInt(id);
        }
    }

    void write(ByteBuf out) {
        out.writeInt(partition);
        out.writeInt(leader);
        out.writeInt(leaderEpoch);
        out.writeInt(partitionEpoch);
        writeIds(out, replicas);
        writeIds(out, isr);
        writeIds(out, eligibleLeaders);
    }
}
