package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * One group of a {@link ListGroupsResponse}: its id, state name and member count. See {@code WIRE.md}, section
 * "ListedGroup". Immutable.
 */
public record ListedGroup(String group, String state, int memberCount) {
    static final int MIN_BYTES = 2 + 2 + 4;

    public ListedGroup {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(state, "state");
    }

    static ListedGroup read(ByteBuf in) {
        return new ListedGroup(Codec.readRequiredString(in, "listed_group.group"),
            Codec.readRequiredString(in, "listed_group.state"), Codec.readInt(in, "listed_group.member_count"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, group);
        Codec.writeString(out, state);
        out.writeInt(memberCount);
    }
}
