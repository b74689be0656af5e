package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Outcome of a group deletion, NONE once durable, with a detail message on error. See {@code WIRE.md}, section "DELETE_GROUP_RESPONSE". */
public record DeleteGroupResponse(ErrorCode error, String message) implements Message {
    public DeleteGroupResponse {
        Objects.requireNonNull(error, "error");
    }

    @Override
    public MessageType type() {
        return MessageType.DELETE_GROUP_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
    }

    static DeleteGroupResponse read(ByteBuf in) {
        return new DeleteGroupResponse(Codec.readError(in), Codec.readString(in, "message"));
    }
}
