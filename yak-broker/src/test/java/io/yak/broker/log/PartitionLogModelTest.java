package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random leader and follower appends, reads (bounded or not by the high watermark), truncations, full truncations,
 * leader epoch changes, high-watermark updates and checkpoints, clean restarts and crashes, checked against a model:
 * {@link TreeMap}s of offset to value, of batches, and of leader epochs to their start offsets. Views read before a
 * truncation are kept and must not change.
 */
class PartitionLogModelTest {
    @TempDir
    Path dataDir;

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    /** What the log must hold: values by offset, batches by base offset (last offset, leader epoch), epochs. */
    private static final class Model {
        final TreeMap<Long, byte[]> values = new TreeMap<>();
        final TreeMap<Long, long[]> batches = new TreeMap<>();
        /** Leader epoch to the offset where it starts (what the leader-epoch cache must say). */
        final TreeMap<Integer, Long> epochs = new TreeMap<>();
        long start;
        long end;
        long highWatermark;
        /** What the high-watermark file holds, -1 when none was written. */
        long checkpointedHighWatermark = -1;
        /** The epoch the next leader append uses. */
        int leaderEpoch;
        int inPlace;
        int truncations;
        int followerAppends;

        int latestEpoch() {
            return epochs.isEmpty() ? -1 : epochs.lastKey();
        }

        void epochStarts(int epoch, long offset) {
            if (epoch > latestEpoch()) {
                if (!epochs.isEmpty() && epochs.lastEntry().getValue() == offset) {
                    epochs.pollLastEntry();
                }
                epochs.put(epoch, offset);
            }
        }

        EpochEndOffset endOffsetFor(int requested) {
            Map.Entry<Integer, Long> floor = requested < 0 ? null : epochs.floorEntry(requested);
            if (floor == null) {
                return EpochEndOffset.UNDEFINED;
            }
            Map.Entry<Integer, Long> higher = epochs.higherEntry(floor.getKey());
            return new EpochEndOffset(floor.getKey(), higher == null ? end : higher.getValue());
        }

        /** After a restart: the checkpointed high watermark within the log, the log start without a file. */
        void reopened() {
            long read = checkpointedHighWatermark < 0 ? start : checkpointedHighWatermark;
            highWatermark = Math.min(Math.max(read, start), end);
        }
    }

