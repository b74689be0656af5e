package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/**
 * The coordinator accepts a broker, gives it its broker epoch and sends it the cluster state. See {@code WIRE.md},
 * section "REGISTER_BROKER_RESPONSE".
 */
public record RegisterBrokerResponse(ErrorCode error, long brokerEpoch, ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_BROKER_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(brokerEpoch);
        metadata.write(out);
    }

    static RegisterBrokerResponse read(ByteBuf in) {
        return new RegisterBrokerResponse(Codec.readError(in), Codec.readLong(in, "broker_epoch"),
            ClusterMetadata.read(in));
    }
}
