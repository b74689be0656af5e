package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Pushed by the coordinator to every registered peer after each change of the cluster state. See {@code WIRE.md}, section "LEADER_INFO". */
public record LeaderInfo(ClusterMetadata metadata) implements Message {
    @Override
    public MessageType type() {
        return MessageType.LEADER_INFO;
    }

    @Override
    public void writeBody(ByteBuf out) {
        metadata.write(out);
    }

    static LeaderInfo read(ByteBuf in) {
        return new LeaderInfo(ClusterMetadata.read(in));
    }
}
