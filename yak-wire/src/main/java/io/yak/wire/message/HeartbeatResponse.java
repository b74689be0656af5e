package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Answer to a heartbeat with the current cluster epoch; UNKNOWN_BROKER asks the broker to register again. See {@code WIRE.md}, section "HEARTBEAT_RESPONSE". */
public record HeartbeatResponse(ErrorCode error, long epoch) implements Message {
    @Override
    public MessageType type() {
        return MessageType.HEARTBEAT_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(epoch);
    }

    static HeartbeatResponse read(ByteBuf in) {
        return new HeartbeatResponse(Codec.readError(in), Codec.readLong(in, "epoch"));
    }
}
