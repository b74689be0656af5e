package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * What a follower asks of one partition in a REPLICA_FETCH_REQUEST: records from {@code fetchOffset} (its log end),
 * the epoch of the last batch it holds ({@code lastFetchedEpoch}, -1 for an empty log) so the leader can tell where
 * their logs diverge, and the leader epoch it believes current (fencing). See {@code WIRE.md}, section
 * "ReplicaFetchPartition".
 */
public record ReplicaFetchPartition(String topic, int partition, int currentLeaderEpoch, long fetchOffset,
                                    int lastFetchedEpoch, int maxBytes) {
    /** Smallest encoding: an empty topic name and the fixed fields. */
    static final int MIN_BYTES = 2 + 4 + 4 + 8 + 4 + 4;

    public ReplicaFetchPartition {
        Objects.requireNonNull(topic, "topic");
    }

    static ReplicaFetchPartition read(ByteBuf in) {
        return new ReplicaFetchPartition(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readInt(in, "current_leader_epoch"), Codec.readLong(in, "fetch_offset"),
            Codec.readInt(in, "last_fetched_epoch"), Codec.readInt(in, "max_bytes"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeInt(currentLeaderEpoch);
        out.writeLong(fetchOffset);
        out.writeInt(lastFetchedEpoch);
        out.writeInt(maxBytes);
    }
}
