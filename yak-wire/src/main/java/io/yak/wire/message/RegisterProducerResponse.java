package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Registration answer with a cluster-unique producer id and the cluster state. See {@code WIRE.md}, section "REGISTER_PRODUCER_RESPONSE". */
public record RegisterProducerResponse(ErrorCode error, long producerId, ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_PRODUCER_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeLong(producerId);
        metadata.write(out);
    }

    static RegisterProducerResponse read(ByteBuf in) {
        return new RegisterProducerResponse(Codec.readError(in), Codec.readLong(in, "producer_id"),
            ClusterMetadata.read(in));
    }
}
