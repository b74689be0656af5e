package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PartitionLog#offsetForTimestamp} against a list of batches (base offset, max timestamp), through random
 * appends with timestamps that mostly grow but jump back at times, rolls by size and by time, clean restarts,
 * crashes and retention.
 */
class OffsetForTimestampTest {
    @TempDir
    Path dataDir;

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    /** What the log must answer: batches in offset order, and the log start offset. */
    private static final class Model {
        final List<long[]> batches = new ArrayList<>();
        long start;

        long expected(long timestamp) {
            for (long[] batch : batches) {
                if (batch[0] >= start && batch[1] >= timestamp) {
                    return batch[0];
                }
            }
            return -1;
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldAgreeWithTheModelAcrossSegmentsRestartsCrashesAndRetention(long seed) throws IOException {
        System.out.println("OffsetForTimestampTest seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        Random random = new Random(seed);
        LogConfig config = new LogConfig(2048 + random.nextInt(16 * 1024), random.nextInt(1024), Long.MAX_VALUE,
            Long.MAX_VALUE).withSegmentMs(random.nextBoolean() ? Long.MAX_VALUE : 1 + random.nextInt(100));
        LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock(1_000_000);
        Model model = new Model();
        long[] timestamp = {random.nextInt(1000)};
        Path dir = dataDir.resolve("ts-0");
        int generation = 0;
        PartitionLog log = PartitionLog.open(dir, "ts", 0, config, clock);
        try {
            for (int op = 0; op < 500; op++) {
                int dice = random.nextInt(100);
                if (dice < 50) {
                    append(random, log, model, timestamp);
                    clock.advance(random.nextInt(10));
                } else if (dice < 80) {
                    probe(random, log, model);
                } else if (dice < 86) {
                    int deleted = log.deleteOldSegments(-1, 1 + random.nextInt(40_000));
                    assertThat(log.logStartOffset()).isGreaterThanOrEqualTo(model.start);
                    if (deleted > 0) {
                        PartitionLog current = log;
                        assertThat(model.batches).anySatisfy(b -> assertThat(b[0]).isEqualTo(current.logStartOffset()));
                        model.start = log.logStartOffset();
                        assertThatThrownBy(() -> current.read(model.start - 1, 100))
                            .isInstanceOf(OffsetOutOfRangeException.class);
                    }
                } else if (dice < 93) {
                    log.close();
                    log = PartitionLog.open(dir, "ts", 0, config, clock);
                } else if (dice < 97) {
                    Path copy = LogTestSupport.copyDirectory(dir, dataDir.resolve("ts-" + ++generation));
                    log.close();
                    LogTestSupport.deleteDirectory(dir);
                    dir = copy;
                    log = PartitionLog.open(dir, "ts", 0, config, clock);
                } else {
                    log.flush();
                }
                assertThat(log.logStartOffset()).isEqualTo(model.start);
            }
            for (long[] batch : model.batches) {
                for (long probe : new long[] {batch[1] - 1, batch[1], batch[1] + 1}) {
                    assertThat(log.offsetForTimestamp(probe)).as("offset for %d", probe)
                        .isEqualTo(model.expected(probe));
                }
            }
            long end = log.logEndOffset();
            assertThat(LogTestSupport.readAll(log, model.start, 1 + random.nextInt(5000)))
                .hasSize((int) (end - model.start));
        } finally {
            log.close();
        }
    }

    private static void append(Random random, PartitionLog log, Model model, long[] timestamp) throws IOException {
        ByteBuf batches = Unpooled.buffer();
        long offset = log.logEndOffset();
        List<long[]> added = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int b = 0; b < count; b++) {
            timestamp[0] += random.nextInt(10) == 0 ? -random.nextInt(50) : random.nextInt(20);
            int records = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 8);
            byte[][] values = new byte[records][];
            for (int r = 0; r < records; r++) {
                values[r] = new byte[random.nextInt(random.nextInt(20) == 0 ? 3000 : 100)];
            }
            LogTestSupport.appendTimedBatch(batches, timestamp[0], values);
            added.add(new long[] {offset, timestamp[0]});
            offset += records;
        }
        try {
            assertThat(log.append(batches, 1)).isEqualTo(added.get(0)[0]);
        } finally {
            batches.release();
        }
        model.batches.addAll(added);
    }

    private static void probe(Random random, PartitionLog log, Model model) {
        if (model.batches.isEmpty()) {
            assertThat(log.offsetForTimestamp(random.nextLong())).isEqualTo(-1);
            return;
        }
        long max = Long.MIN_VALUE;
        long min = Long.MAX_VALUE;
        for (long[] batch : model.batches) {
            max = Math.max(max, batch[1]);
            min = Math.min(min, batch[1]);
        }
        for (int i = 0; i < 5; i++) {
            long probe = min - 10 + random.nextLong(max - min + 20);
            assertThat(log.offsetForTimestamp(probe)).as("offset for %d", probe).isEqualTo(model.expected(probe));
        }
        long exact = model.batches.get(random.nextInt(model.batches.size()))[1];
        assertThat(log.offsetForTimestamp(exact)).as("offset for %d", exact).isEqualTo(model.expected(exact));
    }

    @Test
    void shouldFindTheFirstBatchAtLeastThatNewAcrossSegments() throws IOException {
        LogTestSupport.ManualClock clock = new LogTestSupport.ManualClock(0);
        LogConfig config = LogConfig.defaults().withSegmentBytes(2048).withIndexIntervalBytes(200);
        try (PartitionLog log = PartitionLog.open(dataDir.resolve("a-0"), "a", 0, config, clock)) {
            assertThat(log.offsetForTimestamp(0)).isEqualTo(-1);
            List<Long> bases = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                bases.add(LogTestSupport.appendTimed(log, 100L * i, 2));
            }
            assertThat(log.segmentCount()).isGreaterThan(3);
            // A late batch with an old timestamp does not change where a newer timestamp is found.
            long late = LogTestSupport.appendTimed(log, 150, 2);
            for (int i = 0; i < 150; i++) {
                assertThat(log.offsetForTimestamp(100L * i)).isEqualTo(bases.get(i));
                assertThat(log.offsetForTimestamp(100L * i - 50)).isEqualTo(bases.get(i));
            }
            assertThat(log.offsetForTimestamp(Long.MIN_VALUE)).isZero();
            assertThat(log.offsetForTimestamp(14_901)).isEqualTo(-1);
            long newest = LogTestSupport.appendTimed(log, 20_000, 1);
            assertThat(log.offsetForTimestamp(14_901)).isEqualTo(newest);
            assertThat(late).isLessThan(newest);
        }
    }
}
