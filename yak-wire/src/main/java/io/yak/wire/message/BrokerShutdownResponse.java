package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/**
 * Answer to a broker's clean shutdown, once the coordinator has stored that the broker is gone and told the cluster.
 * See {@code WIRE.md}, section "BROKER_SHUTDOWN_RESPONSE".
 */
public record BrokerShutdownResponse(ErrorCode error, long epoch) implements Message {
    @Override
    public MessageType type() {
        return MessageType.BROKER_SHUTDOWN_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(epoch);
    }

    static BrokerShutdownResponse read(ByteBuf in) {
        return new BrokerShutdownResponse(Codec.readError(in), Codec.readLong(in, "epoch"));
    }
}
