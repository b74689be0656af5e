package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;

/**
 * Appends record batches to one partition. {@code acks}: 0 = no response, 1 = after the leader appended. The
 * payload ({@code records}) is one or more record batches, laid out as in {@code WIRE.md}, section "Record batch";
 * this message owns one reference to it. See {@code WIRE.md}, section "PUBLISH_REQUEST".
 */
public record PublishRequest(String topic, int partition, short acks, int timeoutMs, ByteBuf records)
        implements Message {
    @Override
    public MessageType type() {
        return MessageType.PUBLISH_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeShort(acks);
        out.writeInt(timeoutMs);
        out.writeInt(records.readableBytes());
    }

    @Override
    public ByteBuf payload() {
        return records;
    }

    static PublishRequest read(ByteBuf in) {
        String topic = Codec.readRequiredString(in, "topic");
        int partition = Codec.readInt(in, "partition");
        short acks = Codec.readShort(in, "acks");
        int timeoutMs = Codec.readInt(in, "timeout_ms");
        int length = Codec.readInt(in, "records_length");
        if (length < 0 || length != in.readableBytes()) {
            throw new WireException(ErrorCode.MALFORMED_FRAME,
                "records_length " + length + " but " + in.readableBytes() + " bytes follow");
        }
        return new PublishRequest(topic, partition, acks, timeoutMs, in.readRetainedSlice(length));
    }
}
