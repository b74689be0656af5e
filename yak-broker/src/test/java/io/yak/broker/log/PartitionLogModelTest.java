package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Random appends, reads, clean restarts and crashes, checked against a {@link TreeMap} of offset to value. */
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

    /** What the log must hold: values by offset, batches by base offset (last offset, leader epoch). */
    private static final class Model {
        final TreeMap<Long, byte[]> values = new TreeMap<>();
        final TreeMap<Long, long[]> batches = new TreeMap<>();
        long end;
        int inPlace;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldAgreeWithTheModelThroughAppendsReadsRestartsAndCrashes(long seed) throws IOException {
        System.out.println("PartitionLogModelTest seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        Random random = new Random(seed);
        LogConfig config = new LogConfig(2048 + random.nextInt(48 * 1024), random.nextInt(2048),
            random.nextBoolean() ? Long.MAX_VALUE : 5 + random.nextInt(50), Long.MAX_VALUE);
        Model model = new Model();
        Path dir = dataDir.resolve("m-0");
        int generation = 0;
        PartitionLog log = PartitionLog.open(dir, "m", 0, config);
        try {
            for (int op = 0; op < 1200; op++) {
                int dice = random.nextInt(100);
                if (dice < 50) {
                    append(random, log, model);
                } else if (dice < 90) {
                    long offset = model.end == 0 ? 0 : random.nextLong(model.end + 1);
                    checkRead(log, model, offset, random.nextInt(random.nextBoolean() ? 600 : 20_000));
                } else if (dice < 93) {
                    long offset = random.nextBoolean() ? model.end + 1 + random.nextInt(10) : -1 - random.nextInt(10);
                    PartitionLog current = log;
                    assertThatThrownBy(() -> current.read(offset, 100)).isInstanceOf(OffsetOutOfRangeException.class);
                } else if (dice < 99 || random.nextBoolean()) {
                    log.close();
                    log = PartitionLog.open(dir, "m", 0, config);
                } else {
                    // A crash: what the page cache holds, without the close.
                    Path copy = LogTestSupport.copyDirectory(dir, dataDir.resolve("m-" + ++generation));
                    log.close();
                    LogTestSupport.deleteDirectory(dir);
                    dir = copy;
                    log = PartitionLog.open(dir, "m", 0, config);
                }
                assertThat(log.logEndOffset()).isEqualTo(model.end);
            }
            if (config.flushMessages() == Long.MAX_VALUE && config.indexIntervalBytes() >= 1024) {
                // (forces and dense index entries send most appends to the writer)
                assertThat(model.inPlace).as("appends that went in place").isPositive();
            }
            List<LogTestSupport.Read> all = LogTestSupport.readAll(log, 0, 1 + random.nextInt(10_000));
            assertThat(all).hasSize((int) model.end);
            for (LogTestSupport.Read read : all) {
                assertThat(read.value()).as("offset %d", read.offset()).isEqualTo(model.values.get(read.offset()));
            }
        } finally {
            log.close();
        }
    }

    private static void append(Random random, PartitionLog log, Model model) throws IOException {
        ByteBuf batches = Unpooled.buffer();
        int epoch = random.nextInt(5);
        long offset = model.end;
        Map<Long, byte[]> added = new TreeMap<>();
        // a third are one small record, as a low-rate producer sends them: most of those can go in place
        boolean small = random.nextInt(3) == 0;
        int count = small ? 1 : 1 + random.nextInt(3);
        for (int b = 0; b < count; b++) {
            int records = small ? 1 : 1 + random.nextInt(random.nextInt(20) == 0 ? 100 : 20);
            byte[][] values = new byte[records][];
            for (int r = 0; r < records; r++) {
                values[r] = small ? new byte[random.nextInt(60)] : randomValue(random);
                if (small) {
                    random.nextBytes(values[r]);
                }
                added.put(offset + r, values[r]);
            }
            LogTestSupport.appendBatch(batches, values);
            model.batches.put(offset, new long[] {offset + records - 1, epoch});
            offset += records;
        }
        // as the broker does: an event loop tries in place, the writer appends what it declines
        long base = random.nextBoolean() ? log.appendInPlace(batches, epoch) : PartitionLog.NEEDS_WRITER;
        if (base == PartitionLog.NEEDS_WRITER) {
            assertThat(log.logEndOffset()).isEqualTo(model.end);
            base = log.append(batches, epoch);
        } else {
            model.inPlace++;
        }
        assertThat(base).isEqualTo(model.end);
        model.values.putAll(added);
        model.end = offset;
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

    private static void checkRead(PartitionLog log, Model model, long offset, int maxBytes) {
        ByteBuf buf = log.read(offset, maxBytes);
        if (offset == model.end) {
            assertThat(buf.readableBytes()).isZero();
            return;
        }
        List<LogTestSupport.Read> records = LogTestSupport.decode(buf);
        long expectedBase = model.batches.floorKey(offset);
        assertThat(records.get(0).offset()).as("read of %d starts with its batch", offset).isEqualTo(expectedBase);
        for (LogTestSupport.Read read : records) {
            assertThat(read.value()).as("offset %d", read.offset()).isEqualTo(model.values.get(read.offset()));
            assertThat(read.leaderEpoch()).isEqualTo((int) model.batches.floorEntry(read.offset()).getValue()[1]);
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
