package io.yak.broker.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.testing.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The simulation's log model ({@link SimLog}) answers as the real {@link PartitionLog} does: random leader and
 * follower appends (new epochs now and then), truncations at batch boundaries, high-watermark moves and clean
 * reopenings, with log end, latest epoch, high watermark, KIP-279's end offset of every epoch and the epoch of
 * every offset compared after each. Replay a seed with {@code -Dyak.test.seed=N}.
 */
class SimLogAgreementTest {
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);
    private static final int OPERATIONS = 300;

    @TempDir
    Path dataDir;

    static LongStream seeds() {
        return Seeds.seeds(2);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void shouldAgreeWithTheRealLog(long seed) throws IOException {
        Random random = Seeds.random("SimLogAgreementTest", seed);
        Path dir = dataDir.resolve("t-0");
        SimLog model = new SimLog();
        List<Long> boundaries = new ArrayList<>(List.of(0L));
        PartitionLog log = PartitionLog.open(dir, "t", 0, CONFIG);
        try {
            int epoch = 0;
            for (int i = 0; i < OPERATIONS; i++) {
                int op = random.nextInt(100);
                String what;
                if (op < 35) {
                    epoch += random.nextInt(5) == 0 ? 1 + random.nextInt(2) : 0;
                    int count = 1 + random.nextInt(3);
                    ByteBuf batch = batch(count, -1, -1);
                    long base;
                    try {
                        base = log.append(batch, epoch);
                    } finally {
                        batch.release();
                    }
                    assertThat(base).isEqualTo(model.logEndOffset());
                    for (int r = 0; r < count; r++) {
                        model.appendAsLeader(epoch, base + r);
                    }
                    boundaries.add(model.logEndOffset());
                    what = "leader append " + count + " at epoch " + epoch;
                } else if (op < 65) {
                    epoch += random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
                    int count = 1 + random.nextInt(3);
                    long base = model.logEndOffset();
                    ByteBuf batch = batch(count, base, epoch);
                    try {
                        log.appendAsFollower(batch);
                    } finally {
                        batch.release();
                    }
                    List<SimLog.Entry> entries = new ArrayList<>();
                    for (int r = 0; r < count; r++) {
                        entries.add(new SimLog.Entry(epoch, base + r));
                    }
                    model.appendAsFollower(base, entries);
                    boundaries.add(model.logEndOffset());
                    what = "follower append " + count + " at epoch " + epoch;
                } else if (op < 80) {
                    long target = boundaries.get(random.nextInt(boundaries.size()));
                    assertThat(log.truncateTo(target)).isEqualTo(model.truncateTo(target));
                    boundaries.removeIf(b -> b > target);
                    epoch = Math.max(0, model.latestEpoch()) + (random.nextBoolean() ? 1 : 0);
                    what = "truncate to " + target;
                } else if (op < 95) {
                    long hw = random.nextInt((int) model.logEndOffset() + 1);
                    log.updateHighWatermark(hw);
                    model.updateHighWatermark(hw);
                    what = "high watermark to " + hw;
                } else {
                    log.close();
                    model.flush();
                    model.checkpointHighWatermark(); // a clean close writes it
                    model.restart();
                    log = PartitionLog.open(dir, "t", 0, CONFIG);
                    what = "reopen";
                }
                String where = "seed " + seed + " step " + i + " (" + what + "), model " + model;
                assertThat(log.logEndOffset()).as(where).isEqualTo(model.logEndOffset());
                assertThat(log.latestEpoch()).as(where).isEqualTo(model.latestEpoch());
                assertThat(log.highWatermark()).as(where).isEqualTo(model.highWatermark());
                for (int e = -1; e <= model.latestEpoch() + 1; e++) {
                    assertThat(log.endOffsetForEpoch(e)).as(where + ", end offset for epoch " + e)
                        .isEqualTo(model.endOffsetForEpoch(e));
                }
                for (long o = 0; o < model.logEndOffset(); o += 1 + random.nextInt(5)) {
                    assertThat(log.epochForOffset(o)).as(where + ", epoch of offset " + o)
                        .isEqualTo(model.epochForOffset(o));
                    assertThat(model.at(o).epoch()).as(where + ", record " + o).isEqualTo(model.epochForOffset(o));
                }
            }
        } finally {
            log.close();
        }
    }

    /** A batch of {@code count} records; with {@code baseOffset >= 0} as a leader's log holds it (follower appends). */
    private static ByteBuf batch(int count, long baseOffset, int epoch) {
        ByteBuf out = Unpooled.buffer();
        int index = out.writerIndex();
        RecordBatchBuilder builder = new RecordBatchBuilder();
        builder.begin(out, 1_700_000_000_000L, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
            RecordBatchLayout.NO_SEQUENCE);
        for (int i = 0; i < count; i++) {
            builder.append(1_700_000_000_000L + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        builder.finish();
        if (baseOffset >= 0) {
            RecordBatchFlyweight flyweight = new RecordBatchFlyweight().wrap(out, index, out.writerIndex());
            flyweight.baseOffset(baseOffset);
            flyweight.partitionLeaderEpoch(epoch);
        }
        return out;
    }
}
