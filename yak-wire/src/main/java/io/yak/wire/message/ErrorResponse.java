package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Sent when a frame cannot be answered by its own response type (bad length, unknown type or version, unparsable body); the sender closes the connection after it. See {@code WIRE.md}, section "ERROR_RESPONSE". */
public record ErrorResponse(ErrorCode error, String message) implements Message {
    @Override
    public MessageType type() {
        return MessageType.ERROR_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
    }

    static ErrorResponse read(ByteBuf in) {
        return new ErrorResponse(Codec.readError(in), Codec.readString(in, "message"));
    }
}
