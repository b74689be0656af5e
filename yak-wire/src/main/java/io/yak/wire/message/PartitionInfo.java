package io.yak.wire.message;

import io.netty.buffer.ByteBuf;

/**
 * One partition's placement: the broker it is assigned to ({@code replica}), its current leader ({@code -1} while
 * offline) and the leader epoch, bumped on every leader change.
 */
public record PartitionInfo(int partition, int leader, int replica, int leaderEpoch) {
    public static final int NO_LEADER = -1;

    public boolean online() {
        return leader != NO_LEADER;
    }

    static PartitionInfo read(ByteBuf in) {
        return new PartitionInfo(Codec.readInt(in, "partition"), Codec.readInt(in, "leader"),
            Codec.readInt(in, "replica"), Codec.readInt(in, "leader_epoch"));
    }

    void write(ByteBuf out) {
        out.writeInt(partition);
        out.writeInt(leader);
        out.writeInt(replica);
        out.writeInt(leaderEpoch);
    }
}
