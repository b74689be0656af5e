package io.yak.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PowerLoss} takes only what a power loss can take: the broker's own recovery reopens every cut log (never
 * the "forced records are gone" refusal), keeps everything below the recovery point, and ends at or before the old
 * end. Seeded; the seed is printed.
 */
class PowerLossTest {
    private static final String TOPIC = "faults";
    private static final LogConfig CONFIG = LogConfig.defaults().withSegmentBytes(64 * 1024);

    @TempDir
    Path dir;

    @Test
    void shouldCutOnlyTheUnforcedTailOfTheActiveSegment() throws Exception {
        long seed = Long.getLong("yak.test.seed", System.nanoTime());
        System.out.println("PowerLossTest seed " + seed + " (replay: -Dyak.test.seed=" + seed + ")");
        Random random = new Random(seed);
        Path original = dir.resolve("original");
        long forced;
        long end;
        try (PartitionLog log = PartitionLog.open(original.resolve(TOPIC + "-0"), TOPIC, 0, CONFIG)) {
            appendBatches(log, random, 300);
            log.flush();
            forced = log.logEndOffset();
            appendBatches(log, random, 1 + random.nextInt(200));
            end = log.logEndOffset();
            log.abandon(); // as kill -9 leaves it: no force, no clean-shutdown marker
        }
        for (int round = 0; round < 20; round++) {
            Path copy = dir.resolve("round-" + round);
            copy(original.resolve(TOPIC + "-0"), copy.resolve(TOPIC + "-0"));
            List<String> cuts = PowerLoss.cutTails(copy, TOPIC, random);
            try (PartitionLog log = PartitionLog.open(copy.resolve(TOPIC + "-0"), TOPIC, 0, CONFIG)) {
                assertThat(log.logEndOffset()).as("round %d: %s", round, cuts)
                    .isGreaterThanOrEqualTo(forced).isLessThanOrEqualTo(end);
            }
        }
    }

    private static void appendBatches(PartitionLog log, Random random, int batches) throws Exception {
        for (int b = 0; b < batches; b++) {
            ByteBuf batch = Unpooled.buffer();
            try {
                RecordBatchBuilder builder = new RecordBatchBuilder().begin(batch, System.currentTimeMillis(),
                    RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
                    RecordBatchLayout.NO_SEQUENCE);
                int records = 1 + random.nextInt(20);
                for (int r = 0; r < records; r++) {
                    builder.append(System.currentTimeMillis(), null, new byte[8 + random.nextInt(100)]);
                }
                builder.finish();
                log.append(batch, 0);
            } finally {
                batch.release();
            }
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
