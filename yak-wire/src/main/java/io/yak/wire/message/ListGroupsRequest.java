package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the coordinator for every consumer group it knows: groups with members and groups that only have committed
 * offsets. {@code states} filters by state name ({@code Empty}, {@code Stable}, ...); empty lists all. See
 * {@code WIRE.md}, section "LIST_GROUPS_REQUEST". Immutable.
 */
public record ListGroupsRequest(List<String> states) implements Message {
    public ListGroupsRequest {
        states = List.copyOf(states);
    }

    @Override
    public MessageType type() {
        return MessageType.LIST_GROUPS_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(states.size());
        for (String s : states) {
            Codec.writeString(out, s);
        }
    }

    static ListGroupsRequest read(ByteBuf in) {
        int n = Codec.readCount(in, "state_count");
        List<String> states = new ArrayList<>(Math.min(n, in.readableBytes() / 2));
        for (int i = 0; i < n; i++) {
            states.add(Codec.readRequiredString(in, "state"));
        }
        return new ListGroupsRequest(states);
    }
}
