package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The new generation: its number, the chosen assignor, the leader, the member's own id, and (for the leader only)
 * every member's subscription. See {@code WIRE.md}, section "JOIN_GROUP_RESPONSE". Immutable.
 */
public record JoinGroupResponse(ErrorCode error, int generation, String protocol, String leader, String memberId,
                                List<JoinGroupMember> members) implements Message {
    public JoinGroupResponse {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(memberId, "memberId");
        members = List.copyOf(members);
    }

    @Override
    public MessageType type() {
        return MessageType.JOIN_GROUP_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeInt(generation);
        Codec.writeString(out, protocol);
        Codec.writeString(out, leader);
        Codec.writeString(out, memberId);
        out.writeInt(members.size());
        for (JoinGroupMember m : members) {
            m.write(out);
        }
    }

    static JoinGroupResponse read(ByteBuf in) {
        ErrorCode error = Codec.readError(in);
        int generation = Codec.readInt(in, "generation");
        String protocol = Codec.readString(in, "protocol");
        String leader = Codec.readString(in, "leader");
        String memberId = Codec.readRequiredString(in, "member_id");
        int n = Codec.readCount(in, "member_count");
        List<JoinGroupMember> members = new ArrayList<>(Math.min(n, in.readableBytes() / JoinGroupMember.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            members.add(JoinGroupMember.read(in));
        }
        return new JoinGroupResponse(error, generation, protocol, leader, memberId, members);
    }
}
