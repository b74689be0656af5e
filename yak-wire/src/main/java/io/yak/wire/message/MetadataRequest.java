package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;

/** Asks for the cluster state; listed topics that do not exist are created when autoCreate is set and the coordinator allows it. See {@code WIRE.md}, section "METADATA_REQUEST". */
public record MetadataRequest(boolean autoCreate, java.util.List<String> topics) implements Message {
    @Override
    public MessageType type() {
        return MessageType.METADATA_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeBoolean(out, autoCreate);
        out.writeInt(topics.size());
        for (String t : topics) {
            Codec.writeString(out, t);
        }
    }

    static MetadataRequest read(ByteBuf in) {
        boolean autoCreate = Codec.readBoolean(in, "auto_create");
        int n = Codec.readCount(in, "topic_count");
        java.util.List<String> topics = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            topics.add(Codec.readRequiredString(in, "topic"));
        }
        return new MetadataRequest(autoCreate, topics);
    }
}
