package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** The cluster state; error UNKNOWN_TOPIC when a requested topic does not exist and was not created. See {@code WIRE.md}, section "METADATA_RESPONSE". */
public record MetadataResponse(ErrorCode error, String message, ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.METADATA_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
        metadata.write(out);
    }

    static MetadataResponse read(ByteBuf in) {
        return new MetadataResponse(Codec.readError(in), Codec.readString(in, "message"), ClusterMetadata.read(in));
    }
}
