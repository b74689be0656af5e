package io.yak.client.consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.TopicPartition;
import io.yak.client.consumer.assignor.Subscription;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.message.Codec;
import java.util.ArrayList;
import java.util.List;

/**
 * How YaK consumers encode what they tell each other through the group coordinator, which passes these bytes on
 * without reading them: a member's subscription (in its join) and its assignment (in the leader's sync). Big-endian,
 * strings as in {@code WIRE.md}:
 *
 * <pre>
 * subscription: int16 version (1), int32 topic_count, string topic..., int32 owned_count,
 *               (string topic, int32 partition)..., int32 generation (-1: owns nothing from any generation)
 * assignment:   int16 version (1), int32 partition_count, (string topic, int32 partition)...
 * </pre>
 *
 * A member reads only version 1 and refuses other versions as malformed; a later version would add fields at the
 * end. Public for {@code YakAdmin}, which shows members' assignments; not an API for applications.
 */
public final class ConsumerProtocol {
    static final String PROTOCOL_TYPE = "consumer";
    static final short VERSION = 1;

    private ConsumerProtocol() {
    }

    static byte[] encodeSubscription(Subscription s) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(VERSION);
        out.writeInt(s.topics().size());
        for (String t : s.topics()) {
            Codec.writeString(out, t);
        }
        writePartitions(out, s.ownedPartitions());
        out.writeInt(s.generation());
        return bytes(out);
    }

    /** @throws WireException MALFORMED_FRAME when the bytes are not a version 1 subscription */
    static Subscription decodeSubscription(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        readVersion(in, "subscription");
        int n = Codec.readCount(in, "topic_count");
        List<String> topics = new ArrayList<>(Math.min(n, in.readableBytes() / 2));
        for (int i = 0; i < n; i++) {
            topics.add(Codec.readRequiredString(in, "topic"));
        }
        List<TopicPartition> owned = readPartitions(in, "owned_count");
        int generation = Codec.readInt(in, "generation");
        return new Subscription(topics, owned, generation);
    }

    static byte[] encodeAssignment(List<TopicPartition> partitions) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(VERSION);
        writePartitions(out, partitions);
        return bytes(out);
    }

    /**
     * An empty array (what the coordinator hands a member the leader did not list) is an empty assignment.
     *
     * @throws WireException MALFORMED_FRAME when the bytes are not a version 1 assignment
     * @throws IllegalArgumentException for an empty topic name or a negative partition
     */
    public static List<TopicPartition> decodeAssignment(byte[] bytes) {
        if (bytes.length == 0) {
            return List.of();
        }
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        readVersion(in, "assignment");
        return readPartitions(in, "partition_count");
    }

    private static void readVersion(ByteBuf in, String what) {
        short version = Codec.readShort(in, "version");
        if (version != VERSION) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, what + " version " + version + ", only " + VERSION
                + " is understood");
        }
    }

    private static void writePartitions(ByteBuf out, List<TopicPartition> partitions) {
        out.writeInt(partitions.size());
        for (TopicPartition tp : partitions) {
            Codec.writeString(out, tp.topic());
            out.writeInt(tp.partition());
        }
    }

    private static List<TopicPartition> readPartitions(ByteBuf in, String countField) {
        int n = Codec.readCount(in, countField);
        List<TopicPartition> out = new ArrayList<>(Math.min(n, in.readableBytes() / 6));
        for (int i = 0; i < n; i++) {
            out.add(new TopicPartition(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition")));
        }
        return out;
    }

    private static byte[] bytes(ByteBuf out) {
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }
}
