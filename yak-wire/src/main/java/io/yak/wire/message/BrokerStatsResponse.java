package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Whether the coordinator took a broker's report. See {@code WIRE.md}, section "BROKER_STATS_RESPONSE". */
public record BrokerStatsResponse(ErrorCode error) implements Message {
    @Override
    public MessageType type() {
        return MessageType.BROKER_STATS_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
    }

    static BrokerStatsResponse read(ByteBuf in) {
        return new BrokerStatsResponse(Codec.readError(in));
    }
}
