package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Grows a topic to {@code partitions} partitions. See {@code WIRE.md}, section "CREATE_PARTITIONS_REQUEST". */
public record CreatePartitionsRequest(String topic, int partitions) implements Message {
    public CreatePartitionsRequest {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public MessageType type() {
        return MessageType.CREATE_PARTITIONS_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partitions);
    }

    static CreatePartitionsRequest read(ByteBuf in) {
        return new CreatePartitionsRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partitions"));
    }
}
