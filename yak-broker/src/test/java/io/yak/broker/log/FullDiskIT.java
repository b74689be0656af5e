package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.batch;
import static io.yak.broker.log.LogTestSupport.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log on a file system that fills up (a 2 MiB tmpfs, mounted by the test; skipped where mounting is not
 * allowed). Without allocating ahead a full disk showed up as a fault on the mapping, which the JVM reports only
 * after the copy "returned": an append could be acknowledged with its tail missing, and recovery then dropped it.
 * Every acknowledged append must be read back whole, also after a crash and a restart on the still full disk.
 */
class FullDiskIT {
    private static final int RECORDS_PER_BATCH = 8;
    private static final String PADDING = "x".repeat(1000);

    @TempDir
    Path dir;
    /** The tmpfs this test mounted, or null. */
    private Path mounted;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldNeverAcknowledgeAnAppendThatAFullDiskCutShort() throws Exception {
        Path mount = mountSmallTmpfs();
        LogConfig config = LogConfig.defaults().withSegmentBytes(1 << 20).withFileDeleteDelayMs(0);
        Path partitionDir = mount.resolve("full-0");
        long acknowledged;
        long logStart;
        IOException failure;
        PartitionLog log = PartitionLog.open(partitionDir, "full", 0, config);
        try {
            Filled filled = appendUntilFull(log);
            acknowledged = filled.acknowledged();
            failure = filled.failure();
            // Allocation goes ahead in large steps, but only an append that cannot fit fails: a batch is ~8 KiB,
            // an allocation step up to the whole 1 MiB segment.
            assertThat(Files.getFileStore(mount).getUsableSpace()).as("space left when the append failed")
                .isLessThan(64 << 10);
            // Retention still works on the full disk: the new log start has no room for recovery-point.tmp, so
            // the file is overwritten in place (it needs no new block), and then the old segments go.
            int segmentsBefore = log.segmentCount();
            assertThat(segmentsBefore).isGreaterThan(1);
            assertThat(log.deleteOldSegments(-1, 1)).as("segments deleted").isEqualTo(segmentsBefore - 1);
            assertThat(log.segmentCount()).isOne();
            logStart = log.logStartOffset();
            assertThat(logStart).isPositive();
            // The failed log is never flushed again, yet the broker's timer deletes what retention let go.
            log.releaseDueFiles();
            assertThat(Files.getFileStore(mount).getUsableSpace()).as("space retention freed, log still open")
                .isGreaterThan(512 << 10);
        } finally {
            try {
                log.close(); // unclean: the log failed
            } catch (IOException e) {
                // closing may need a few bytes the full disk does not have; recovery handles an unclean close
            }
        }
        assertThat(partitionDir.resolve("recovery-point.tmp")).doesNotExist();
        assertThat(acknowledged).as("some appends fitted").isGreaterThan(100);
        assertThat(failure).as("the disk filled up").isNotNull();

        assertThat(run("mount", "-o", "remount,size=16m", mount.toString())).as("tmpfs grown").isTrue();
        try (PartitionLog reopened = PartitionLog.open(partitionDir, "full", 0, config)) {
            assertThat(reopened.logEndOffset()).as("the failed append left nothing, and nothing acknowledged is gone")
                .isEqualTo(acknowledged);
            assertThat(reopened.logStartOffset()).as("the log start persisted in place").isEqualTo(logStart);
            assertReadsBack(reopened, logStart, acknowledged);
        }
    }

