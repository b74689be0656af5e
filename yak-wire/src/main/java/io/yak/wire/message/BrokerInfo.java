package io.yak.wire.message;

import io.netty.buffer.ByteBuf;

/** A broker as the coordinator knows it: id, advertised address and liveness. */
public record BrokerInfo(int id, String host, int port, boolean alive) {
    static BrokerInfo read(ByteBuf in) {
        int id = Codec.readInt(in, "broker.id");
        String host = Codec.readRequiredString(in, "broker.host");
        int port = Codec.readInt(in, "broker.port");
        boolean alive = Codec.readBoolean(in, "broker.alive");
        return new BrokerInfo(id, host, port, alive);
    }

    void write(ByteBuf out) {
        out.writeInt(id);
        Codec.writeString(out, host);
        out.writeInt(port);
        Codec.writeBoolean(out, alive);
    }

    public String address() {
        return host + ":" + port;
    }
}
