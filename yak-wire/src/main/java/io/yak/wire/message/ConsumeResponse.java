package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;

/**
 * Stored record batches from the requested offset on: whole batches, so the first may start before the requested
 * offset and the client skips those records. {@code highWatermark} is the offset the next appended record will get.
 * This message owns one reference to {@code records}. See {@code WIRE.md}, section "CONSUME_RESPONSE".
 */
public record ConsumeResponse(ErrorCode error, long epoch, long highWatermark, long logStartOffset, ByteBuf records)
        implements Message {
    @Override
    public MessageType type() {
        return MessageType.CONSUME_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(epoch);
        out.writeLong(highWatermark);
        out.writeLong(logStartOffset);
        out.writeInt(records.readableBytes());
    }

    @Override
    public ByteBuf payload() {
        return records;
    }

    static ConsumeResponse read(ByteBuf in) {
        ErrorCode error = Codec.readError(in);
        long epoch = Codec.readLong(in, "epoch");
        long hw = Codec.readLong(in, "high_watermark");
        long start = Codec.readLong(in, "log_start_offset");
        int length = Codec.readInt(in, "records_length");
        if (length < 0 || length != in.readableBytes()) {
            throw new WireException(ErrorCode.MALFORMED_FRAME,
                "records_length " + length + " but " + in.readableBytes() + " bytes follow");
        }
        return new ConsumeResponse(error, epoch, hw, start, in.readRetainedSlice(length));
    }
}
