package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Map;

/**
 * Creates a topic; partitions -1 takes the coordinator's num.partitions; {@code configs} are per-topic settings
 * (keys of {@link io.yak.wire.config.TopicConfigs}), empty for the broker defaults. See {@code WIRE.md}, section
 * "CREATE_TOPIC_REQUEST". Immutable; {@code configs} is an unmodifiable map sorted by key.
 */
public record CreateTopicRequest(String topic, int partitions, Map<String, String> configs) implements Message {
    public CreateTopicRequest {
        configs = Codec.sortedConfigs(configs);
    }

    /** A topic without per-topic configs: every setting is the broker's default. */
    public CreateTopicRequest(String topic, int partitions) {
        this(topic, partitions, Map.of());
    }

    @Override
    public MessageType type() {
        return MessageType.CREATE_TOPIC_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partitions);
        Codec.writeConfigs(out, configs);
    }

    static CreateTopicRequest read(ByteBuf in) {
        return new CreateTopicRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partitions"),
            Codec.readConfigs(in, "create_topic"));
    }
}
