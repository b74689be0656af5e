package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * A follower pulls records of every partition it follows from one leader broker, long-polled: the leader answers
 * once it has records for any of them or after {@code maxWaitMs}. The follower's id and broker epoch let the leader
 * ignore an older incarnation of that broker. See {@code WIRE.md}, section "REPLICA_FETCH_REQUEST". Immutable.
 */
public record ReplicaFetchRequest(int replicaId, long brokerEpoch, int maxWaitMs, int maxBytes,
                                  List<ReplicaFetchPartition> partitions) implements Message {
    public ReplicaFetchRequest {
        partitions = List.copyOf(partitions);
    }

    @Override
    public MessageType type() {
        return MessageType.REPLICA_FETCH_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(replicaId);
        out.writeLong(brokerEpoch);
        out.writeInt(maxWaitMs);
        out.writeInt(maxBytes);
        out.writeInt(partitions.size());
        for (ReplicaFetchPartition p : partitions) {
            p.write(out);
        }
    }

    static ReplicaFetchRequest read(ByteBuf in) {
        int replicaId = Codec.readInt(in, "replica_id");
        long brokerEpoch = Codec.readLong(in, "broker_epoch");
        int maxWaitMs = Codec.readInt(in, "max_wait_ms");
        int maxBytes = Codec.readInt(in, "max_bytes");
        int n = Codec.readCount(in, "partition_count");
        List<ReplicaFetchPartition> partitions =
            new ArrayList<>(Math.min(n, in.readableBytes() / ReplicaFetchPartition.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            partitions.add(ReplicaFetchPartition.read(in));
        }
        return new ReplicaFetchRequest(replicaId, brokerEpoch, maxWaitMs, maxBytes, partitions);
    }
}
