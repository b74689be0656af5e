package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** The coordinator accepts a broker and sends it the cluster state. See {@code WIRE.md}, section "REGISTER_BROKER_RESPONSE". */
public record RegisterBrokerResponse(ErrorCode error, ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_BROKER_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        metadata.write(out);
    }

    static RegisterBrokerResponse read(ByteBuf in) {
        return new RegisterBrokerResponse(Codec.readError(in), ClusterMetadata.read(in));
    }
}
