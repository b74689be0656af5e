package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Deletes a topic: its partitions on every broker and the committed offsets of it. See {@code WIRE.md}, section "DELETE_TOPIC_REQUEST". */
public record DeleteTopicRequest(String topic) implements Message {
    public DeleteTopicRequest {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public MessageType type() {
        return MessageType.DELETE_TOPIC_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
    }

    static DeleteTopicRequest read(ByteBuf in) {
        return new DeleteTopicRequest(Codec.readRequiredString(in, "topic"));
    }
}
