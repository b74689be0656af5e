package io.yak.broker.log;

import static io.yak.broker.log.SegmentLayout.HEADER_LENGTH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SegmentReader} over a heap buffer laid out as a segment (header, then batches): no segment file needed, only
 * empty index files for the lookups that consult them.
 */
class SegmentReaderTest {
    private static final long BASE = 100;
    private static final Path FILE = Path.of("00000000000000000100.log");

    @TempDir
    Path dir;

    private OffsetIndex index;
    private TimeIndex timeIndex;
    private ByteBuf segment;
    /** Positions of the batches, and the end. */
    private int[] positions;

    @BeforeEach
    void setUp() throws IOException {
        index = OffsetIndex.create(dir.resolve("index"), BASE, 16);
        timeIndex = TimeIndex.create(dir.resolve("timeindex"), BASE, 16);
        segment = Unpooled.buffer();
        segment.writeZero(HEADER_LENGTH);
        positions = new int[4];
        long base = BASE;
        for (int i = 0; i < 3; i++) {
            positions[i] = segment.writerIndex();
            int records = i + 1; // offsets 100, 101-102, 103-105
            LogTestSupport.appendTimedBatch(segment, LogTestSupport.TIMESTAMP + i,
                LogTestSupport.values(base, records));
            segment.setLong(positions[i] + RecordBatchLayout.BASE_OFFSET_OFFSET, base);
            base += records;
        }
        positions[3] = segment.writerIndex();
    }

    @AfterEach
    void tearDown() throws IOException {
        segment.release();
        index.release();
        timeIndex.release();
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private ByteBuffer view() {
        return segment.nioBuffer(0, segment.capacity());
    }

    private static SegmentReader reader(int verifiedEnd) {
        SegmentReader reader = new SegmentReader("t-0", BASE, () -> FILE);
        reader.verifiedEnd(verifiedEnd);
        return reader;
    }

    @Test
    void shouldLocateTheBatchHoldingAnOffset() {
        SegmentReader reader = reader(SegmentReader.ALL_VERIFIED);
        int limit = positions[3];
        assertThat(reader.locate(view(), limit, index, 100)).isEqualTo(positions[0]);
        assertThat(reader.locate(view(), limit, index, 102)).isEqualTo(positions[1]);
        assertThat(reader.locate(view(), limit, index, 105)).isEqualTo(positions[2]);
        assertThat(reader.locate(view(), limit, index, 106)).isEqualTo(SegmentReader.NOT_FOUND);
        assertThat(reader.locate(view(), positions[2], index, 103)).as("past the limit")
            .isEqualTo(SegmentReader.NOT_FOUND);
    }

    @Test
    void shouldFallBackToAScanWhenAnIndexEntryIsWrong() {
        index.append(103, positions[1]); // names the second batch with the third one's offset
        SegmentReader reader = reader(SegmentReader.ALL_VERIFIED);
        assertThat(reader.locate(view(), positions[3], index, 104)).isEqualTo(positions[2]);
        assertThat(reader.indexSuspect()).isTrue();
    }

    @Test
    void shouldReadWholeBatchesWithinTheBounds() {
        SegmentReader reader = reader(SegmentReader.ALL_VERIFIED);
        int limit = positions[3];
        ByteBuf all = reader.read(view(), limit, index, 101, Integer.MAX_VALUE, Long.MAX_VALUE);
        assertThat(all.readableBytes()).isEqualTo(limit - positions[1]);
        ByteBuf one = reader.read(view(), limit, index, 100, 1, Long.MAX_VALUE);
        assertThat(one.readableBytes()).as("the first batch even past maxBytes").isEqualTo(positions[1] - positions[0]);
        ByteBuf below = reader.read(view(), limit, index, 100, Integer.MAX_VALUE, 103);
        assertThat(below.readableBytes()).as("none reaching maxOffset").isEqualTo(positions[2] - positions[0]);
        assertThat(reader.read(view(), limit, index, 101, Integer.MAX_VALUE, 102)).isSameAs(Unpooled.EMPTY_BUFFER);
        assertThat(reader.read(view(), limit, index, 106, Integer.MAX_VALUE, Long.MAX_VALUE)).isNull();
    }

    @Test
    void shouldNeverServeABatchWithABadCrcInAnUnverifiedSegment() {
        int damaged = positions[1] + RecordBatchLayout.RECORDS_OFFSET;
        segment.setByte(damaged, segment.getByte(damaged) ^ 1);
        SegmentReader reader = reader(HEADER_LENGTH);
        int limit = positions[3];
        ByteBuf first = reader.read(view(), limit, index, 100, Integer.MAX_VALUE, Long.MAX_VALUE);
        assertThat(first.readableBytes()).as("stops before the damaged batch").isEqualTo(positions[1] - positions[0]);
        assertThat(reader.verifiedEnd()).isEqualTo(positions[1]);
        assertThatThrownBy(() -> reader.read(view(), limit, index, 101, Integer.MAX_VALUE, Long.MAX_VALUE))
            .isInstanceOf(CorruptBatchException.class)
            .hasMessageContaining("CRC32C mismatch")
            .hasMessageContaining(FILE.toString());
        assertThat(reader.corruptionReported()).isTrue();
        assertThatThrownBy(() -> reader.verifyUpTo(view(), limit)).isInstanceOf(CorruptBatchException.class);
        assertThat(reader(SegmentReader.ALL_VERIFIED).read(view(), limit, index, 101, Integer.MAX_VALUE,
            Long.MAX_VALUE).readableBytes()).as("a verified segment is not checked again")
            .isEqualTo(limit - positions[1]);
    }

    @Test
    void shouldExplainImplausibleHeaders() {
        ByteBuffer view = view();
        assertThat(SegmentReader.batchProblem(view, positions[0], positions[3])).isNull();
        assertThat(SegmentReader.batchProblem(view, positions[0], positions[1] - 1)).contains("longer than");
        assertThat(SegmentReader.batchProblem(view, positions[0], positions[0] + 10)).contains("partial batch header");
        segment.setByte(positions[1] + RecordBatchLayout.MAGIC_OFFSET, 1);
        assertThat(SegmentReader.batchProblem(view(), positions[1], positions[3])).contains("magic 1");
    }

    @Test
    void shouldFindTheFirstBatchNewEnoughForATimestamp() {
        SegmentReader reader = reader(SegmentReader.ALL_VERIFIED);
        int limit = positions[3];
        long t = LogTestSupport.TIMESTAMP;
        for (long[] expected : List.of(new long[] {t - 1, 100}, new long[] {t, 100}, new long[] {t + 1, 101},
            new long[] {t + 2, 103}, new long[] {t + 3, -1})) {
            assertThat(reader.offsetForTimestamp(view(), limit, index, timeIndex, expected[0]))
                .as("timestamp %d", expected[0]).isEqualTo(expected[1]);
        }
    }
}
