package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** A broker's periodic proof of life. See {@code WIRE.md}, section "HEARTBEAT_REQUEST". */
public record HeartbeatRequest(int brokerId) implements Message {
    @Override
    public MessageType type() {
        return MessageType.HEARTBEAT_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(brokerId);
    }

    static HeartbeatRequest read(ByteBuf in) {
        return new HeartbeatRequest(Codec.readInt(in, "broker_id"));
    }
}
