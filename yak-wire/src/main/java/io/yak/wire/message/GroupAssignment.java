package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * The leader's assignment for one member, in the chosen assignor's encoding (opaque to the coordinator). See
 * {@code WIRE.md}, section "GroupAssignment".
 */
public record GroupAssignment(String memberId, byte[] assignment) {
    static final int MIN_BYTES = 2 + 4;

    public GroupAssignment {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(assignment, "assignment");
    }

    static GroupAssignment read(ByteBuf in) {
        return new GroupAssignment(Codec.readRequiredString(in, "member_id"), Codec.readBytes(in, "assignment"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, memberId);
        Codec.writeBytes(out, assignment);
    }

    /** By content: the bytes are compared, not the arrays' identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof GroupAssignment o && Objects.equals(memberId, o.memberId) && Arrays.equals(assignment, o.assignment);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(memberId) + Arrays.hashCode(assignment);
    }

    @Override
    public String toString() {
        return "GroupAssignment[" + "memberId=" + memberId + ", assignment=" + assignment.length + " bytes" + "]";
    }
}
