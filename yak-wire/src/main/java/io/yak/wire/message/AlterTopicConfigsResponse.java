package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Outcome of a topic config change, NONE once durable, with a detail message on error. See {@code WIRE.md}, section "ALTER_TOPIC_CONFIGS_RESPONSE". */
public record AlterTopicConfigsResponse(ErrorCode error, String message) implements Message {
    public AlterTopicConfigsResponse {
        Objects.requireNonNull(error, "error");
    }

    @Override
    public MessageType type() {
        return MessageType.ALTER_TOPIC_CONFIGS_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
    }

    static AlterTopicConfigsResponse read(ByteBuf in) {
        return new AlterTopicConfigsResponse(Codec.readError(in), Codec.readString(in, "message"));
    }
}
