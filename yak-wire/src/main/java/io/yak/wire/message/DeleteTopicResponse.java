package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Outcome of a topic deletion, NONE once durable, with a detail message on error. See {@code WIRE.md}, section "DELETE_TOPIC_RESPONSE". */
public record DeleteTopicResponse(ErrorCode error, String message) implements Message {
    public DeleteTopicResponse {
        Objects.requireNonNull(error, "error");
    }

    @Override
    public MessageType type() {
        return MessageType.DELETE_TOPIC_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
    }

    static DeleteTopicResponse read(ByteBuf in) {
        return new DeleteTopicResponse(Codec.readError(in), Codec.readString(in, "message"));
    }
}
