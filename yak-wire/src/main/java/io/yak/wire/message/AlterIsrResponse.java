package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * Answer to an ALTER_ISR_REQUEST, sent once the accepted changes are stored: a request-level error
 * ({@code STALE_BROKER_EPOCH}, {@code UNKNOWN_BROKER}: nothing applied) and one result per partition asked for. See
 * {@code WIRE.md}, section "ALTER_ISR_RESPONSE". Immutable.
 */
public record AlterIsrResponse(ErrorCode error, List<AlterIsrResult> partitions) implements Message {
    public AlterIsrResponse {
        partitions = List.copyOf(partitions);
    }

    @Override
    public MessageType type() {
        return MessageType.ALTER_ISR_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeInt(partitions.size());
        for (AlterIsrResult p : partitions) {
            p.write(out);
        }
    }

    static AlterIsrResponse read(ByteBuf in) {
        ErrorCode error = Codec.readError(in);
        int n = Codec.readCount(in, "partition_count");
        List<AlterIsrResult> partitions = new ArrayList<>(Math.min(n, in.readableBytes() / AlterIsrResult.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            partitions.add(AlterIsrResult.read(in));
        }
        return new AlterIsrResponse(error, partitions);
    }
}
