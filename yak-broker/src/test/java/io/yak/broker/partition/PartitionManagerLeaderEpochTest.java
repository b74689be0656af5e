package io.yak.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.broker.log.LogConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumes and offset lookups name the leader epoch of the client's metadata (Kafka's KIP-320): the leader serves
 * its own epoch and -1 (not checked), answers an older one FENCED_LEADER_EPOCH and a newer one UNKNOWN_LEADER_EPOCH
 * before reading anything; a broker that does not lead the partition answers NOT_LEADER whatever the epoch.
 */
@Timeout(60)
class PartitionManagerLeaderEpochTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** The leader epoch broker 1 leads {@code t-0} at: an older and a newer one exist. */
    private static final int EPOCH = 3;

    @TempDir
    Path dir;
    private PartitionManager pm;

    /** What a consume was answered. */
    private record Consumed(ErrorCode error, long highWatermark, int bytes) { }

    /** Broker 1 leading {@code t-0} at {@link #EPOCH}, its log holding one batch below the high watermark. */
    @BeforeEach
    void lead() throws InterruptedException {
        pm = new PartitionManager(1, dir, LogConfig.defaults().withSegmentBytes(1 << 20), 1, false, 1,
            RetentionConfig.defaults(), (topic, n) -> { });
        pm.onMetadata(view(1, 1, EPOCH));
        await().atMost(AWAIT).until(() -> consume(EPOCH, 0, 0).error() == ErrorCode.NONE);
        CountDownLatch published = new CountDownLatch(1);
        ErrorCode[] publishError = new ErrorCode[1];
        pm.publish("t", 0, PartitionManagerWaitTest.batch("hello"), true, (error, epoch, base, logStart) -> {
            publishError[0] = error;
            published.countDown();
        });
        assertThat(published.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(publishError[0]).isEqualTo(ErrorCode.NONE);
        await().atMost(AWAIT).until(() -> consume(EPOCH, 0, 0).highWatermark() == 1);
    }

    @AfterEach
    void close() {
        pm.close();
    }

    /**
     * Cluster epoch {@code clusterEpoch}: brokers 1 and 2, {@code t-0} led by {@code leader} at {@code leaderEpoch},
     * broker 1 a replica in sync (its only one while it leads, so it alone moves the high watermark).
     */
    private static ClusterMetadata view(long clusterEpoch, int leader, int leaderEpoch) {
        List<Integer> replicas = leader == 1 ? List.of(1) : List.of(leader, 1);
        return new ClusterMetadata(clusterEpoch, List.of(new BrokerInfo(1, "127.0.0.1", 9, true),
            new BrokerInfo(2, "127.0.0.1", 10, true)), List.of(new TopicInfo("t", List.of(new PartitionInfo(0,
            leader, leaderEpoch, leaderEpoch, replicas, replicas)), Map.of())));
    }

    /** A consume of {@code t-0} from {@code offset}, answered on this thread (nothing waits with max wait 0). */
    private Consumed consume(int currentLeaderEpoch, long offset, int maxWaitMs) {
        Consumed[] answer = new Consumed[1];
        CountDownLatch done = new CountDownLatch(1);
        pm.consume("t", 0, currentLeaderEpoch, offset, 1 << 20, maxWaitMs, (error, epoch, hw, start, records) -> {
            answer[0] = new Consumed(error, hw, records.readableBytes());
            records.release();
            done.countDown();
        });
        assertThat(done.getCount()).as("answered at once").isZero();
        return answer[0];
    }

    private ErrorCode listOffset(int currentLeaderEpoch, long timestamp, long[] out) {
        return pm.listOffset("t", 0, currentLeaderEpoch, timestamp, out);
    }

    @Test
    void shouldServeAConsumeNamingTheLeadersEpochOrNone() {
        Consumed current = consume(EPOCH, 0, 0);
        assertThat(current.error()).isEqualTo(ErrorCode.NONE);
        assertThat(current.bytes()).isEqualTo(PartitionManagerWaitTest.batch("hello").readableBytes());
        assertThat(current.highWatermark()).isEqualTo(1);
        assertThat(consume(RequestCheck.NO_LEADER_EPOCH, 0, 0)).as("-1: not checked").isEqualTo(current);
    }

    @Test
    void shouldFenceAConsumeNamingAnotherEpochBeforeReadingOrWaiting() {
        assertThat(consume(EPOCH - 1, 0, 0)).isEqualTo(new Consumed(ErrorCode.FENCED_LEADER_EPOCH, -1, 0));
        assertThat(consume(0, 0, 0)).isEqualTo(new Consumed(ErrorCode.FENCED_LEADER_EPOCH, -1, 0));
        assertThat(consume(EPOCH + 1, 0, 0)).isEqualTo(new Consumed(ErrorCode.UNKNOWN_LEADER_EPOCH, -1, 0));
        assertThat(consume(Integer.MAX_VALUE, 0, 0).error()).isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        // before the offset is looked at: not OFFSET_OUT_OF_RANGE
        assertThat(consume(EPOCH - 1, 99, 0).error()).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        // at the high watermark with a max wait: answered at once instead of parked (consume() checks "at once")
        assertThat(consume(EPOCH + 1, 1, 5_000).error()).isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        assertThat(consume(EPOCH, 0, 0).error()).as("still served at its own epoch").isEqualTo(ErrorCode.NONE);
    }

    @Test
    void shouldServeAnOffsetLookupNamingTheLeadersEpochOrNoneAndFenceAnyOther() {
        long[] out = {-7};
        assertThat(listOffset(EPOCH, ListOffsetsRequest.LATEST, out)).isEqualTo(ErrorCode.NONE);
        assertThat(out[0]).isEqualTo(1);
        assertThat(listOffset(EPOCH, ListOffsetsRequest.EARLIEST, out)).isEqualTo(ErrorCode.NONE);
        assertThat(out[0]).isZero();
        assertThat(listOffset(ListOffsetsRequest.NO_LEADER_EPOCH, ListOffsetsRequest.LATEST, out))
            .isEqualTo(ErrorCode.NONE);
        assertThat(out[0]).isEqualTo(1);

        out[0] = -7;
        assertThat(listOffset(EPOCH - 1, ListOffsetsRequest.LATEST, out)).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        assertThat(listOffset(EPOCH + 1, ListOffsetsRequest.EARLIEST, out))
            .isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        assertThat(listOffset(EPOCH - 1, 0, out)).as("a timestamp lookup").isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        assertThat(listOffset(EPOCH + 1, -5, out)).as("fenced before the timestamp is looked at")
            .isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        assertThat(out[0]).as("no offset written when fenced").isEqualTo(-7);
        assertThat(listOffset(EPOCH, -5, out)).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void shouldAnswerAConsumeParkedInALeadershipThatEndsNotLeaderAtOnce() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        ErrorCode[] error = new ErrorCode[1];
        long start = System.nanoTime();
        pm.consume("t", 0, EPOCH, 1, 1 << 20, 30_000, (e, epoch, hw, logStart, records) -> {
            error[0] = e;
            records.release();
            done.countDown();
        });
        assertThat(done.getCount()).as("parked at the high watermark").isOne();

        pm.onMetadata(view(2, 2, EPOCH + 1));

        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(error[0]).isEqualTo(ErrorCode.NOT_LEADER);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("not after its 30 s max wait")
            .isLessThan(10_000);
    }

    @Test
    void shouldAnswerNotLeaderWhateverTheEpochOnceAnotherBrokerLeads() {
        pm.onMetadata(view(2, 2, EPOCH + 1));
        for (int epoch : new int[] {RequestCheck.NO_LEADER_EPOCH, EPOCH - 1, EPOCH, EPOCH + 1, EPOCH + 2}) {
            assertThat(consume(epoch, 0, 0).error()).as("consume at epoch %d", epoch).isEqualTo(ErrorCode.NOT_LEADER);
            assertThat(listOffset(epoch, ListOffsetsRequest.LATEST, new long[1])).as("list offsets at epoch %d", epoch)
                .isEqualTo(ErrorCode.NOT_LEADER);
        }
    }

    @Test
    void shouldFenceTheEpochItLedAtOnceReElected() {
        pm.onMetadata(view(2, 1, EPOCH + 1));
        await().atMost(AWAIT).until(() -> consume(EPOCH + 1, 0, 0).error() == ErrorCode.NONE);
        assertThat(consume(EPOCH, 0, 0).error()).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        assertThat(consume(EPOCH + 2, 0, 0).error()).isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        long[] out = new long[1];
        assertThat(listOffset(EPOCH, ListOffsetsRequest.LATEST, out)).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        assertThat(listOffset(EPOCH + 1, ListOffsetsRequest.LATEST, out)).isEqualTo(ErrorCode.NONE);
        assertThat(out[0]).isEqualTo(1);
    }

    /** The one rule replica fetches and client reads share. */
    @Test
    void shouldCompareEpochsAsReplicaFetchesDo() {
        assertThat(RequestCheck.leaderEpochError(2, 3)).isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
        assertThat(RequestCheck.leaderEpochError(3, 3)).isEqualTo(ErrorCode.NONE);
        assertThat(RequestCheck.leaderEpochError(4, 3)).isEqualTo(ErrorCode.UNKNOWN_LEADER_EPOCH);
        assertThat(RequestCheck.leaderEpochError(-1, 0)).as("strict: -1 is skipped by the caller")
            .isEqualTo(ErrorCode.FENCED_LEADER_EPOCH);
    }
}
