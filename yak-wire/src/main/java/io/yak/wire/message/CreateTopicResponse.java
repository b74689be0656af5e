package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;

/** Outcome of a topic creation, with the cluster state after it. See {@code WIRE.md}, section "CREATE_TOPIC_RESPONSE". */
public record CreateTopicResponse(ErrorCode error, String message, ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.CREATE_TOPIC_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, message);
        metadata.write(out);
    }

    static CreateTopicResponse read(ByteBuf in) {
        return new CreateTopicResponse(Codec.readError(in), Codec.readString(in, "message"), ClusterMetadata.read(in));
    }
}
