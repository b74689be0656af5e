package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Outcome of a leave. See {@code WIRE.md}, section "LEAVE_GROUP_RESPONSE". */
public record LeaveGroupResponse(ErrorCode error) implements Message {
    @Override
    public MessageType type() {
        return MessageType.LEAVE_GROUP_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
    }

    static LeaveGroupResponse read(ByteBuf in) {
        return new LeaveGroupResponse(Codec.readError(in));
    }
}
