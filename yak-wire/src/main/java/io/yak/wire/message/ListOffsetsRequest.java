package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/**
 * Asks for an offset of a partition: the earliest ({@code timestamp} {@link #EARLIEST}), the latest
 * ({@link #LATEST}), or for a timestamp {@code >= 0} (milliseconds since the epoch) the first offset of the first
 * batch whose max timestamp is at or after it, or the log end offset when there is none. The leader epoch the
 * client's metadata names ({@link #NO_LEADER_EPOCH} when unknown) lets a leader of another epoch fence it (Kafka's
 * KIP-320). See {@code WIRE.md}, section "LIST_OFFSETS_REQUEST".
 */
public record ListOffsetsRequest(String topic, int partition, int currentLeaderEpoch, long timestamp)
    implements Message {
    /** {@code timestamp} selecting the log start offset. */
    public static final long EARLIEST = -2;
    /** {@code timestamp} selecting the log end offset. */
    public static final long LATEST = -1;
    /** {@code currentLeaderEpoch} of a client that does not know it: the broker does not check it. */
    public static final int NO_LEADER_EPOCH = -1;

    @Override
    public MessageType type() {
        return MessageType.LIST_OFFSETS_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeInt(currentLeaderEpoch);
        out.writeLong(timestamp);
    }

    static ListOffsetsRequest read(ByteBuf in) {
        return new ListOffsetsRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readInt(in, "current_leader_epoch"), Codec.readLong(in, "timestamp"));
    }
}
