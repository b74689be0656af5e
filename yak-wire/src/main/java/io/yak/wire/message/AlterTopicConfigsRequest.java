package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Sets and removes a topic's own configs: {@code configs} are set (each validated as at creation),
 * {@code deletedKeys} go back to the default. See {@code WIRE.md}, section "ALTER_TOPIC_CONFIGS_REQUEST". Immutable;
 * {@code configs} is an unmodifiable map sorted by key.
 */
public record AlterTopicConfigsRequest(String topic, Map<String, String> configs, List<String> deletedKeys)
        implements Message {
    public AlterTopicConfigsRequest {
        Objects.requireNonNull(topic, "topic");
        configs = Codec.sortedConfigs(configs);
        deletedKeys = List.copyOf(deletedKeys);
    }

    @Override
    public MessageType type() {
        return MessageType.ALTER_TOPIC_CONFIGS_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        Codec.writeConfigs(out, configs);
        out.writeInt(deletedKeys.size());
        for (String k : deletedKeys) {
            Codec.writeString(out, k);
        }
    }

    static AlterTopicConfigsRequest read(ByteBuf in) {
        String topic = Codec.readRequiredString(in, "topic");
        Map<String, String> configs = Codec.readConfigs(in, "alter_topic_configs");
        int n = Codec.readCount(in, "deleted_key_count");
        List<String> deleted = new ArrayList<>(Math.min(n, in.readableBytes() / 2));
        for (int i = 0; i < n; i++) {
            deleted.add(Codec.readRequiredString(in, "deleted_key"));
        }
        return new AlterTopicConfigsRequest(topic, configs, deleted);
    }
}
