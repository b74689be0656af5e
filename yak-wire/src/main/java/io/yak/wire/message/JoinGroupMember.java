package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * A member as the group leader sees it in its join answer: its id, its static instance id, and its subscription for
 * the chosen assignor. See {@code WIRE.md}, section "JoinGroupMember".
 */
public record JoinGroupMember(String memberId, String groupInstanceId, byte[] metadata) {
    static final int MIN_BYTES = 2 + 2 + 4;

    public JoinGroupMember {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(metadata, "metadata");
    }

    static JoinGroupMember read(ByteBuf in) {
        return new JoinGroupMember(Codec.readRequiredString(in, "member_id"),
            Codec.readString(in, "group_instance_id"), Codec.readBytes(in, "metadata"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
        Codec.writeBytes(out, metadata);
    }

    /** By content: the bytes are compared, not the arrays' identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof JoinGroupMember o && Objects.equals(memberId, o.memberId) && Objects.equals(groupInstanceId, o.groupInstanceId) && Arrays.equals(metadata, o.metadata);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(memberId, groupInstanceId) + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return "JoinGroupMember[" + "memberId=" + memberId + ", " + "groupInstanceId=" + groupInstanceId + ", metadata=" + metadata.length + " bytes" + "]";
    }
}
