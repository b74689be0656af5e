package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** The offset given to the first record of the published batches, or an error with the broker's cluster epoch. See {@code WIRE.md}, section "PUBLISH_RESPONSE". */
public record PublishResponse(ErrorCode error, long epoch, long baseOffset, long logStartOffset) implements Message {
    @Override
    public MessageType type() {
        return MessageType.PUBLISH_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(epoch);
        out.writeLong(baseOffset);
        out.writeLong(logStartOffset);
    }

    static PublishResponse read(ByteBuf in) {
        return new PublishResponse(Codec.readError(in), Codec.readLong(in, "epoch"), Codec.readLong(in, "base_offset"),
            Codec.readLong(in, "log_start_offset"));
    }
}
