package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Objects;

/**
 * Stores a consumer group's next offset to read for one partition. A group member names its generation, member id
 * and instance id so a stale member's commit is refused; a consumer outside the group protocol sends generation -1
 * and an empty member id. See {@code WIRE.md}, section "COMMIT_OFFSET_REQUEST".
 */
public record CommitOffsetRequest(String group, String topic, int partition, long offset, int generation,
                                  String memberId, String groupInstanceId) implements Message {
    public CommitOffsetRequest {
        Objects.requireNonNull(memberId, "memberId");
    }

    /** A commit outside the group protocol (the consumer assigns its partitions itself). */
    public CommitOffsetRequest(String group, String topic, int partition, long offset) {
        this(group, topic, partition, offset, -1, "", null);
    }

    @Override
    public MessageType type() {
        return MessageType.COMMIT_OFFSET_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeLong(offset);
        out.writeInt(generation);
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
    }

    static CommitOffsetRequest read(ByteBuf in) {
        return new CommitOffsetRequest(Codec.readRequiredString(in, "group"), Codec.readRequiredString(in, "topic"),
            Codec.readInt(in, "partition"), Codec.readLong(in, "offset"), Codec.readInt(in, "generation"),
            Codec.readRequiredString(in, "member_id"), Codec.readString(in, "group_instance_id"));
    }
}
