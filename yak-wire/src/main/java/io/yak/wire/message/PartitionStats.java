package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * One partition as its leader reports it to the coordinator: offsets, size and the records and bytes it took in and
 * sent out since the broker started. See {@code WIRE.md}, section "PartitionStats". Immutable.
 */
public record PartitionStats(String topic, int partition, long logStartOffset, long logEndOffset, long highWatermark,
                             long sizeBytes, long recordsIn, long recordsOut, long bytesIn, long bytesOut) {
    static final int MIN_BYTES = 2 + 4 + 8 * 8;

    public PartitionStats {
        Objects.requireNonNull(topic, "topic");
    }

    static PartitionStats read(ByteBuf in) {
        return new PartitionStats(Codec.readRequiredString(in, "partition_stats.topic"),
            Codec.readInt(in, "partition_stats.partition"), Codec.readLong(in, "partition_stats.log_start_offset"),
            Codec.readLong(in, "partition_stats.log_end_offset"), Codec.readLong(in, "partition_stats.high_watermark"),
            Codec.readLong(in, "partition_stats.size_bytes"), Codec.readLong(in, "partition_stats.records_in"),
            Codec.readLong(in, "partition_stats.records_out"), Codec.readLong(in, "partition_stats.bytes_in"),
            Codec.readLong(in, "partition_stats.bytes_out"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeLong(logStartOffset);
        out.writeLong(logEndOffset);
        out.writeLong(highWatermark);
        out.writeLong(sizeBytes);
        out.writeLong(recordsIn);
        out.writeLong(recordsOut);
        out.writeLong(bytesIn);
        out.writeLong(bytesOut);
    }
}
