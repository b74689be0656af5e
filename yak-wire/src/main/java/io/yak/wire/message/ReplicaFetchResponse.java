package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's answer to a REPLICA_FETCH_REQUEST: one {@link ReplicaFetchPartitionData} per partition, then the
 * records of all of them back to back ({@code records}), partition i's being the {@code recordsLength} bytes after
 * those of partitions 0..i-1. This message owns one reference to {@code records} (the leader passes a composite of
 * mapped segment slices). See {@code WIRE.md}, section "REPLICA_FETCH_RESPONSE".
 */
public record ReplicaFetchResponse(ErrorCode error, List<ReplicaFetchPartitionData> partitions, ByteBuf records)
        implements Message {
    public ReplicaFetchResponse {
        partitions = List.copyOf(partitions);
    }

    @Override
    public MessageType type() {
        return MessageType.REPLICA_FETCH_RESPONSE;
    }

    @Override
    public void writeBody(ByteBuf out) {
        out.writeShort(error.code());
        out.writeInt(partitions.size());
        for (ReplicaFetchPartitionData p : partitions) {
            p.write(out);
        }
        out.writeInt(records.readableBytes());
    }

    @Override
    public ByteBuf payload() {
        return records;
    }

    static ReplicaFetchResponse read(ByteBuf in) {
        ErrorCode error = Codec.readError(in);
        int n = Codec.readCount(in, "partition_count");
        List<ReplicaFetchPartitionData> partitions =
            new ArrayList<>(Math.min(n, in.readableBytes() / ReplicaFetchPartitionData.MIN_BYTES));
        long sum = 0;
        for (int i = 0; i < n; i++) {
            ReplicaFetchPartitionData p = ReplicaFetchPartitionData.read(in);
            if (p.recordsLength() < 0) {
                throw new WireException(ErrorCode.MALFORMED_FRAME,
                    "partition " + i + " has records_length " + p.recordsLength());
            }
            sum += p.recordsLength();
            partitions.add(p);
        }
        int length = Codec.readInt(in, "records_length");
        if (length < 0 || length != in.readableBytes() || length != sum) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, "records_length " + length + " but "
                + in.readableBytes() + " bytes follow and the partitions' records_length sum to " + sum);
        }
        return new ReplicaFetchResponse(error, partitions, in.readRetainedSlice(length));
    }
}
