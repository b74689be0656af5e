package io.yak.client.consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.TopicPartition;
import io.yak.client.consumer.assignor.Subscription;
import io.yak.wire.WireException;
import io.yak.wire.message.Codec;
import io.yak.wire.message.ConsumerAssignmentFormat;
import io.yak.wire.message.PartitionRef;
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
 * The assignment's format is {@link ConsumerAssignmentFormat}'s, which the coordinator's console reads too. A member
 * reads only version 1 and refuses other versions as malformed; a later version would add fields at the end. Public
 * for {@code YakAdmin}, which shows members' assignments; not an API for applications.
 */
public final class ConsumerProtocol {
    static final String PROTOCOL_TYPE = "consumer";
    static final short VERSION = ConsumerAssignmentFormat.VERSION;

    private ConsumerProtocol() {
    }

    static byte[] encodeSubscription(Subscription s) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(VERSION);
        out.writeInt(s.topics().size());
        for (String t : s.topics()) {
            Codec.writeString(out, t);
        }
        ConsumerAssignmentFormat.writePartitions(out, refs(s.ownedPartitions()));
        out.writeInt(s.generation());
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    /** @throws WireException MALFORMED_FRAME when the bytes are not a version 1 subscription */
    static Subscription decodeSubscription(byte[] bytes) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        ConsumerAssignmentFormat.readVersion(in, "subscription");
        int n = Codec.readCount(in, "topic_count");
        List<String> topics = new ArrayList<>(Math.min(n, in.readableBytes() / 2));
        for (int i = 0; i < n; i++) {
            topics.add(Codec.readRequiredString(in, "topic"));
        }
        List<TopicPartition> owned = partitions(ConsumerAssignmentFormat.readPartitions(in, "owned_count"));
        int generation = Codec.readInt(in, "generation");
        return new Subscription(topics, owned, generation);
    }

    static byte[] encodeAssignment(List<TopicPartition> partitions) {
        return ConsumerAssignmentFormat.encode(refs(partitions));
    }

    /**
     * An empty array (what the coordinator hands a member the leader did not list) is an empty assignment.
     *
     * @throws WireException MALFORMED_FRAME when the bytes are not a version 1 assignment
     * @throws IllegalArgumentException for an empty topic name or a negative partition
     */
    public static List<TopicPartition> decodeAssignment(byte[] bytes) {
        return partitions(ConsumerAssignmentFormat.decode(bytes));
    }

    private static List<PartitionRef> refs(List<TopicPartition> partitions) {
        List<PartitionRef> out = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            out.add(new PartitionRef(tp.topic(), tp.partition()));
        }
        return out;
    }

    private static List<TopicPartition> partitions(List<PartitionRef> refs) {
        List<TopicPartition> out = new ArrayList<>(refs.size());
        for (PartitionRef r : refs) {
            out.add(new TopicPartition(r.topic(), r.partition()));
        }
        return out;
    }
}
