package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Outcome of a partition count increase, NONE once durable, with a detail message on error. See {@code WIRE.md}, section "CREATE_PARTITIONS_RESPONSE". */
public record CreatePartitionsResponse(ErrorCode error, String message) implements Message {
    public CreatePartitionsResponse {
        Objects.requireNonNull(error, "error");
    }

    @Override
    public MessageType type() {
        return MessageType.CREATE_PARTITIONS_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
    }

    static CreatePartitionsResponse read(ByteBuf in) {
        return new CreatePartitionsResponse(Codec.readError(in), Codec.readString(in, "message"));
    }
}
