package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/** Deletes a group that has no members: its committed offsets are removed. See {@code WIRE.md}, section "DELETE_GROUP_REQUEST". */
public record DeleteGroupRequest(String group) implements Message {
    public DeleteGroupRequest {
        Objects.requireNonNull(group, "group");
    }

    @Override
    public MessageType type() {
        return MessageType.DELETE_GROUP_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
    }

    static DeleteGroupRequest read(ByteBuf in) {
        return new DeleteGroupRequest(Codec.readRequiredString(in, "group"));
    }
}
