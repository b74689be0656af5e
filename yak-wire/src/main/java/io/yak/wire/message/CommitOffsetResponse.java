package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Outcome of an offset commit; NONE once it is durable in the coordinator's data.dir. See {@code WIRE.md}, section "COMMIT_OFFSET_RESPONSE". */
public record CommitOffsetResponse(ErrorCode error) implements Message {
    @Override
    public MessageType type() {
        return MessageType.COMMIT_OFFSET_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
    }

    static CommitOffsetResponse read(ByteBuf in) {
        return new CommitOffsetResponse(Codec.readError(in));
    }
}
