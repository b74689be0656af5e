package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/**
 * Reads batches from an offset, up to maxBytes, waiting up to maxWaitMs when nothing is there yet. The leader
 * epoch the consumer's metadata names ({@link #NO_LEADER_EPOCH} when unknown) lets a leader of another epoch fence
 * it (Kafka's KIP-320). See {@code WIRE.md}, section "CONSUME_REQUEST".
 */
public record ConsumeRequest(String topic, int partition, int currentLeaderEpoch, long offset, int maxBytes,
                             int maxWaitMs) implements Message {
    /** {@code currentLeaderEpoch} of a client that does not know it: the broker does not check it. */
    public static final int NO_LEADER_EPOCH = -1;

    @Override
    public MessageType type() {
        return MessageType.CONSUME_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeInt(currentLeaderEpoch);
        out.writeLong(offset);
        out.writeInt(maxBytes);
        out.writeInt(maxWaitMs);
    }

    static ConsumeRequest read(ByteBuf in) {
        return new ConsumeRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readInt(in, "current_leader_epoch"), Codec.readLong(in, "offset"), Codec.readInt(in, "max_bytes"),
            Codec.readInt(in, "max_wait_ms"));
    }
}
