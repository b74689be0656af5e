package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/** A member leaves its group at once (a clean close). See {@code WIRE.md}, section "LEAVE_GROUP_REQUEST". */
public record LeaveGroupRequest(String group, String memberId, String groupInstanceId) implements Message {
    public LeaveGroupRequest {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(memberId, "memberId");
    }

    @Override
    public MessageType type() {
        return MessageType.LEAVE_GROUP_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
    }

    static LeaveGroupRequest read(ByteBuf in) {
        return new LeaveGroupRequest(Codec.readRequiredString(in, "group"), Codec.readRequiredString(in, "member_id"),
            Codec.readString(in, "group_instance_id"));
    }
}
