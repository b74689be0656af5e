package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import java.util.Objects;

/**
 * The leader's answer for one partition of a REPLICA_FETCH_REQUEST. Its records are not here but in the response's
 * trailing {@code records}, in partition order, {@code recordsLength} bytes each, so stored bytes are sent without a
 * copy. When the follower's log diverges from the leader's ({@code divergingEpoch >= 0}), no records are sent: the
 * follower truncates to {@code divergingEndOffset} (or its own end of that epoch, whichever is lower) and fetches
 * again. See {@code WIRE.md}, section "ReplicaFetchPartitionData".
 */
public record ReplicaFetchPartitionData(String topic, int partition, ErrorCode error, long highWatermark,
                                        long logStartOffset, long logEndOffset, int divergingEpoch,
                                        long divergingEndOffset, int recordsLength) {
    /** Smallest encoding: an empty topic name and the fixed fields. */
    static final int MIN_BYTES = 2 + 4 + 2 + 8 + 8 + 8 + 4 + 8 + 4;
    public static final int NO_DIVERGENCE = -1;

    public ReplicaFetchPartitionData {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(error, "error");
    }

    /** An answer without records: an error, or nothing new. */
    public static ReplicaFetchPartitionData empty(String topic, int partition, ErrorCode error, long highWatermark,
                                                 long logStartOffset, long logEndOffset) {
        return new ReplicaFetchPartitionData(topic, partition, error, highWatermark, logStartOffset, logEndOffset,
            NO_DIVERGENCE, -1, 0);
    }

    public boolean diverged() {
        return divergingEpoch != NO_DIVERGENCE;
    }

    static ReplicaFetchPartitionData read(ByteBuf in) {
        return new ReplicaFetchPartitionData(Codec.readRequiredString(in, "topic"), Codec.readInt(in, "partition"),
            Codec.readError(in), Codec.readLong(in, "high_watermark"), Codec.readLong(in, "log_start_offset"),
            Codec.readLong(in, "log_end_offset"), Codec.readInt(in, "diverging_epoch"),
            Codec.readLong(in, "diverging_end_offset"), Codec.readInt(in, "records_length"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, topic);
        out.writeInt(partition);
        out.writeShort(error.code());
        out.writeLong(highWatermark);
        out.writeLong(logStartOffset);
        out.writeLong(logEndOffset);
        out.writeInt(divergingEpoch);
        out.writeLong(divergingEndOffset);
        out.writeInt(recordsLength);
    }
}