    /**
     * A broker that crashes on a full disk and restarts while it is still full. The active segment's file used to
     * stay as large as its mapping (sparse past the data) and recovery read that tail through the mapping: on a full
     * tmpfs even reading a hole needs a page, so the restart died of {@code SIGBUS}. Now a segment file is only as
     * long as what was allocated for it, and recovery never reads past that.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRecoverACrashedLogWhileTheDiskIsStillFull() throws Exception {
        Path mount = mountSmallTmpfs();
        // Segments larger than the disk: the active one is mostly not allocated when the disk fills up.
        LogConfig config = LogConfig.defaults().withSegmentBytes(8 << 20);
        Path partitionDir = mount.resolve("full-0");
        long acknowledged;
        PartitionLog crashing = PartitionLog.open(partitionDir, "full", 0, config);
        try {
            acknowledged = appendUntilFull(crashing).acknowledged();
        } finally {
            crashing.abandon();
        }
        assertThat(acknowledged).as("some appends fitted").isGreaterThan(100);
        Path active = partitionDir.resolve(SegmentLayout.fileName(0));
        assertThat(Files.size(active)).as("the crashed active segment's file: its allocated blocks only")
            .isLessThanOrEqualTo(2 << 20);
        // As an older broker left it: as long as its mapping, sparse past the allocated blocks. Recovery looks for
        // non-zero bytes there through the file, which on tmpfs reads a hole without needing a page.
        try (RandomAccessFile file = new RandomAccessFile(active.toFile(), "rw")) {
            file.setLength(8 << 20);
        }

        for (int restart = 0; restart < 2; restart++) {
            try (PartitionLog reopened = PartitionLog.open(partitionDir, "full", 0, config)) {
                assertThat(reopened.logEndOffset()).as("nothing acknowledged is gone").isEqualTo(acknowledged);
                assertReadsBack(reopened, 0, acknowledged);
                assertThat(Files.size(active)).as("cut at the end of the data").isLessThanOrEqualTo(2 << 20);
                reopened.abandon(); // crash again, still full
            }
        }
        assertThat(run("mount", "-o", "remount,size=16m", mount.toString())).as("tmpfs grown").isTrue();
        try (PartitionLog reopened = PartitionLog.open(partitionDir, "full", 0, config)) {
            ByteBuf b = batch(values(acknowledged));
            try {
                assertThat(reopened.append(b, 7)).as("appends go on once there is room").isEqualTo(acknowledged);
            } finally {
                b.release();
            }
            assertThat(readAll(reopened, 0, 1 << 20)).hasSize((int) acknowledged + RECORDS_PER_BATCH);
        }
    }

    /** How far {@link #appendUntilFull} got: the records acknowledged, and the append that failed. */
    private record Filled(long acknowledged, IOException failure) {
    }

    /** Appends batches until one fails (the disk is full). */
    private static Filled appendUntilFull(PartitionLog log) {
        long acknowledged = 0;
        while (true) {
            long next = log.logEndOffset();
            ByteBuf b = batch(values(next));
            try {
                assertThat(log.append(b, 7)).isEqualTo(next);
                acknowledged = next + RECORDS_PER_BATCH;
            } catch (IOException e) {
                return new Filled(acknowledged, e);
            } finally {
                b.release();
            }
            assertThat(acknowledged).as("2 MiB filled long before this").isLessThan(10_000);
        }
    }

    /** Every record in {@code [from, to)} reads back whole, and nothing else. */
    private static void assertReadsBack(PartitionLog log, long from, long to) {
        List<LogTestSupport.Read> all = readAll(log, from, 1 << 20);
        assertThat(all).hasSize((int) (to - from));
        for (LogTestSupport.Read r : all) {
            assertThat(r.text()).isEqualTo(value(r.offset()));
        }
    }

    /** Mounts a 2 MiB tmpfs under the test directory (unmounted after the test); skips the test where it cannot. */
    private Path mountSmallTmpfs() throws IOException, InterruptedException {
        Path mount = Files.createDirectories(dir.resolve("small"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount.toString()),
            "cannot mount a tmpfs here (needs root): skipped");
        mounted = mount;
        return mount;
    }

    @AfterEach
    void unmount() throws IOException, InterruptedException {
        if (mounted != null && !run("umount", mounted.toString())) {
            run("umount", "-l", mounted.toString());
        }
    }

    private static byte[][] values(long first) {
        byte[][] values = new byte[RECORDS_PER_BATCH][];
        for (int i = 0; i < RECORDS_PER_BATCH; i++) {
            values[i] = value(first + i).getBytes(StandardCharsets.UTF_8);
        }
        return values;
    }

    private static String value(long offset) {
        return "v" + offset + "-" + PADDING;
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
