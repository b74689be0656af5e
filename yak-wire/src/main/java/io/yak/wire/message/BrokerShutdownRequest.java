package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/**
 * A broker stopping cleanly says so, so its partitions go offline at once instead of after the heartbeat timeout
 * (Kafka's controlled shutdown). See {@code WIRE.md}, section "BROKER_SHUTDOWN_REQUEST".
 */
public record BrokerShutdownRequest(int brokerId) implements Message {
    @Override
    public MessageType type() {
        return MessageType.BROKER_SHUTDOWN_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeInt(brokerId);
    }

    static BrokerShutdownRequest read(ByteBuf in) {
        return new BrokerShutdownRequest(Codec.readInt(in, "broker_id"));
    }
}