    /** A view read before a truncation and the bytes it showed then. */
    private record Held(ByteBuf view, byte[] bytes) {
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldAgreeWithTheModelThroughAppendsTruncationsReadsRestartsAndCrashes(long seed) throws IOException {
        System.out.println("PartitionLogModelTest seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        Random random = new Random(seed);
        LogConfig config = new LogConfig(2048 + random.nextInt(48 * 1024), random.nextInt(2048),
            random.nextBoolean() ? Long.MAX_VALUE : 5 + random.nextInt(50), Long.MAX_VALUE);
        Model model = new Model();
        List<Held> held = new ArrayList<>();
        Path dir = dataDir.resolve("m-0");
        int generation = 0;
        PartitionLog log = PartitionLog.open(dir, "m", 0, config);
        try {
            for (int op = 0; op < 1200; op++) {
                int dice = random.nextInt(100);
                if (dice < 35) {
                    if (random.nextInt(25) == 0) {
                        model.leaderEpoch += 1 + random.nextInt(2);
                    }
                    append(random, log, model);
                } else if (dice < 47) {
                    followerAppend(random, log, model);
                } else if (dice < 50) {
                    rejectBadFollowerAppend(random, log, model);
                } else if (dice < 55) {
                    holdAView(random, log, model, held);
                    truncate(random, log, model);
                } else if (dice < 56) {
                    holdAView(random, log, model, held);
                    long offset = random.nextBoolean() ? model.end + random.nextInt(20)
                        : random.nextLong(Math.max(1, model.end + 1));
                    log.truncateFullyAndStartAt(offset);
                    model.values.clear();
                    model.batches.clear();
                    model.epochs.clear();
                    model.start = offset;
                    model.end = offset;
                    model.highWatermark = offset;
                    model.checkpointedHighWatermark = offset;
                } else if (dice < 61) {
                    long hw = model.start - 3 + random.nextLong(model.end - model.start + 7);
                    log.updateHighWatermark(hw);
                    model.highWatermark = Math.max(model.highWatermark, Math.min(Math.max(hw, model.start),
                        model.end));
                    if (random.nextInt(3) == 0) {
                        log.checkpointHighWatermark();
                        model.checkpointedHighWatermark = model.highWatermark;
                    }
                } else if (dice < 88) {
                    long offset = model.start + random.nextLong(model.end - model.start + 1);
                    checkRead(log, model, offset, random.nextInt(random.nextBoolean() ? 600 : 20_000),
                        random.nextBoolean() ? Long.MAX_VALUE : model.highWatermark);
                } else if (dice < 91) {
                    long offset = random.nextBoolean() ? model.end + 1 + random.nextInt(10)
                        : model.start - 1 - random.nextInt(10);
                    PartitionLog current = log;
                    assertThatThrownBy(() -> current.read(offset, 100)).isInstanceOf(OffsetOutOfRangeException.class);
                } else if (dice < 94) {
                    checkEpochs(random, log, model);
                } else if (dice < 99 || random.nextBoolean()) {
                    checkHeld(held);
                    log.close();
                    model.checkpointedHighWatermark = model.highWatermark;
                    log = PartitionLog.open(dir, "m", 0, config);
                    model.reopened();
                } else {
                    // A crash: what the page cache holds, without the close.
                    checkHeld(held);
                    Path copy = LogTestSupport.copyDirectory(dir, dataDir.resolve("m-" + ++generation));
                    log.close();
                    LogTestSupport.deleteDirectory(dir);
                    dir = copy;
                    log = PartitionLog.open(dir, "m", 0, config);
                    model.reopened();
                }
                assertThat(log.logEndOffset()).as("log end after op %d", op).isEqualTo(model.end);
                assertThat(log.logStartOffset()).as("log start after op %d", op).isEqualTo(model.start);
                assertThat(log.highWatermark()).as("high watermark after op %d", op).isEqualTo(model.highWatermark);
                assertThat(log.latestEpoch()).as("latest epoch after op %d", op).isEqualTo(model.latestEpoch());
            }
            checkHeld(held);
            if (config.flushMessages() == Long.MAX_VALUE && config.indexIntervalBytes() >= 1024) {
                // (forces and dense index entries send most appends to the writer)
                assertThat(model.inPlace).as("appends that went in place").isPositive();
            }
            assertThat(model.truncations).as("truncations").isPositive();
            assertThat(model.followerAppends).as("follower appends").isPositive();
            checkEpochs(random, log, model);
            List<LogTestSupport.Read> all = LogTestSupport.readAll(log, model.start, 1 + random.nextInt(10_000));
            assertThat(all).hasSize((int) (model.end - model.start));
            for (LogTestSupport.Read read : all) {
                assertThat(read.value()).as("offset %d", read.offset()).isEqualTo(model.values.get(read.offset()));
            }
        } finally {
            log.close();
        }
    }

    private static void append(Random random, PartitionLog log, Model model) throws IOException {
        ByteBuf batches = Unpooled.buffer();
        int epoch = model.leaderEpoch;
        long offset = model.end;
        Map<Long, byte[]> added = new TreeMap<>();
        // a third are one small record, as a low-rate producer sends them: most of those can go in place
        boolean small = random.nextInt(3) == 0;
        int count = small ? 1 : 1 + random.nextInt(3);
        TreeMap<Long, long[]> newBatches = new TreeMap<>();
        for (int b = 0; b < count; b++) {
            int records = small ? 1 : 1 + random.nextInt(random.nextInt(20) == 0 ? 100 : 20);
            byte[][] values = values(random, small, records);
            for (int r = 0; r < records; r++) {
                added.put(offset + r, values[r]);
            }
            LogTestSupport.appendBatch(batches, values);
            newBatches.put(offset, new long[] {offset + records - 1, epoch});
            offset += records;
        }
        // as the broker does: an event loop tries in place, the writer appends what it declines
        long base = random.nextBoolean() ? log.appendInPlace(batches, epoch) : PartitionLog.NEEDS_WRITER;
        if (base == PartitionLog.NEEDS_WRITER) {
            assertThat(log.logEndOffset()).isEqualTo(model.end);
            base = log.append(batches, epoch);
        } else {
            assertThat(epoch).as("a new epoch never goes in place").isEqualTo(model.latestEpoch());
            model.inPlace++;
        }
        assertThat(base).isEqualTo(model.end);
        model.epochStarts(epoch, base);
        model.values.putAll(added);
        model.batches.putAll(newBatches);
        model.end = offset;
        if (model.latestEpoch() > 0 && random.nextInt(10) == 0) {
            int stale = model.latestEpoch() - 1;
            ByteBuf one = LogTestSupport.batch(LogTestSupport.value("stale"));
            assertThatThrownBy(() -> log.append(one, stale)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("below its latest epoch");
        }
    }

    private static byte[][] values(Random random, boolean small, int records) {
        byte[][] values = new byte[records][];
        for (int r = 0; r < records; r++) {
            values[r] = small ? new byte[random.nextInt(60)] : randomValue(random);
            if (small) {
                random.nextBytes(values[r]);
            }
        }
        return values;
    }

    /** Batches as a leader's log holds them (its offsets and epochs, maybe a newer epoch half way), copied as is. */
    private static void followerAppend(Random random, PartitionLog log, Model model) throws IOException {
        ByteBuf batches = Unpooled.buffer();
        int epoch = Math.max(model.latestEpoch(), model.leaderEpoch);
        long offset = model.end;
        int count = 1 + random.nextInt(4);
        Map<Long, byte[]> added = new TreeMap<>();
        TreeMap<Long, long[]> newBatches = new TreeMap<>();
        List<long[]> epochStarts = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            if (random.nextInt(6) == 0) {
                epoch += 1 + random.nextInt(2);
            }
            int records = 1 + random.nextInt(15);
            byte[][] values = values(random, random.nextBoolean(), records);
            for (int r = 0; r < records; r++) {
                added.put(offset + r, values[r]);
            }
            LogTestSupport.appendLeaderBatch(batches, offset, epoch, values);
            newBatches.put(offset, new long[] {offset + records - 1, epoch});
            epochStarts.add(new long[] {epoch, offset});
            offset += records;
        }
        byte[] before = LogTestSupport.bytes(batches);
        assertThat(log.appendAsFollower(batches)).isEqualTo(offset);
        assertThat(LogTestSupport.bytes(batches)).as("the caller's buffer is not changed").isEqualTo(before);
        for (long[] start : epochStarts) {
            model.epochStarts((int) start[0], start[1]);
        }
        model.leaderEpoch = Math.max(model.leaderEpoch, epoch);
        model.values.putAll(added);
        model.batches.putAll(newBatches);
        model.end = offset;
        model.followerAppends++;
    }

    private static void rejectBadFollowerAppend(Random random, PartitionLog log, Model model) {
        ByteBuf batches = Unpooled.buffer();
        long base = model.end;
        int epoch = Math.max(model.latestEpoch(), 0);
        String expected;
        switch (random.nextInt(4)) {
            case 0 -> {
                base += random.nextBoolean() ? 1 : -1 - random.nextInt((int) Math.min(5, model.end + 1));
                expected = "base offset";
            }
            case 1 -> {
                epoch = model.latestEpoch() - 1;
                if (epoch < -1 || model.latestEpoch() < 0) {
                    return;
                }
                expected = "leader epoch";
            }
            case 2 -> expected = "CRC32C";
            default -> expected = "base offset " + (base + 3);
        }
        if (base < 0) {
            return;
        }
        LogTestSupport.appendLeaderBatch(batches, base, epoch, LogTestSupport.values(base, 3));
        if (expected.equals("CRC32C")) {
            int last = batches.writerIndex() - 1;
            batches.setByte(last, batches.getByte(last) ^ 0x20);
        } else if (expected.startsWith("base offset ")) {
            // a second batch that does not follow the first
            LogTestSupport.appendLeaderBatch(batches, base + 4, epoch, LogTestSupport.values(base + 4, 1));
            expected = "base offset " + (base + 4) + ", expected " + (base + 3);
        }
        String message = expected;
        assertThatThrownBy(() -> log.appendAsFollower(batches)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(message).hasMessageContaining("nothing appended");
        assertThat(log.logEndOffset()).isEqualTo(model.end);
    }

    private static void truncate(Random random, PartitionLog log, Model model) throws IOException {
        long offset = random.nextInt(8) == 0 ? model.end
            : model.start + random.nextLong(model.end - model.start + 1);
        Map.Entry<Long, long[]> holder = model.batches.floorEntry(offset);
        long newEnd = holder != null && holder.getValue()[0] >= offset && offset < model.end ? holder.getKey()
            : offset;
        assertThat(log.truncateTo(offset)).as("truncation to %d", offset).isEqualTo(newEnd);
        if (newEnd == model.end) {
            return; // nothing to cut: the log is left as it is, high-watermark checkpoint included
        }
        model.values.tailMap(newEnd, true).clear();
        model.batches.tailMap(newEnd, true).clear();
        model.epochs.values().removeIf(start -> start >= newEnd);
        model.end = newEnd;
        if (model.highWatermark > newEnd) {
            model.highWatermark = newEnd;
        }
        model.checkpointedHighWatermark = model.highWatermark;
        model.truncations++;
    }

    /** Reads at a random offset and keeps the view with a copy of its bytes, to check after the next changes. */
    private static void holdAView(Random random, PartitionLog log, Model model, List<Held> held) {
        if (model.end > model.start && held.size() < 20) {
            long offset = model.start + random.nextLong(model.end - model.start);
            ByteBuf view = log.read(offset, 1 + random.nextInt(5000));
            held.add(new Held(view, LogTestSupport.bytes(view)));
        }
    }

    /** Views read before truncations still show the bytes they showed (then dropped: close unmaps). */
    private static void checkHeld(List<Held> held) {
        for (Held h : held) {
            assertThat(LogTestSupport.bytes(h.view())).as("a view held across truncations").isEqualTo(h.bytes());
            h.view().release();
        }
        held.clear();
    }

    private static void checkEpochs(Random random, PartitionLog log, Model model) {
        assertThat(log.epochCache().entries()).extracting(e -> e[0] + "@" + e[1])
            .containsExactlyElementsOf(model.epochs.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue())
                .toList());
        int top = model.latestEpoch() + 3;
        for (int i = 0; i < 5; i++) {
            int requested = random.nextInt(top + 2) - 1;
            assertThat(log.endOffsetForEpoch(requested)).as("end offset for epoch %d", requested)
                .isEqualTo(model.endOffsetFor(requested));
        }
        for (Map.Entry<Long, long[]> batch : model.batches.entrySet()) {
            if (random.nextInt(10) == 0) {
                assertThat(log.epochForOffset(batch.getKey())).isEqualTo((int) batch.getValue()[1]);
            }
        }
    }

    private static byte[] randomValue(Random random) {
        int kind = random.nextInt(100);
        if (kind < 5) {
            return null;
        }
        int length = kind < 6 ? 1000 + random.nextInt(8_000) : random.nextInt(300);
        byte[] value = new byte[length];
        random.nextBytes(value);
        return value;
    }

    private static void checkRead(PartitionLog log, Model model, long offset, int maxBytes, long maxOffset) {
        ByteBuf buf = log.read(offset, maxBytes, maxOffset);
        if (offset == model.end || offset >= maxOffset) {
            assertThat(buf.readableBytes()).isZero();
            return;
        }
        long expectedBase = model.batches.floorKey(offset);
        if (model.batches.get(expectedBase)[0] >= maxOffset) {
            assertThat(buf.readableBytes()).as("the batch holding %d ends past %d", offset, maxOffset).isZero();
            return;
        }
        List<LogTestSupport.Read> records = LogTestSupport.decode(buf);
        assertThat(records.get(0).offset()).as("read of %d starts with its batch", offset).isEqualTo(expectedBase);
        for (LogTestSupport.Read read : records) {
            assertThat(read.value()).as("offset %d", read.offset()).isEqualTo(model.values.get(read.offset()));
            assertThat(read.leaderEpoch()).isEqualTo((int) model.batches.floorEntry(read.offset()).getValue()[1]);
            assertThat(read.offset()).isLessThan(maxOffset);
        }
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        int index = buf.readerIndex();
        int count = 0;
        while (index < buf.writerIndex()) {
            batch.wrap(buf, index, buf.writerIndex());
            assertThat(model.batches.get(batch.baseOffset())).as("batch at %d", batch.baseOffset()).isNotNull();
            assertThat(batch.lastOffset()).isEqualTo(model.batches.get(batch.baseOffset())[0]);
            index += batch.sizeInBytes();
            count++;
        }
        if (count > 1) {
            assertThat(buf.readableBytes()).isLessThanOrEqualTo(maxBytes);
        }
        buf.release();
    }
}
