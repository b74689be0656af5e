package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Every group the coordinator knows, sorted by id. See {@code WIRE.md}, section "LIST_GROUPS_RESPONSE". Immutable. */
public record ListGroupsResponse(ErrorCode error, List<ListedGroup> groups) implements Message {
    public ListGroupsResponse {
        Objects.requireNonNull(error, "error");
        groups = List.copyOf(groups);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_GROUPS_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeInt(groups.size());
        for (ListedGroup g : groups) {
            g.write(out);
        }
    }

    static ListGroupsResponse read(ByteBuf in) {
        ErrorCode error = Codec.readError(in);
        int n = Codec.readCount(in, "group_count");
        List<ListedGroup> groups = new ArrayList<>(Math.min(n, in.readableBytes() / ListedGroup.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            groups.add(ListedGroup.read(in));
        }
        return new ListGroupsResponse(error, groups);
    }
}
