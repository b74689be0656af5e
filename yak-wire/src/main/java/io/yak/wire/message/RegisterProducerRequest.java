package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** A producer registers to receive leader_info pushes. See {@code WIRE.md}, section "REGISTER_PRODUCER_REQUEST". */
public record RegisterProducerRequest(String clientId) implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_PRODUCER_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, clientId);
    }

    static RegisterProducerRequest read(ByteBuf in) {
        return new RegisterProducerRequest(Codec.readRequiredString(in, "client_id"));
    }
}
