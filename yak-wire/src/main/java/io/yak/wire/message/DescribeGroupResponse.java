package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One group: its state, protocol type and assignor, generation, leader, members with their assignments, and every
 * committed offset (sorted by topic and partition). See {@code WIRE.md}, section "DESCRIBE_GROUP_RESPONSE".
 * Immutable.
 */
public record DescribeGroupResponse(ErrorCode error, String group, String state, String protocolType,
                                    String protocol, int generation, String leader, List<DescribedMember> members,
                                    List<GroupOffset> offsets) implements Message {
    public DescribeGroupResponse {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(state, "state");
        members = List.copyOf(members);
        offsets = List.copyOf(offsets);
    }

    @Override
    public MessageType type() {
        return MessageType.DESCRIBE_GROUP_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeString(out, group);
        Codec.writeString(out, state);
        Codec.writeString(out, protocolType);
        Codec.writeString(out, protocol);
        out.writeInt(generation);
        Codec.writeString(out, leader);
        out.writeInt(members.size());
        for (DescribedMember m : members) {
            m.write(out);
        }
        out.writeInt(offsets.size());
        for (GroupOffset o : offsets) {
            o.write(out);
        }
    }

    static DescribeGroupResponse read(ByteBuf in) {
        ErrorCode error = Codec.readError(in);
        String group = Codec.readRequiredString(in, "group");
        String state = Codec.readRequiredString(in, "state");
        String protocolType = Codec.readString(in, "protocol_type");
        String protocol = Codec.readString(in, "protocol");
        int generation = Codec.readInt(in, "generation");
        String leader = Codec.readString(in, "leader");
        int nm = Codec.readCount(in, "member_count");
        List<DescribedMember> members = new ArrayList<>(Math.min(nm, in.readableBytes() / DescribedMember.MIN_BYTES));
        for (int i = 0; i < nm; i++) {
            members.add(DescribedMember.read(in));
        }
        int no = Codec.readCount(in, "offset_count");
        List<GroupOffset> offsets = new ArrayList<>(Math.min(no, in.readableBytes() / GroupOffset.MIN_BYTES));
        for (int i = 0; i < no; i++) {
            offsets.add(GroupOffset.read(in));
        }
        return new DescribeGroupResponse(error, group, state, protocolType, protocol, generation, leader, members,
            offsets);
    }
}
