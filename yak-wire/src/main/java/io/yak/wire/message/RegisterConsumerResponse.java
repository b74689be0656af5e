package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Registration answer with the cluster state. See {@code WIRE.md}, section "REGISTER_CONSUMER_RESPONSE". */
public record RegisterConsumerResponse(ErrorCode error, ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_CONSUMER_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        metadata.write(out);
    }

    static RegisterConsumerResponse read(ByteBuf in) {
        return new RegisterConsumerResponse(Codec.readError(in), ClusterMetadata.read(in));
    }
}
