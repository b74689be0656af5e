package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A member asks for its assignment of a generation; the leader hands in every member's ({@code assignments}, empty
 * from the others). See {@code WIRE.md}, section "SYNC_GROUP_REQUEST". Immutable.
 */
public record SyncGroupRequest(String group, int generation, String memberId, String groupInstanceId,
                               List<GroupAssignment> assignments) implements Message {
    public SyncGroupRequest {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(memberId, "memberId");
        assignments = List.copyOf(assignments);
    }

    @Override
    public MessageType type() {
        return MessageType.SYNC_GROUP_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        out.writeInt(generation);
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
        out.writeInt(assignments.size());
        for (GroupAssignment a : assignments) {
            a.write(out);
        }
    }

    static SyncGroupRequest read(ByteBuf in) {
        String group = Codec.readRequiredString(in, "group");
        int generation = Codec.readInt(in, "generation");
        String memberId = Codec.readRequiredString(in, "member_id");
        String instanceId = Codec.readString(in, "group_instance_id");
        int n = Codec.readCount(in, "assignment_count");
        List<GroupAssignment> assignments =
            new ArrayList<>(Math.min(n, in.readableBytes() / GroupAssignment.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            assignments.add(GroupAssignment.read(in));
        }
        return new SyncGroupRequest(group, generation, memberId, instanceId, assignments);
    }
}
