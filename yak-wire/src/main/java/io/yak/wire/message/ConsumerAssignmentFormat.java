package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/**
 * The assignment a YaK consumer group's leader hands each member through the coordinator (the {@code assignment}
 * bytes of {@code SYNC_GROUP_REQUEST}, protocol type {@code consumer}): {@code int16 version (1), int32
 * partition_count, (string topic, int32 partition)...}, strings as in {@code WIRE.md}. The coordinator passes the
 * bytes on unread; this is the one decoder for those that show them (the client's admin and the console).
 */
public final class ConsumerAssignmentFormat {
    public static final short VERSION = 1;

    private ConsumerAssignmentFormat() {
    }

    public static byte[] encode(List<PartitionRef> partitions) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(VERSION);
        writePartitions(out, partitions);
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    /**
     * An empty array (what the coordinator hands a member the leader did not list) is an empty assignment.
     *
     * @throws WireException MALFORMED_FRAME when the bytes are not a version 1 assignment
     * @throws IllegalArgumentException for an empty topic name or a negative partition
     */
    public static List<PartitionRef> decode(byte[] bytes) {
        if (bytes.length == 0) {
            return List.of();
        }
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        readVersion(in, "assignment");
        return readPartitions(in, "partition_count");
    }

    /** Reads the version of a consumer protocol message; only {@link #VERSION} is understood. */
    public static void readVersion(ByteBuf in, String what) {
        short version = Codec.readShort(in, "version");
        if (version != VERSION) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, what + " version " + version + ", only " + VERSION
                + " is understood");
        }
    }

    public static void writePartitions(ByteBuf out, List<PartitionRef> partitions) {
        out.writeInt(partitions.size());
        for (PartitionRef p : partitions) {
            Codec.writeString(out, p.topic());
            out.writeInt(p.partition());
        }
    }

    public static List<PartitionRef> readPartitions(ByteBuf in, String countField) {
        int n = Codec.readCount(in, countField);
        List<PartitionRef> out = new ArrayList<>(Math.min(n, in.readableBytes() / PartitionRef.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            out.add(new PartitionRef(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition")));
        }
        return out;
    }
}
