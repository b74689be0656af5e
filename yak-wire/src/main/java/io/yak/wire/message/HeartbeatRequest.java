package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * A broker's periodic proof of life, with the partitions assigned to it that it cannot serve (a damaged log, a
 * failed disk), sent in full on every heartbeat so a lost one or a coordinator restart heals itself. See
 * {@code WIRE.md}, section "HEARTBEAT_REQUEST". Immutable; {@code offlinePartitions} is an unmodifiable list.
 */
public record HeartbeatRequest(int brokerId, List<PartitionRef> offlinePartitions) implements Message {
    public HeartbeatRequest {
        // List.copyOf keeps an unmodifiable list as it is: a broker with nothing offline allocates no copy.
        offlinePartitions = List.copyOf(offlinePartitions);
    }

    /** A heartbeat from a broker that can serve every partition assigned to it. */
    public HeartbeatRequest(int brokerId) {
        this(brokerId, List.of());
    }

    @Override
    public MessageType type() {
        return MessageType.HEARTBEAT_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(brokerId);
        out.writeInt(offlinePartitions.size());
        for (PartitionRef p : offlinePartitions) {
            p.write(out);
        }
    }

    static HeartbeatRequest read(ByteBuf in) {
        int brokerId = Codec.readInt(in, "broker_id");
        int n = Codec.readCount(in, "offline_partition_count");
        if (n == 0) {
            return new HeartbeatRequest(brokerId, List.of());
        }
        // Sized by the bytes present, not the count alone: a hostile count in a short frame allocates nothing big.
        List<PartitionRef> offline = new ArrayList<>(Math.min(n, in.readableBytes() / PartitionRef.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            offline.add(PartitionRef.read(in));
        }
        return new HeartbeatRequest(brokerId, offline);
    }
}
