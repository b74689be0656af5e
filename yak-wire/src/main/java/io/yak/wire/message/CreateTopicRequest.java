package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Creates a topic; partitions -1 takes the coordinator's num.partitions. See {@code WIRE.md}, section "CREATE_TOPIC_REQUEST". */
public record CreateTopicRequest(String topic, int partitions) implements Message {
    @Override
    public MessageType type() {
        return MessageType.CREATE_TOPIC_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partitions);
    }

    static CreateTopicRequest read(ByteBuf in) {
        return new CreateTopicRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partitions"));
    }
}
