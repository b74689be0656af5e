package io.yak.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.yak.broker.log.LogConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.record.RecordBatchFlyweight;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers' partition managers replicating one partition in this JVM: the follower pulls through
 * {@link PartitionManager#replicaFetch} directly, and a fake coordinator applies ISR changes and pushes cluster
 * views to both. Covers acks=all, the high watermark, ISR shrink and min.insync.replicas, and the truncation of a
 * deposed leader's unreplicated tail.
 */
@Timeout(60)
class ReplicationTest {
    private static final long LAG_MS = 600;

    @TempDir
    Path dir;
    private final List<PartitionManager> managers = new ArrayList<>();
    private final ExecutorService loop = Executors.newSingleThreadExecutor();
    /** Brokers whose fetches fail, as if cut off from every leader. */
    private final Set<Integer> cutOff = ConcurrentHashMap.newKeySet();
    private final FakeCoordinator coordinator = new FakeCoordinator();

    @AfterEach
    void close() {
        managers.forEach(PartitionManager::close);
        loop.shutdownNow();
    }

    /** The coordinator's side: one partition "t-0" on brokers 1 and 2, ISR changes by compare-and-set. */
    private final class FakeCoordinator {
        long epoch = 1;
        PartitionInfo state = new PartitionInfo(0, 1, 0, 0, List.of(1, 2), List.of(1, 2));

        synchronized void set(PartitionInfo next) {
            state = next;
            epoch++;
            ClusterMetadata md = new ClusterMetadata(epoch, List.of(new BrokerInfo(1, "127.0.0.1", 1, true, 1),
                new BrokerInfo(2, "127.0.0.1", 2, true, 1)), List.of(new TopicInfo("t", List.of(next), Map.of())));
            for (PartitionManager m : managers) {
                m.onMetadata(md);
            }
        }

        synchronized AlterIsrResult alter(int broker, AlterIsrPartition change) {
            if (state.leader() != broker || change.leaderEpoch() != state.leaderEpoch()
                || change.partitionEpoch() != state.partitionEpoch()) {
                return new AlterIsrResult("t", 0, ErrorCode.INVALID_UPDATE_VERSION, state.leader(),
                    state.leaderEpoch(), state.partitionEpoch(), state.isr());
            }
            set(new PartitionInfo(0, state.leader(), state.leaderEpoch(), state.partitionEpoch() + 1, state.replicas(),
                change.isr()));
            return new AlterIsrResult("t", 0, ErrorCode.NONE, state.leader(), state.leaderEpoch(),
                state.partitionEpoch(), state.isr());
        }
    }

    private PartitionManager broker(int id, int minIsr) {
        IsrChannel isr = new IsrChannel() {
            @Override
            public void alterIsr(AlterIsrPartition change, Consumer<AlterIsrResult> answer) {
                loop.execute(() -> answer.accept(coordinator.alter(id, change)));
            }

            @Override
            public long brokerEpoch() {
                return 1;
            }
        };
        ReplicaFetchClient client = new ReplicaFetchClient() {
            @Override
            public CompletableFuture<ReplicaFetchResponse> fetch(HostPort leader, ReplicaFetchRequest request,
                                                                long timeoutMs) {
                CompletableFuture<ReplicaFetchResponse> f = new CompletableFuture<>();
                if (cutOff.contains(id)) {
                    loop.execute(() -> f.completeExceptionally(new RuntimeException("cut off")));
                    return f;
                }
                managers.get(leader.port() - 1).replicaFetch(request, loop, f::complete);
                return f;
            }

            @Override
            public void close() {
            }
        };
        PartitionManager pm = new PartitionManager(id, dir.resolve("b" + id), LogConfig.defaults(), 1, false, 1,
            RetentionConfig.defaults(), (t, n) -> { }, new ReplicationConfig(minIsr, LAG_MS, 100, 1 << 20, 4 << 20,
            1000), isr, client);
        managers.add(pm);
        return pm;
    }

    private static ErrorCode publish(PartitionManager pm, short acks, String value) throws Exception {
        CompletableFuture<ErrorCode> answer = new CompletableFuture<>();
        pm.publish("t", 0, acks, 5000, PartitionManagerWaitTest.batch(value), false,
            (error, epoch, base, start) -> answer.complete(error));
        return answer.get(10, TimeUnit.SECONDS);
    }

    /** Every stored batch, as hex: reads go one segment at a time, so this walks them all. */
    private static String contents(PartitionManager pm) {
        Partition p = pm.partitionForTests("t", 0);
        StringBuilder sb = new StringBuilder();
        long offset = p.log.logStartOffset();
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        while (offset < p.log.logEndOffset()) {
            ByteBuf part = p.log.read(offset, Integer.MAX_VALUE);
            try {
                if (!part.isReadable()) {
                    break;
                }
                sb.append(ByteBufUtil.hexDump(part));
                int index = part.readerIndex();
                while (index < part.writerIndex()) {
                    batch.wrap(part, index, part.writerIndex());
                    offset = batch.baseOffset() + batch.recordCount();
                    index += batch.sizeInBytes();
                }
            } finally {
                part.release();
            }
        }
        return sb.toString();
    }

    private static long highWatermark(PartitionManager pm) {
        return pm.partitionForTests("t", 0).log.highWatermark();
    }

    private void start(int minIsr) {
        broker(1, minIsr);
        broker(2, minIsr);
        coordinator.set(coordinator.state);
        await().atMost(Duration.ofSeconds(10)).until(() -> managers.get(0).partitionForTests("t", 0).replicas != null
            && managers.get(1).partitionForTests("t", 0).log != null);
    }

    @Test
    void shouldAnswerAcksAllOnceTheFollowerHasTheRecordsAndKeepIdenticalLogs() throws Exception {
        start(2);
        for (int i = 0; i < 20; i++) {
            assertThat(publish(managers.get(0), (short) -1, "record-" + i)).isEqualTo(ErrorCode.NONE);
            // answered only once every ISR member has it: the high watermark covers it
            assertThat(highWatermark(managers.get(0))).isEqualTo(i + 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> highWatermark(managers.get(1)) == 20);
        assertThat(contents(managers.get(1))).isEqualTo(contents(managers.get(0)));
    }

    @Test
    void shouldShrinkTheIsrAndRefuseAcksAllBelowMinInsyncReplicas() throws Exception {
        start(2);
        assertThat(publish(managers.get(0), (short) -1, "before")).isEqualTo(ErrorCode.NONE);
        cutOff.add(2);
        // waits for the follower, which never comes; the ISR shrinks under it
        assertThat(publish(managers.get(0), (short) -1, "stuck"))
            .isIn(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.REQUEST_TIMED_OUT);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.state.isr().equals(List.of(1)));
        assertThat(publish(managers.get(0), (short) -1, "refused")).isEqualTo(ErrorCode.NOT_ENOUGH_REPLICAS);
        assertThat(publish(managers.get(0), (short) 1, "acks=1 still works")).isEqualTo(ErrorCode.NONE);
        assertThat(highWatermark(managers.get(0))).as("not committed below min.insync.replicas").isEqualTo(1);

        cutOff.remove(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> coordinator.state.isr().equals(List.of(1, 2)));
        assertThat(publish(managers.get(0), (short) -1, "after")).isEqualTo(ErrorCode.NONE);
        await().atMost(Duration.ofSeconds(10)).until(() -> contents(managers.get(1)).equals(contents(managers.get(0))));
    }

    @Test
    void shouldTruncateADeposedLeadersUnreplicatedTail() throws Exception {
        start(1);
        assertThat(publish(managers.get(0), (short) -1, "a")).isEqualTo(ErrorCode.NONE);
        await().atMost(Duration.ofSeconds(10)).until(() -> highWatermark(managers.get(1)) == 1);
        cutOff.add(2);
        // the follower's fetch parked before the cut still gets "lost-1"; its next one fails, so "lost-2" stays
        // on broker 1 alone
        assertThat(publish(managers.get(0), (short) 1, "lost-1")).isEqualTo(ErrorCode.NONE);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> managers.get(1).partitionForTests("t", 0).log.logEndOffset() == 2);
        assertThat(publish(managers.get(0), (short) 1, "lost-2")).isEqualTo(ErrorCode.NONE);
        // broker 1 is deposed; broker 2 leads epoch 1 and takes new writes
        PartitionInfo s = coordinator.state;
        coordinator.set(new PartitionInfo(0, 2, s.leaderEpoch() + 1, s.partitionEpoch() + 1, s.replicas(),
            List.of(2)));
        cutOff.remove(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> managers.get(1).partitionForTests("t", 0).replicas != null);
        assertThat(publish(managers.get(1), (short) 1, "b")).isEqualTo(ErrorCode.NONE);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> contents(managers.get(0)).equals(contents(managers.get(1))));
        // "a" and "lost-1" (which broker 2 fetched before it was cut off) survive, "lost-2" is gone, "b" follows
        assertThat(managers.get(0).partitionForTests("t", 0).log.logEndOffset())
            .isEqualTo(managers.get(1).partitionForTests("t", 0).log.logEndOffset()).isEqualTo(3L);
    }
}
