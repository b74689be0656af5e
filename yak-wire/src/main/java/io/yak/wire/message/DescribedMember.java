package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * One member of a described group: ids, client id, host and its current assignment in the group's assignor
 * encoding (opaque to the coordinator; consumers decode it). See {@code WIRE.md}, section "DescribedMember".
 */
public record DescribedMember(String memberId, String groupInstanceId, String clientId, String host,
                              byte[] assignment) {
    static final int MIN_BYTES = 2 + 2 + 2 + 2 + 4;

    public DescribedMember {
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(assignment, "assignment");
    }

    static DescribedMember read(ByteBuf in) {
        return new DescribedMember(Codec.readRequiredString(in, "member.member_id"),
            Codec.readString(in, "member.group_instance_id"), Codec.readRequiredString(in, "member.client_id"),
            Codec.readRequiredString(in, "member.host"), Codec.readBytes(in, "member.assignment"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
        Codec.writeString(out, clientId);
        Codec.writeString(out, host);
        Codec.writeBytes(out, assignment);
    }

    /** By content: the bytes are compared, not the arrays' identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof DescribedMember o && memberId.equals(o.memberId)
            && Objects.equals(groupInstanceId, o.groupInstanceId) && clientId.equals(o.clientId)
            && host.equals(o.host) && Arrays.equals(assignment, o.assignment);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(memberId, groupInstanceId, clientId, host) + Arrays.hashCode(assignment);
    }

    @Override
    public String toString() {
        return "DescribedMember[memberId=" + memberId + ", groupInstanceId=" + groupInstanceId + ", clientId="
            + clientId + ", host=" + host + ", assignment=" + assignment.length + " bytes]";
    }
}
