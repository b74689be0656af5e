package io.yak.broker.partition;

import static io.yak.broker.log.LogTestSupport.flipByte;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.wire.testing.CapturedLogs;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partitions a broker cannot serve are the ones its heartbeats list: a log that cannot be opened, a log in
 * which a read found a corrupt batch; they stay listed while the coordinator shows them without a leader.
 */
@Timeout(60)
class PartitionManagerOfflineTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** STORAGE.md, "Segment header". */
    private static final int SEGMENT_HEADER_BYTES = 16;

    @TempDir
    Path dir;

    private PartitionManager manager(int segmentBytes) {
        return new PartitionManager(1, dir, LogConfig.defaults().withSegmentBytes(segmentBytes), 1, false, 1,
            RetentionConfig.defaults(), (topic, n) -> { });
    }

    /** Topic t with {@code leaders.length} partitions on broker 1, led as given (-1: no leader). */
    private static ClusterMetadata metadata(long epoch, int... leaders) {
        List<PartitionInfo> ps = new ArrayList<>();
        for (int p = 0; p < leaders.length; p++) {
            ps.add(new PartitionInfo(p, leaders[p], 0, 0, List.of(1), List.of(1)));
        }
        return new ClusterMetadata(epoch, List.of(new BrokerInfo(1, "127.0.0.1", 9, true)),
            List.of(new TopicInfo("t", ps, Map.of())));
    }

    private static ErrorCode consume(PartitionManager pm, int partition, long offset) {
        AtomicReference<ErrorCode> result = new AtomicReference<>();
        pm.consume("t", partition, -1, offset, 1 << 20, 0, (error, epoch, hw, start, records) -> {
            records.release();
            result.set(error);
        });
        await().atMost(AWAIT).until(() -> result.get() != null);
        return result.get();
    }

    private static ErrorCode publish(PartitionManager pm, int partition, String value) {
        return publishTo(pm, "t", partition, value);
    }

    @Test
    void shouldListAPartitionWhoseLogCannotBeOpenedAndKeepListingItWhileItHasNoLeader() throws IOException {
        Path bad = PartitionLog.directoryFor(dir, "t", 0);
        Files.createDirectories(bad);
        Files.write(bad.resolve("00000000000000000000.log"), "NOPE-not-a-yak-segment".getBytes(UTF_8));
        PartitionManager pm = manager(1 << 20);
        try {
            assertThat(pm.offlinePartitions()).isEmpty();
            pm.onMetadata(metadata(1, 1, 1));

            await().atMost(AWAIT).until(() -> !pm.offlinePartitions().isEmpty());
            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0));
            assertThat(pm.offlinePartitions()).as("no copy per heartbeat").isSameAs(pm.offlinePartitions());
            assertThat(consume(pm, 0, 0)).isEqualTo(ErrorCode.STORAGE_ERROR);
            assertThat(publish(pm, 1, "fine")).isEqualTo(ErrorCode.NONE);

            // The coordinator took it offline: still listed, or it would be handed back and taken away again.
            pm.onMetadata(metadata(2, -1, 1));
            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0));
            assertThat(consume(pm, 0, 0)).isEqualTo(ErrorCode.NOT_LEADER);
        } finally {
            pm.close();
        }
    }

    @Test
    void shouldListAPartitionOnceAReadFindsACorruptBatch() throws IOException {
        PartitionManager first = manager(LogConfig.MIN_SEGMENT_BYTES);
        try {
            first.onMetadata(metadata(1, 1, 1));
            await().atMost(AWAIT).until(() -> consume(first, 0, 0) == ErrorCode.NONE);
            for (int i = 0; i < 8; i++) {
                assertThat(publish(first, 0, "value-" + i + "x".repeat(300))).isEqualTo(ErrorCode.NONE);
            }
        } finally {
            first.close(); // clean: the next open trusts the sealed segments and checks each batch when read
        }
        flipByte(PartitionLog.directoryFor(dir, "t", 0).resolve("00000000000000000000.log"),
            SEGMENT_HEADER_BYTES + RecordBatchLayout.RECORDS_OFFSET + 2);
        PartitionManager pm = manager(LogConfig.MIN_SEGMENT_BYTES);
        try {
            pm.onMetadata(metadata(3, 1, 1));
            await().atMost(AWAIT).until(() -> consume(pm, 1, 0) == ErrorCode.NONE);
            assertThat(pm.offlinePartitions()).as("opening trusted the segment").isEmpty();

            assertThat(consume(pm, 0, 0)).isEqualTo(ErrorCode.STORAGE_ERROR);

            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0));
            assertThat(publish(pm, 0, "refused")).isEqualTo(ErrorCode.STORAGE_ERROR);
            assertThat(consume(pm, 1, 0)).isEqualTo(ErrorCode.NONE);
        } finally {
            pm.close();
        }
    }

    @Test
    void shouldListAPartitionWhoseWriteFailedAndKeepApplyingRetentionToItWithoutALeader() throws IOException {
        // retention.bytes 1: every sealed segment goes at the next check; the timer's own check is an hour away.
        PartitionManager pm = new PartitionManager(1, dir, LogConfig.defaults().withSegmentBytes(
            LogConfig.MIN_SEGMENT_BYTES).withFileDeleteDelayMs(200), 1, false, 1, new RetentionConfig(-1, 1,
            3_600_000), (topic, n) -> { });
        Path partitionDir = PartitionLog.directoryFor(dir, "t", 0);
        Path moved = dir.resolve("moved-away");
        try {
            pm.onMetadata(metadata(1, 1, 1));
            await().atMost(AWAIT).until(() -> consume(pm, 0, 0) == ErrorCode.NONE);
            for (int i = 0; i < 8; i++) {
                assertThat(publish(pm, 0, "value-" + i + "x".repeat(300))).isEqualTo(ErrorCode.NONE);
            }
            long sealed = segmentFiles(partitionDir) - 1;
            assertThat(sealed).isGreaterThanOrEqualTo(2);
            // The directory vanishes under the log: the next roll cannot create its segment, the log fails.
            Files.move(partitionDir, moved);
            ErrorCode error = ErrorCode.NONE;
            for (int i = 0; i < 10 && error == ErrorCode.NONE; i++) {
                error = publish(pm, 0, "value-" + i + "x".repeat(300));
            }
            assertThat(error).isEqualTo(ErrorCode.STORAGE_ERROR);
            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0));
            Files.move(moved, partitionDir);

            // The coordinator shows it without a leader; retention still applies to the log this broker holds.
            pm.onMetadata(metadata(2, -1, 1));
            pm.scheduleRetention();
            await().atMost(AWAIT).until(() -> segmentFiles(partitionDir) < sealed + 1);
            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0));
            // and the files it let go are deleted after file.delete.delay.ms, although the failed log is never
            // flushed again and the next retention check is an hour away
            await().atMost(AWAIT).until(() -> deletedFiles(partitionDir) == 0);
        } finally {
            pm.close();
        }
    }

    private static long deletedFiles(Path partitionDir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".deleted")).count();
        }
    }

    private static long segmentFiles(Path partitionDir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(partitionDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).count();
        }
    }

    /** Topics {@code t} (partitions on broker 1) and, when {@code withU}, {@code u} (one partition on broker 1). */
    private static ClusterMetadata metadataWith(long epoch, boolean withT, boolean withU) {
        List<TopicInfo> topics = new ArrayList<>();
        if (withT) {
            topics.add(new TopicInfo("t", List.of(new PartitionInfo(0, 1, 0, 0, List.of(1), List.of(1)), new PartitionInfo(1, 1, 0, 0, List.of(1), List.of(1))),
                Map.of()));
        }
        if (withU) {
            topics.add(new TopicInfo("u", List.of(new PartitionInfo(0, 1, 0, 0, List.of(1), List.of(1))), Map.of()));
        }
        return new ClusterMetadata(epoch, List.of(new BrokerInfo(1, "127.0.0.1", 9, true)), topics);
    }

    private static ErrorCode publishTo(PartitionManager pm, String topic, int partition) {
        return publishTo(pm, topic, partition, "v");
    }

    private static ErrorCode publishTo(PartitionManager pm, String topic, int partition, String value) {
        ByteBuf buf = Unpooled.buffer(1024);
        RecordBatchBuilder b = new RecordBatchBuilder().begin(buf, 1000, RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
        b.append(1000, null, value.getBytes(UTF_8));
        b.finish();
        AtomicReference<ErrorCode> result = new AtomicReference<>();
        pm.publish(topic, partition, buf, true, (error, epoch, base, logStart) -> result.set(error));
        await().atMost(AWAIT).until(() -> result.get() != null);
        return result.get();
    }

    @Test
    void shouldMarkANewDataDirAsThisBrokersAtItsFirstClusterView() throws IOException {
        PartitionManager pm = manager(1 << 20);
        try {
            pm.scanExisting();
            pm.onMetadata(metadataWith(1, false, false)); // a new broker: nothing on it yet
            await().atMost(AWAIT).until(() -> Files.exists(dir.resolve(PartitionManager.META_FILE)));
            assertThat(Files.readString(dir.resolve(PartitionManager.META_FILE))).contains("broker.id=1");
            pm.onMetadata(metadataWith(2, true, false)); // a topic created afterwards opens as usual
            await().atMost(AWAIT).until(() -> publishTo(pm, "t", 0) == ErrorCode.NONE);
            assertThat(pm.offlinePartitions()).isEmpty();
        } finally {
            pm.close();
        }
    }

    @Test
    void shouldKeepPartitionsOfflineWhenTheDataDirIsEmptyButTheClusterHasThemUntilTheOperatorConfirms()
        throws IOException {
        PartitionManager pm = manager(1 << 20);
        try (CapturedLogs logs = new CapturedLogs(PartitionManager.class)) {
            pm.scanExisting();
            pm.onMetadata(metadataWith(5, true, false)); // the cluster had t-0 and t-1 here: the disk did not mount?
            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0), new PartitionRef("t", 1));
            assertThat(publishTo(pm, "t", 0)).isEqualTo(ErrorCode.STORAGE_ERROR);
            assertThat(PartitionLog.directoryFor(dir, "t", 0)).as("not created empty from offset 0").doesNotExist();
            assertThat(dir.resolve(PartitionManager.META_FILE)).doesNotExist();
            assertThat(logs.at(Level.ERROR)).singleElement().asString().contains("has no broker.meta and lacks 2 partition(s)",
                "is the disk mounted", "[t-0, t-1]", "write 'broker.id=1' to");
            pm.onMetadata(metadataWith(6, true, true)); // a topic created now is new: it opens
            await().atMost(AWAIT).until(() -> publishTo(pm, "u", 0) == ErrorCode.NONE);
            assertThat(pm.offlinePartitions()).containsExactly(new PartitionRef("t", 0), new PartitionRef("t", 1));
        } finally {
            pm.close();
        }
        // Restarted as it was: u-0's directory exists now, but t-0 and t-1 are still missing and still offline.
        assertThat(dir.resolve(PartitionManager.META_FILE)).doesNotExist();
        PartitionManager again = manager(1 << 20);
        try {
            again.scanExisting();
            again.onMetadata(metadataWith(7, true, true));
            assertThat(again.offlinePartitions()).containsExactly(new PartitionRef("t", 0), new PartitionRef("t", 1));
            await().atMost(AWAIT).until(() -> publishTo(again, "u", 0) == ErrorCode.NONE);
        } finally {
            again.close();
        }
        // The operator confirms the data is gone: t-0 and t-1 start empty at the next start.
        Files.writeString(dir.resolve(PartitionManager.META_FILE), "broker.id=1\n");
        PartitionManager restarted = manager(1 << 20);
        try {
            restarted.scanExisting();
            restarted.onMetadata(metadataWith(8, true, true));
            await().atMost(AWAIT).until(() -> publishTo(restarted, "t", 0) == ErrorCode.NONE);
            assertThat(restarted.offlinePartitions()).isEmpty();
        } finally {
            restarted.close();
        }
    }

    @Test
    void shouldRefuseADataDirThatBelongsToAnotherBroker() throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(PartitionManager.META_FILE), "broker.id=2\n");
        PartitionManager pm = manager(1 << 20);
        try {
            assertThatThrownBy(pm::scanExisting).isInstanceOf(IOException.class)
                .hasMessageContaining("belongs to broker 2").hasMessageContaining("not to broker 1");
        } finally {
            pm.close();
        }
    }

    @Test
    void shouldAdoptADataDirWithPartitionsFromBeforeTheMetaFileWhenNoneIsMissing() throws IOException {
        Files.createDirectories(PartitionLog.directoryFor(dir, "t", 0));
        Files.createDirectories(PartitionLog.directoryFor(dir, "t", 1));
        PartitionManager pm = manager(1 << 20);
        try {
            pm.scanExisting();
            pm.onMetadata(metadataWith(1, true, false));
            await().atMost(AWAIT).until(() -> Files.exists(dir.resolve(PartitionManager.META_FILE)));
            assertThat(Files.readString(dir.resolve(PartitionManager.META_FILE))).contains("broker.id=1");
            assertThat(pm.offlinePartitions()).isEmpty();
        } finally {
            pm.close();
        }
    }
}
