package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One writer appends (and rolls) while readers on other threads read everything below the published end. */
class PartitionLogConcurrencyTest {
    private static final int READERS = 3;
    private static final long RECORDS = 20_000;

    @TempDir
    Path dataDir;

    static LongStream seeds() {
        return Seeds.seeds().limit(2);
    }

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(120)
    void shouldServeOnlyCompleteBatchesToConcurrentReaders(long seed) throws Exception {
        System.out.println("PartitionLogConcurrencyTest seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        LogConfig config = LogConfig.defaults().withSegmentBytes(16 * 1024).withIndexIntervalBytes(1024);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        try (PartitionLog log = PartitionLog.open(dataDir.resolve("c-0"), "c", 0, config)) {
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Random random = new Random(seed + r + 1);
                Thread reader = new Thread(() -> {
                    try {
                        while (!done.get()) {
                            long end = log.logEndOffset();
                            long offset = end == 0 ? 0 : random.nextLong(end + 1);
                            if (random.nextInt(10) == 0) {
                                checkTimestampLookup(log, random);
                                continue;
                            }
                            ByteBuf buf;
                            try {
                                buf = log.read(offset, random.nextInt(4096));
                            } catch (OffsetOutOfRangeException e) {
                                // Retention moved the start past the offset meanwhile.
                                assertThat(e.logStartOffset()).isGreaterThan(offset);
                                continue;
                            }
                            try {
                                checkRead(buf, offset, end);
                            } finally {
                                buf.release();
                            }
                            reads.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "log-reader-" + r);
                reader.start();
                readers.add(reader);
            }
            Random random = new Random(seed);
            try {
                while (log.logEndOffset() < RECORDS && failures.isEmpty()) {
                    LogTestSupport.appendNumbered(log, 1 + random.nextInt(8));
                    if (random.nextInt(500) == 0) {
                        // Deleted segments stay mapped for file.delete.delay.ms (a minute): readers keep working.
                        log.deleteOldSegments(-1, 256 * 1024);
                    }
                }
            } finally {
                done.set(true);
                for (Thread reader : readers) {
                    reader.join();
                }
            }
            assertThat(failures).isEmpty();
            log.deleteOldSegments(-1, 256 * 1024);
            assertThat(log.logStartOffset()).as("retention ran").isPositive();
            assertThat(log.segmentCount()).isGreaterThan(10);
            LogTestSupport.assertNumbered(LogTestSupport.readAll(log, log.logStartOffset(), 64 * 1024),
                log.logStartOffset(), log.logEndOffset());
        }
        assertThat(reads.get()).isPositive();
    }

    /** Batches of appendNumbered carry TIMESTAMP + i: any such timestamp is found at or after the log start. */
    private static void checkTimestampLookup(PartitionLog log, Random random) {
        long found = log.offsetForTimestamp(LogTestSupport.TIMESTAMP + random.nextInt(8));
        if (found >= 0) {
            assertThat(found).isLessThanOrEqualTo(log.logEndOffset());
        }
        assertThat(log.offsetForTimestamp(LogTestSupport.TIMESTAMP + 100)).isEqualTo(-1);
    }

    private static void checkRead(ByteBuf buf, long offset, long endSeen) {
        if (offset == endSeen) {
            // The end may have moved on since: either nothing or batches from offset on.
            if (buf.readableBytes() == 0) {
                return;
            }
        }
        List<LogTestSupport.Read> records = LogTestSupport.decode(buf);
        assertThat(records).isNotEmpty();
        assertThat(records.get(0).offset()).isLessThanOrEqualTo(offset);
        assertThat(records.get(records.size() - 1).offset()).isGreaterThanOrEqualTo(offset);
        for (LogTestSupport.Read read : records) {
            assertThat(read.text()).isEqualTo("v" + read.offset());
        }
    }
}
