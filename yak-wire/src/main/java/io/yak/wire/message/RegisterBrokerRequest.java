package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/**
 * A broker announces itself and its advertised address. {@code incarnationId} is chosen at random when the broker
 * process starts: the coordinator tells a process that registers again (its connection dropped, the coordinator
 * restarted) from a restarted one, which lost what it had not flushed. {@code cleanShutdown} says whether the
 * previous process closed every log cleanly (else a power loss may have cut acknowledged records from its tail, and
 * the coordinator no longer counts it as holding every committed record where another replica does). See {@code
 * WIRE.md}, section "REGISTER_BROKER_REQUEST".
 */
public record RegisterBrokerRequest(int brokerId, String host, int port, long incarnationId, boolean cleanShutdown)
        implements Message {
    @Override
    public MessageType type() {
        return MessageType.REGISTER_BROKER_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(brokerId);
        Codec.writeString(out, host);
        out.writeInt(port);
        out.writeLong(incarnationId);
        out.writeBoolean(cleanShutdown);
    }

    static RegisterBrokerRequest read(ByteBuf in) {
        return new RegisterBrokerRequest(Codec.readInt(in, "broker_id"), Codec.readRequiredString(in, "host"),
            Codec.readInt(in, "port"), Codec.readLong(in, "incarnation_id"), Codec.readBoolean(in, "clean_shutdown"));
    }
}
