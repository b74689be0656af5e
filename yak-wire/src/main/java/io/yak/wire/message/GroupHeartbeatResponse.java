package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** NONE, or why the member must rejoin or stop. See {@code WIRE.md}, section "GROUP_HEARTBEAT_RESPONSE". */
public record GroupHeartbeatResponse(ErrorCode error) implements Message {
    @Override
    public MessageType type() {
        return MessageType.GROUP_HEARTBEAT_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
    }

    static GroupHeartbeatResponse read(ByteBuf in) {
        return new GroupHeartbeatResponse(Codec.readError(in));
    }
}
