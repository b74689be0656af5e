package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A topic, its partitions in partition order (element i is partition i), its per-topic configs (keys of
 * {@link io.yak.wire.config.TopicConfigs}; a key that is absent takes the broker's default) and its topic id: the
 * cluster epoch of its creation, so a topic deleted and created again under the same name is another topic (a broker
 * drops partition directories of an older id). See {@code WIRE.md}, section "TopicInfo". Immutable; {@code configs}
 * is an unmodifiable map sorted by key.
 */
public record TopicInfo(String name, List<PartitionInfo> partitions, Map<String, String> configs, long topicId) {
    /** Smallest encoding: an empty name, no partitions, no configs, the id. */
    static final int MIN_BYTES = 2 + 4 + 4 + 8;
    /** The id of a topic created before topics had ids (and of topics made up by tests). */
    public static final long NO_TOPIC_ID = 0;

    public TopicInfo {
        partitions = List.copyOf(partitions);
        configs = Codec.sortedConfigs(configs);
    }

    /** A topic without an id ({@link #NO_TOPIC_ID}). */
    public TopicInfo(String name, List<PartitionInfo> partitions, Map<String, String> configs) {
        this(name, partitions, configs, NO_TOPIC_ID);
    }

    /** A topic without per-topic configs: every setting is the broker's default. */
    public TopicInfo(String name, List<PartitionInfo> partitions) {
        this(name, partitions, Map.of());
    }

    public int partitionCount() {
        return partitions.size();
    }

    public PartitionInfo partition(int p) {
        return p >= 0 && p < partitions.size() ? partitions.get(p) : null;
    }

    /** The value of a per-topic config, or null when the topic does not set it. */
    public String config(String key) {
        return configs.get(key);
    }

    /**
     * A numeric per-topic config, e.g. {@code longConfig(TopicConfigs.RETENTION_MS, defaultRetentionMs)}.
     *
     * @return {@code defaultValue} when the topic does not set {@code key}
     * @throws NumberFormatException naming the topic, key and value when the value is not a decimal long (the
     *     coordinator accepts only valid values, so this means a bug or a foreign coordinator)
     */
    public long longConfig(String key, long defaultValue) {
        String v = configs.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("topic " + name + " config " + key + "=" + v + " is not a long");
        }
    }

    static TopicInfo read(ByteBuf in) {
        String name = Codec.readRequiredString(in, "topic.name");
        int n = Codec.readCount(in, "topic.partition_count");
        List<PartitionInfo> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PartitionInfo p = PartitionInfo.read(in);
            if (p.partition() != i) {
                throw new WireException(ErrorCode.MALFORMED_FRAME,
                    "topic " + name + " lists partition " + p.partition() + " at position " + i);
            }
            parts.add(p);
        }
        return new TopicInfo(name, parts, Codec.readConfigs(in, "topic"), Codec.readLong(in, "topic.topic_id"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, name);
        out.writeInt(partitions.size());
        for (PartitionInfo p : partitions) {
            p.write(out);
        }
        Codec.writeConfigs(out, configs);
        out.writeLong(topicId);
    }
}
