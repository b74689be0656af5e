package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** A consumer registers to receive leader_info pushes; the group may be null. See {@code WIRE.md}, section "REGISTER_CONSUMER_REQUEST". */
public record RegisterConsumerRequest(String clientId, String groupId) implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_CONSUMER_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, clientId);
        Codec.writeString(out, groupId);
    }

    static RegisterConsumerRequest read(ByteBuf in) {
        return new RegisterConsumerRequest(Codec.readRequiredString(in, "client_id"), Codec.readString(in, "group_id"));
    }
}
