package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.Map;

/**
 * Creates a topic; partitions -1 takes the coordinator's num.partitions and replication factor -1 its
 * default.replication.factor; {@code configs} are per-topic settings (keys of
 * {@link io.yak.wire.config.TopicConfigs}), empty for the broker defaults. See {@code WIRE.md}, section
 * "CREATE_TOPIC_REQUEST". Immutable; {@code configs} is an unmodifiable map sorted by key.
 */
public record CreateTopicRequest(String topic, int partitions, short replicationFactor, Map<String, String> configs)
        implements Message {
    public static final short DEFAULT_REPLICATION_FACTOR = -1;

    public CreateTopicRequest {
        configs = Codec.sortedConfigs(configs);
    }

    /** A topic with the coordinator's default replication factor and no per-topic configs. */
    public CreateTopicRequest(String topic, int partitions) {
        this(topic, partitions, DEFAULT_REPLICATION_FACTOR, Map.of());
    }

    /** A topic with the coordinator's default replication factor. */
    public CreateTopicRequest(String topic, int partitions, Map<String, String> configs) {
        this(topic, partitions, DEFAULT_REPLICATION_FACTOR, configs);
    }

    @Override
    public MessageType type() {
        return MessageType.CREATE_TOPIC_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partitions);
        out.writeShort(replicationFactor);
        Codec.writeConfigs(out, configs);
    }

    static CreateTopicRequest read(ByteBuf in) {
        return new CreateTopicRequest(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partitions"),
            Codec.readShort(in, "replication_factor"), Codec.readConfigs(in, "create_topic"));
    }
}
