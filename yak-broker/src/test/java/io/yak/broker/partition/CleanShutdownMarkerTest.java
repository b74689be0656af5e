package io.yak.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.broker.log.LogConfig;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data.dir's clean-shutdown marker, which the broker reports at registration: only a clean close of every log
 * leaves it, and a start removes it, so a crash after that start never looks clean.
 */
class CleanShutdownMarkerTest {
    @TempDir
    Path dir;

    private PartitionManager start() throws Exception {
        PartitionManager pm = new PartitionManager(1, dir, LogConfig.defaults(), 1, true, 1,
            RetentionConfig.defaults(), (topic, n) -> { });
        pm.scanExisting();
        return pm;
    }

    /**
     * This broker leads orders-0, so its log opens. A first view without it comes first, as for a new broker: a
     * data.dir without broker.meta whose first view lists a partition it lacks keeps that one offline.
     */
    private static void leadOnePartition(PartitionManager pm, long epoch) {
        List<BrokerInfo> brokers = List.of(new BrokerInfo(1, "127.0.0.1", 9, true));
        pm.onMetadata(new ClusterMetadata(epoch, brokers, List.of()));
        pm.onMetadata(new ClusterMetadata(epoch + 1, brokers,
            List.of(new TopicInfo("orders", List.of(PartitionInfo.single(0, 1, 0)), Map.of()))));
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> {
            Partition p = pm.partitionForTests("orders", 0);
            return p != null && p.log != null;
        });
    }

    @Test
    void shouldReportACleanStartOnlyAfterEveryLogClosedCleanly() throws Exception {
        PartitionManager first = start();
        assertThat(first.previousShutdownClean()).as("a new data.dir").isFalse();
        leadOnePartition(first, 1);
        first.close();
        assertThat(dir.resolve(DataDir.CLEAN_SHUTDOWN_FILE)).exists();

        PartitionManager second = start();
        assertThat(second.previousShutdownClean()).isTrue();
        assertThat(dir.resolve(DataDir.CLEAN_SHUTDOWN_FILE)).as("removed before registering").doesNotExist();
        leadOnePartition(second, 3);
        second.closeLogs(false); // as a crash leaves the logs

        PartitionManager third = start();
        try {
            assertThat(third.previousShutdownClean()).isFalse();
            assertThat(Files.exists(dir.resolve("orders-0"))).isTrue();
        } finally {
            third.close();
        }
    }
}
