package io.yak.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReplicaLogsTest {
    private static final int LEADER_EPOCH = 3;

    @Test
    void shouldAcceptIdenticalReplicas() {
        ReplicaLogs logs = new ReplicaLogs();
        byte[] bytes = concat(batch(0, 1, 2, 3), batch(3, 4, 5));
        logs.add(1, 0, 0, 5, bytes);
        logs.add(2, 0, 0, 5, bytes.clone());
        logs.add(3, 0, 0, 5, bytes.clone());

        assertThat(logs.compare()).isEmpty();
    }

    @Test
    void shouldReportDifferingBatchWithBrokersAndOffset() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(1, 4, 0, 5, concat(batch(0, 1, 2, 3), batch(3, 4, 5)));
        logs.add(2, 4, 0, 5, concat(batch(0, 1, 2, 3), batch(3, 4, 6)));

        assertThat(logs.compare()).singleElement().asString()
                .startsWith("partition 4: brokers 1 and 2 differ from offset 3");
    }

    @Test
    void shouldReportEachReplicaThatDiffersFromTheLowestBroker() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(3, 0, 0, 3, batch(0, 1, 2, 9));
        logs.add(2, 0, 0, 3, batch(0, 1, 2, 8));
        logs.add(1, 0, 0, 3, batch(0, 1, 2, 3));

        assertThat(logs.compare()).hasSize(2).anySatisfy(line -> assertThat(line).contains("brokers 1 and 2"))
                .anySatisfy(line -> assertThat(line).contains("brokers 1 and 3"));
    }

    @Test
    void shouldReportDifferentBatchBoundaries() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(1, 0, 0, 4, concat(batch(0, 1, 2), batch(2, 3, 4)));
        logs.add(2, 0, 0, 4, concat(batch(0, 1), batch(1, 2, 3, 4)));

        assertThat(logs.compare()).singleElement().asString().contains("differ from offset 0");
    }

    @Test
    void shouldReportReplicaMissingBatchesItsHighWatermarkCovers() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(1, 0, 0, 4, concat(batch(0, 1, 2), batch(2, 3, 4)));
        logs.add(2, 0, 0, 4, batch(0, 1, 2));

        assertThat(logs.compare()).singleElement().asString()
                .contains("differ from offset 2", "broker 1 has batch 2..3, broker 2 has none");
    }

    @Test
    void shouldCompareOnlyOffsetsEveryReplicaHoldsBelowTheSmallestHighWatermark() {
        ReplicaLogs logs = new ReplicaLogs();
        // Broker 1's log starts later, broker 2 has not replicated up to the leader's tail: only 2..3 is shared.
        logs.add(1, 0, 2, 6, concat(batch(2, 3, 4), batch(4, 5, 6)));
        logs.add(2, 0, 0, 4, concat(batch(0, 9, 9), batch(2, 3, 4), batch(4, 7, 7)));

        assertThat(logs.compare()).isEmpty();
    }

    @Test
    void shouldCompareWholeBatchesStraddlingTheSharedRange() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(1, 0, 1, 4, batch(0, 1, 2, 3, 4));
        logs.add(2, 0, 0, 2, batch(0, 1, 2, 3, 5));

        assertThat(logs.compare()).singleElement().asString().contains("differ from offset 0");
    }

    @Test
    void shouldReportMalformedReplicaBytes() {
        ReplicaLogs logs = new ReplicaLogs();
        byte[] good = batch(0, 1, 2);
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        logs.add(1, 0, 0, 2, good);
        logs.add(2, 0, 0, 2, truncated);

        assertThat(logs.compare()).singleElement().asString()
                .contains("partition 0: broker 2 holds a malformed batch at byte 0");
    }

    @Test
    void shouldIgnorePartitionsWithOneReplicaOrNothingShared() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(1, 0, 0, 2, batch(0, 1, 2));
        logs.add(1, 1, 0, 2, batch(0, 1, 2));
        logs.add(2, 1, 2, 2, new byte[0]);

        assertThat(logs.compare()).isEmpty();
    }

    @Test
    void shouldRefuseTheSameReplicaTwice() {
        ReplicaLogs logs = new ReplicaLogs();
        logs.add(1, 0, 0, 2, batch(0, 1, 2));

        assertThatThrownBy(() -> logs.add(1, 0, 0, 2, batch(0, 1, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("broker 1");
    }

    /** A batch as a leader stores it: values as 8-byte big-endian record values, base offset and epoch stamped. */
    static byte[] batch(long baseOffset, long... values) {
        ByteBuf out = Unpooled.buffer();
        try {
            RecordBatchBuilder builder = new RecordBatchBuilder().begin(out, 1_000L,
                    RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
                    RecordBatchLayout.NO_SEQUENCE);
            for (long value : values) {
                builder.append(1_000L, null, ByteBuffer.allocate(Long.BYTES).putLong(value).array());
            }
            builder.finish();
            out.setLong(RecordBatchLayout.BASE_OFFSET_OFFSET, baseOffset);
            out.setInt(RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET, LEADER_EPOCH);
            byte[] bytes = new byte[out.readableBytes()];
            out.getBytes(out.readerIndex(), bytes);
            return bytes;
        } finally {
            out.release();
        }
    }

    private static byte[] concat(byte[]... batches) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] batch : batches) {
            out.writeBytes(batch);
        }
        return out.toByteArray();
    }
}
