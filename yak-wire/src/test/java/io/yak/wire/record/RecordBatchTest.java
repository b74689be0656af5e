package io.yak.wire.record;

import static io.yak.wire.record.RecordBatchLayout.ATTRIBUTES_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.BATCH_LENGTH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.CRC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.LOG_OVERHEAD;
import static io.yak.wire.record.RecordBatchLayout.MAGIC_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.MIN_BATCH_LENGTH;
import static io.yak.wire.record.RecordBatchLayout.PARTITION_LEADER_EPOCH_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_COUNT_OFFSET;
import static io.yak.wire.record.RecordBatchLayout.RECORDS_OFFSET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** RecordBatchBuilder, RecordBatchFlyweight and RecordCursor against each other and against Kafka's v2 bytes. */
class RecordBatchTest {
    private final List<ByteBuf> buffers = new ArrayList<>();
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final RecordCursor cursor = new RecordCursor();

    static LongStream seeds() {
        return Seeds.seeds(20);
    }

    @AfterEach
    void releaseBuffers() {
        for (ByteBuf b : buffers) {
            assertThat(b.release()).isTrue();
            assertThat(b.refCnt()).isZero();
        }
    }

    /** One record as the test wrote it. */
    record Rec(long timestamp, byte[] key, byte[] value) {
    }

    // ---- known bytes ----------------------------------------------------------------------------------------

