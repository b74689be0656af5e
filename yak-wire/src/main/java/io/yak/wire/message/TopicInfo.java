package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/** A topic and its partitions, in partition order (element i is partition i). */
public record TopicInfo(String name, List<PartitionInfo> partitions) {
    public TopicInfo {
        partitions = List.copyOf(partitions);
    }

    public int partitionCount() {
        return partitions.size();
    }

    public PartitionInfo partition(int p) {
        return p >= 0 && p < partitions.size() ? partitions.get(p) : null;
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
        return new TopicInfo(name, parts);
    }

    void write(ByteBuf out) {
        Codec.writeString(out, name);
        out.writeInt(partitions.size());
        for (PartitionInfo p : partitions) {
            p.write(out);
        }
    }
}
