package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/** A group member is alive. See {@code WIRE.md}, section "GROUP_HEARTBEAT_REQUEST". */
public record GroupHeartbeatRequest(String group, int generation, String memberId, String groupInstanceId)
    implements Message {
    public GroupHeartbeatRequest {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(memberId, "memberId");
    }

    @Override
    public MessageType type() {
        return MessageType.GROUP_HEARTBEAT_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        out.writeInt(generation);
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
    }

    static GroupHeartbeatRequest read(ByteBuf in) {
        return new GroupHeartbeatRequest(Codec.readRequiredString(in, "group"), Codec.readInt(in, "generation"),
            Codec.readRequiredString(in, "member_id"), Codec.readString(in, "group_instance_id"));
    }
}
