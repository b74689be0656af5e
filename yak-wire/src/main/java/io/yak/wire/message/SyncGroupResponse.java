package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.Arrays;
import java.util.Objects;

/** The member's assignment of the generation it synced. See {@code WIRE.md}, section "SYNC_GROUP_RESPONSE". */
public record SyncGroupResponse(ErrorCode error, byte[] assignment) implements Message {
    public SyncGroupResponse {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(assignment, "assignment");
    }

    @Override
    public MessageType type() {
        return MessageType.SYNC_GROUP_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        Codec.writeBytes(out, assignment);
    }

    static SyncGroupResponse read(ByteBuf in) {
        return new SyncGroupResponse(Codec.readError(in), Codec.readBytes(in, "assignment"));
    }

    /** By content: the bytes are compared, not the arrays' identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof SyncGroupResponse o && Objects.equals(error, o.error) && Arrays.equals(assignment, o.assignment);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(error) + Arrays.hashCode(assignment);
    }

    @Override
    public String toString() {
        return "SyncGroupResponse[" + "error=" + error + ", assignment=" + assignment.length + " bytes" + "]";
    }
}
