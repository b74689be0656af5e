package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Asks for one group's state, members and committed offsets. See {@code WIRE.md}, section "DESCRIBE_GROUP_REQUEST". */
public record DescribeGroupRequest(String group) implements Message {
    public DescribeGroupRequest {
        Objects.requireNonNull(group, "group");
    }

    @Override
    public MessageType type() {
        return MessageType.DESCRIBE_GROUP_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
    }

    static DescribeGroupRequest read(ByteBuf in) {
        return new DescribeGroupRequest(Codec.readRequiredString(in, "group"));
    }
}
