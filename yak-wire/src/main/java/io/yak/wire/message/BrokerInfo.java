package io.yak.wire.message;

import io.netty.buffer.ByteBuf;

/**
 * A broker as the coordinator knows it: id, advertised address, liveness and the broker epoch of its current
 * registration (-1 when it has none), which leaders use to refuse fetches from an older process of that id.
 */
public record BrokerInfo(int id, String host, int port, boolean alive, long brokerEpoch) {
    public static final long NO_EPOCH = -1;
    /** Smallest encoding: id, an empty host, port, alive and broker epoch. */
    static final int MIN_BYTES = 4 + 2 + 4 + 1 + 8;

    /** A broker whose registration epoch is unknown. */
    public BrokerInfo(int id, String host, int port, boolean alive) {
        this(id, host, port, alive, NO_EPOCH);
    }

    static BrokerInfo read(ByteBuf in) {
        int id = Codec.readInt(in, "broker.id");
        String host = Codec.readRequiredString(in, "broker.host");
        int port = Codec.readInt(in, "broker.port");
        boolean alive = Codec.readBoolean(in, "broker.alive");
        long brokerEpoch = Codec.readLong(in, "broker.broker_epoch");
        return new BrokerInfo(id, host, port, alive, brokerEpoch);
    }

    void write(ByteBuf out) {
        out.writeInt(id);
        Codec.writeString(out, host);
        out.writeInt(port);
        Codec.writeBoolean(out, alive);
        out.writeLong(brokerEpoch);
    }

    public String address() {
        return host + ":" + port;
    }
}