    @Test
    void shouldWriteExactlyKafkasV2BytesForOneRecord() {
        long timestamp = 0x0000_0193_5A1B_2C3DL;
        byte[] expected = new byte[] {
            0, 0, 0, 0, 0, 0, 0, 0,                    // base_offset 0 (the broker stamps it)
            0, 0, 0, 58,                               // batch_length: 70 bytes - 12
            -1, -1, -1, -1,                            // partition_leader_epoch -1 (the broker stamps it)
            2,                                         // magic
            0, 0, 0, 0,                                // crc, filled in below
            0, 0,                                      // attributes
            0, 0, 0, 0,                                // last_offset_delta
            0, 0, 0x01, (byte) 0x93, 0x5A, 0x1B, 0x2C, 0x3D, // base_timestamp
            0, 0, 0x01, (byte) 0x93, 0x5A, 0x1B, 0x2C, 0x3D, // max_timestamp
            -1, -1, -1, -1, -1, -1, -1, -1,            // producer_id -1
            -1, -1,                                    // producer_epoch -1
            -1, -1, -1, -1,                            // base_sequence -1
            0, 0, 0, 1,                                // records_count
            0x10,                                      // record length 8 (zig-zag 16)
            0,                                         // record attributes
            0,                                         // timestamp_delta 0
            0,                                         // offset_delta 0
            0x02, 'k',                                 // key length 1, key
            0x02, 'v',                                 // value length 1, value
            0,                                         // header count 0
        };
        CRC32C crc = new CRC32C();
        crc.update(expected, 21, expected.length - 21);
        int crcValue = (int) crc.getValue();
        expected[17] = (byte) (crcValue >>> 24);
        expected[18] = (byte) (crcValue >>> 16);
        expected[19] = (byte) (crcValue >>> 8);
        expected[20] = (byte) crcValue;

        ByteBuf buf = track(Unpooled.buffer());
        builder.begin(buf, timestamp, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
            RecordBatchLayout.NO_SEQUENCE);
        builder.append(timestamp, "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
        assertThat(builder.finish()).isEqualTo(70);
        assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(ByteBufUtil.hexDump(expected));

        batch.wrap(Unpooled.wrappedBuffer(expected), 0, expected.length).validateDeep(cursor);
        assertThat(batch.crc()).isEqualTo(crcValue);
        cursor.wrap(batch);
        assertThat(cursor.next()).isTrue();
        assertThat(cursor.timestamp()).isEqualTo(timestamp);
        assertThat(new String(cursor.keyBytes(), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(new String(cursor.valueBytes(), StandardCharsets.UTF_8)).isEqualTo("v");
        assertThat(cursor.next()).isFalse();
    }

    // ---- round trips ----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldReadBackEveryRecordTheBuilderWrote(long seed) {
        Random random = Seeds.random("RecordBatchTest round trip", seed);
        for (int round = 0; round < 20; round++) {
            ByteBuf buf = track(random.nextBoolean() ? ByteBufAllocator.DEFAULT.directBuffer()
                : ByteBufAllocator.DEFAULT.heapBuffer());
            buf.writeZero(random.nextInt(5)); // the batch need not start at index 0
            int start = buf.writerIndex();
            long base = random.nextInt(10) == 0 ? 0 : random.nextLong() >> 2;
            long producerId = random.nextLong();
            short producerEpoch = (short) random.nextInt();
            int baseSequence = random.nextInt();
            List<Rec> written = randomRecords(random, base);
            builder.begin(buf, base, producerId, producerEpoch, baseSequence);
            boolean fromByteBuf = random.nextBoolean();
            for (Rec r : written) {
                int before = buf.writerIndex();
                append(r, fromByteBuf);
                int keyLength = r.key() == null ? -1 : r.key().length;
                int valueLength = r.value() == null ? -1 : r.value().length;
                assertThat(buf.writerIndex() - before).isEqualTo(RecordBatchBuilder.recordSize(
                    builder.recordCount() - 1, r.timestamp() - base, keyLength, valueLength));
            }
            assertThat(builder.recordCount()).isEqualTo(written.size());
            int size = builder.finish();
            assertThat(size).isEqualTo(buf.writerIndex() - start);

            batch.wrap(buf, start, buf.writerIndex());
            batch.validate();
            batch.validateDeep(cursor);
            assertThat(batch.sizeInBytes()).isEqualTo(size);
            assertThat(batch.batchLength()).isEqualTo(size - LOG_OVERHEAD);
            assertThat(batch.magic()).isEqualTo(RecordBatchLayout.MAGIC_V2);
            assertThat(batch.attributes()).isZero();
            assertThat(batch.baseOffset()).isZero();
            assertThat(batch.partitionLeaderEpoch()).isEqualTo(RecordBatchLayout.NO_PARTITION_LEADER_EPOCH);
            assertThat(batch.recordCount()).isEqualTo(written.size());
            assertThat(batch.lastOffsetDelta()).isEqualTo(written.size() - 1);
            assertThat(batch.baseTimestamp()).isEqualTo(base);
            assertThat(batch.maxTimestamp()).isEqualTo(written.stream().mapToLong(Rec::timestamp).max().orElseThrow());
            assertThat(batch.producerId()).isEqualTo(producerId);
            assertThat(batch.producerEpoch()).isEqualTo(producerEpoch);
            assertThat(batch.baseSequence()).isEqualTo(baseSequence);
            assertThat(batch.computeCrc()).isEqualTo(batch.crc());
            assertReadsBack(written, 0);
        }
    }

    @Test
    void shouldCarryLargeEmptyAndNullKeysAndValues() {
        byte[] large = new byte[1 << 20];
        new Random(3).nextBytes(large);
        List<Rec> written = List.of(new Rec(10, null, null), new Rec(11, new byte[0], new byte[0]),
            new Rec(12, large, null), new Rec(9, null, large), new Rec(12, new byte[] {1}, new byte[0]));
        ByteBuf buf = track(ByteBufAllocator.DEFAULT.directBuffer());
        builder.begin(buf, 10, -1, (short) -1, -1);
        written.forEach(r -> append(r, false));
        builder.finish();
        assertThat(RecordBatchBuilder.batchSizeBound(large.length, 0)).isGreaterThan(RECORDS_OFFSET + large.length);
        batch.wrap(buf, 0, buf.writerIndex()).validateDeep(cursor);
        assertThat(batch.maxTimestamp()).isEqualTo(12);
        assertReadsBack(written, 0);
    }

    @Test
    void shouldSetMaxTimestampToTheLargestRecordTimestampEvenBelowTheBase() {
        ByteBuf buf = track(Unpooled.buffer());
        builder.begin(buf, 1000, -1, (short) -1, -1);
        builder.append(400, null, new byte[] {1});
        builder.append(700, null, new byte[] {2});
        builder.append(500, null, new byte[] {3});
        builder.finish();
        batch.wrap(buf, 0, buf.writerIndex()).validateDeep(cursor);
        assertThat(batch.maxTimestamp()).isEqualTo(700);
        assertReadsBack(List.of(new Rec(400, null, new byte[] {1}), new Rec(700, null, new byte[] {2}),
            new Rec(500, null, new byte[] {3})), 0);
    }

    @Test
    void shouldRefuseToFinishAnEmptyBatch() {
        ByteBuf buf = track(Unpooled.buffer());
        builder.begin(buf, 0, -1, (short) -1, -1);
        assertThatThrownBy(builder::finish).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldWalkBatchesBackToBackAndInCompositeBuffers(long seed) {
        Random random = Seeds.random("RecordBatchTest back to back", seed);
        ByteBuf buf = Unpooled.buffer();
        List<List<Rec>> all = new ArrayList<>();
        for (int b = 0; b < 1 + random.nextInt(5); b++) {
            List<Rec> records = randomRecords(random, 1_700_000_000_000L);
            all.add(records);
            builder.begin(buf, 1_700_000_000_000L, -1, (short) -1, -1);
            records.forEach(r -> append(r, false));
            builder.finish();
        }
        // Split at random points into a composite: the CRC must not care how the bytes are laid out in memory.
        CompositeByteBuf composite = track(Unpooled.compositeBuffer());
        int at = 0;
        while (at < buf.writerIndex()) {
            int n = Math.min(buf.writerIndex() - at, 1 + random.nextInt(300));
            composite.addComponent(true, buf.retainedSlice(at, n));
            at += n;
        }
        buf.release();
        int index = 0;
        long nextOffset = random.nextInt(1000);
        for (List<Rec> records : all) {
            batch.wrap(composite, index, composite.writerIndex());
            batch.validateDeep(cursor);
            batch.baseOffset(nextOffset);
            assertReadsBack(records, nextOffset);
            nextOffset += batch.lastOffsetDelta() + 1;
            index += batch.sizeInBytes();
        }
        assertThat(index).isEqualTo(composite.writerIndex());
    }

    // ---- stamping -------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldKeepTheCrcValidWhenTheBrokerStampsBaseOffsetAndLeaderEpoch(long seed) {
        Random random = Seeds.random("RecordBatchTest stamping", seed);
        List<Rec> written = randomRecords(random, 5);
        ByteBuf buf = build(written, 5);
        batch.wrap(buf, 0, buf.writerIndex());
        int crcBefore = batch.crc();
        long baseOffset = random.nextLong() >>> 1;
        int leaderEpoch = random.nextInt(Integer.MAX_VALUE);
        batch.baseOffset(baseOffset);
        batch.partitionLeaderEpoch(leaderEpoch);

        batch.validateDeep(cursor);
        assertThat(batch.crc()).isEqualTo(crcBefore).isEqualTo(batch.computeCrc());
        assertThat(batch.baseOffset()).isEqualTo(baseOffset);
        assertThat(batch.partitionLeaderEpoch()).isEqualTo(leaderEpoch);
        assertThat(batch.lastOffset()).isEqualTo(baseOffset + written.size() - 1);
        assertReadsBack(written, baseOffset);
    }

    // ---- corruption -----------------------------------------------------------------------------------------

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldDetectEveryFlippedByteOutsideTheStampedFields(long seed) {
        Random random = Seeds.random("RecordBatchTest flips", seed);
        ByteBuf buf = build(randomRecords(random, 77, 8, 40), 77);
        int size = buf.writerIndex();
        for (int i = 0; i < size; i++) {
            int original = buf.getByte(i);
            buf.setByte(i, original ^ (1 + random.nextInt(255)));
            batch.wrap(buf, 0, size);
            boolean stamped = i < BATCH_LENGTH_OFFSET
                || (i >= PARTITION_LEADER_EPOCH_OFFSET && i < MAGIC_OFFSET);
            if (stamped) {
                assertThatCode(batch::validate).as("flip at %d", i).doesNotThrowAnyException();
            } else {
                assertCorrupt(batch::validate, "flip at " + i);
            }
            buf.setByte(i, original);
        }
        batch.wrap(buf, 0, size).validateDeep(cursor);
    }

    @Test
    void shouldRejectTruncatedBatches() {
        ByteBuf buf = build(randomRecords(new Random(11), 0, 3, 30), 0);
        int size = buf.writerIndex();
        for (int limit = 0; limit < size; limit++) {
            assertCorrupt(batch.wrap(buf, 0, limit)::validate, "limit " + limit);
            ByteBuf copy = Unpooled.copiedBuffer(buf.slice(0, limit));
            try {
                assertCorrupt(batch.wrap(copy, 0, limit)::validate, "copy of " + limit + " bytes");
            } finally {
                copy.release();
            }
        }
    }

    @Test
    void shouldRejectLengthsMagicAndCountsThatBreakTheHeaderRules() {
        ByteBuf buf = build(List.of(new Rec(1, null, new byte[] {1}), new Rec(2, null, new byte[] {2})), 1);
        int size = buf.writerIndex();
        assertCorruptAfter(buf, b -> b.setInt(BATCH_LENGTH_OFFSET, MIN_BATCH_LENGTH - 1), "batch length 48");
        assertCorruptAfter(buf, b -> b.setInt(BATCH_LENGTH_OFFSET, -1), "batch length -1");
        assertCorruptAfter(buf, b -> b.setInt(BATCH_LENGTH_OFFSET, size), "batch length " + size);
        assertCorruptAfter(buf, b -> b.setByte(MAGIC_OFFSET, 1), "magic 1");
        assertCorruptAfter(buf, b -> setCountWithValidCrc(b, 0, -1), "record count 0");
        assertCorruptAfter(buf, b -> setCountWithValidCrc(b, 3, 1), "record count 3 with last offset delta 1");
    }

    @Test
    void shouldRejectInDepthABatchWhoseRecordCountLies() {
        List<Rec> records = List.of(new Rec(1, null, new byte[] {1}), new Rec(2, new byte[] {9}, null),
            new Rec(3, new byte[0], new byte[] {3}));
        ByteBuf fewer = build(records, 1);
        setCountWithValidCrc(fewer, 2, 1);
        batch.wrap(fewer, 0, fewer.writerIndex()).validate();
        assertCorrupt(() -> batch.validateDeep(cursor), "count 2 of 3");
        assertThatThrownBy(() -> batch.validateDeep(cursor)).hasMessageContaining("bytes before the batch end");

        ByteBuf more = build(records, 1);
        setCountWithValidCrc(more, 4, 3);
        batch.wrap(more, 0, more.writerIndex()).validate();
        assertCorrupt(() -> batch.validateDeep(cursor), "count 4 of 3");
        assertThatThrownBy(() -> batch.validateDeep(cursor)).hasMessageContaining("declares 4 records, holds 3");
    }

    @Test
    void shouldRejectInDepthARecordWithTheWrongOffsetDelta() {
        List<Rec> records = List.of(new Rec(1, null, new byte[] {1}), new Rec(1, null, new byte[] {2}));
        ByteBuf buf = build(records, 1);
        // Record 0 is 7 bytes long (length, attributes, ts delta, offset delta, key -1, value length, value,
        // headers); record 1's offset delta sits 3 bytes into it.
        int deltaIndex = RECORDS_OFFSET + RecordBatchBuilder.recordSize(0, 0, -1, 1) + 3;
        assertThat(buf.getByte(deltaIndex)).isEqualTo((byte) 0x02);
        buf.setByte(deltaIndex, 0x04);
        fixCrc(buf);
        batch.wrap(buf, 0, buf.writerIndex()).validate();
        assertThatThrownBy(() -> batch.validateDeep(cursor)).isInstanceOf(WireException.class)
            .hasMessageContaining("record 1 has offset delta 2");
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldThrowNothingButWireExceptionWalkingGarbageRecords(long seed) {
        Random random = Seeds.random("RecordBatchTest garbage", seed);
        for (int round = 0; round < 500; round++) {
            ByteBuf buf = garbageBatch(random);
            try {
                batch.wrap(buf, 0, buf.writerIndex()).validate();
                try {
                    cursor.wrap(batch);
                    while (cursor.next()) {
                        assertThat(cursor.keyIndex()).isBetween(RECORDS_OFFSET, buf.writerIndex());
                        assertThat(cursor.valueIndex() + Math.max(0, cursor.valueLength()))
                            .isLessThanOrEqualTo(buf.writerIndex());
                        cursor.keyBytes();
                        cursor.valueBytes();
                    }
                    batch.validateDeep(cursor);
                } catch (WireException e) {
                    assertThat(e.errorCode()).isEqualTo(ErrorCode.CORRUPT_RECORD_BATCH);
                } catch (RuntimeException e) {
                    fail("round " + round + ": unexpected " + e + " on " + ByteBufUtil.hexDump(buf), e);
                }
            } finally {
                buf.release();
            }
        }
    }

    /** A header that passes validate() followed by records that are partly valid, partly random. */
    private ByteBuf garbageBatch(Random random) {
        ByteBuf buf = Unpooled.buffer();
        builder.begin(buf, random.nextLong(), -1, (short) -1, -1);
        int valid = random.nextInt(3);
        for (int i = 0; i < valid; i++) {
            builder.append(random.nextLong(), random.nextBoolean() ? null : new byte[random.nextInt(5)],
                new byte[random.nextInt(20)]);
        }
        byte[] noise = new byte[random.nextInt(80)];
        random.nextBytes(noise);
        if (random.nextBoolean()) {
            for (int i = 0; i < noise.length; i++) {
                noise[i] &= (byte) (random.nextBoolean() ? 0x7f : 0x0f); // small varints more often
            }
        }
        buf.writeBytes(noise);
        buf.setInt(BATCH_LENGTH_OFFSET, buf.writerIndex() - LOG_OVERHEAD);
        int count = 1 + random.nextInt(valid + 4);
        setCountWithValidCrc(buf, count, count - 1);
        return buf;
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private List<Rec> randomRecords(Random random, long base) {
        return randomRecords(random, base, random.nextInt(10) == 0 ? 200 : 30, random.nextInt(10) == 0 ? 4096 : 300);
    }

    private static List<Rec> randomRecords(Random random, long base, int maxCount, int maxBytes) {
        int count = 1 + random.nextInt(maxCount);
        List<Rec> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long ts = switch (random.nextInt(4)) {
                case 0 -> base;
                case 1 -> base + random.nextInt(100_000);
                case 2 -> base - random.nextInt(100_000);
                default -> base + (random.nextInt() & 0x3fffffffL);
            };
            out.add(new Rec(ts, bytes(random, maxBytes), bytes(random, maxBytes)));
        }
        return out;
    }

    private static byte[] bytes(Random random, int max) {
        int roll = random.nextInt(8);
        if (roll == 0) {
            return null;
        }
        if (roll == 1) {
            return new byte[0];
        }
        byte[] b = new byte[random.nextInt(max)];
        random.nextBytes(b);
        return b;
    }

    private void append(Rec r, boolean fromByteBuf) {
        if (!fromByteBuf) {
            builder.append(r.timestamp(), r.key(), r.value());
            return;
        }
        ByteBuf src = Unpooled.buffer();
        try {
            src.writeZero(3);
            int keyIndex = src.writerIndex();
            if (r.key() != null) {
                src.writeBytes(r.key());
            }
            int valueIndex = src.writerIndex();
            if (r.value() != null) {
                src.writeBytes(r.value());
            }
            builder.append(r.timestamp(), src, keyIndex, r.key() == null ? -1 : r.key().length, valueIndex,
                r.value() == null ? -1 : r.value().length);
        } finally {
            src.release();
        }
    }

    private ByteBuf build(List<Rec> records, long base) {
        ByteBuf buf = track(Unpooled.buffer());
        builder.begin(buf, base, -1, (short) -1, -1);
        records.forEach(r -> append(r, false));
        builder.finish();
        return buf;
    }

    private void assertReadsBack(List<Rec> written, long baseOffset) {
        cursor.wrap(batch);
        for (int i = 0; i < written.size(); i++) {
            Rec r = written.get(i);
            assertThat(cursor.next()).as("record %d exists", i).isTrue();
            assertThat(cursor.offsetDelta()).isEqualTo(i);
            assertThat(cursor.offset()).isEqualTo(baseOffset + i);
            assertThat(cursor.timestamp()).isEqualTo(r.timestamp());
            assertThat(cursor.keyBytes()).isEqualTo(r.key());
            assertThat(cursor.valueBytes()).isEqualTo(r.value());
            assertThat(cursor.keyLength()).isEqualTo(r.key() == null ? -1 : r.key().length);
            assertThat(cursor.valueLength()).isEqualTo(r.value() == null ? -1 : r.value().length);
            assertThat(cursor.headerCount()).isZero();
            assertThat(cursor.buffer()).isSameAs(batch.buffer());
        }
        assertThat(cursor.next()).isFalse();
    }

    private static void setCountWithValidCrc(ByteBuf buf, int count, int lastOffsetDelta) {
        buf.setInt(RECORDS_COUNT_OFFSET, count);
        buf.setInt(LAST_OFFSET_DELTA_OFFSET, lastOffsetDelta);
        fixCrc(buf);
    }

    private static void fixCrc(ByteBuf buf) {
        int size = LOG_OVERHEAD + buf.getInt(BATCH_LENGTH_OFFSET);
        CRC32C crc = new CRC32C();
        byte[] covered = new byte[size - ATTRIBUTES_OFFSET];
        buf.getBytes(ATTRIBUTES_OFFSET, covered);
        crc.update(covered);
        buf.setInt(CRC_OFFSET, (int) crc.getValue());
    }

    private void assertCorruptAfter(ByteBuf original, java.util.function.Consumer<ByteBuf> tamper, String detail) {
        ByteBuf copy = Unpooled.copiedBuffer(original);
        try {
            tamper.accept(copy);
            batch.wrap(copy, 0, copy.writerIndex());
            assertCorrupt(batch::validate, detail);
            assertThatThrownBy(batch::validate).hasMessageContaining(detail);
        } finally {
            copy.release();
        }
    }

    private static void assertCorrupt(ThrowingCallable call, String what) {
        assertThatThrownBy(call).as(what).isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.CORRUPT_RECORD_BATCH));
    }

    private <T extends ByteBuf> T track(T buf) {
        buffers.add(buf);
        return buf;
    }
}
