package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.ConsumerRecord;
import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.coordinator.CoordinatorServer;
import io.yak.coordinator.cluster.BrokerIds;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.config.HostPort;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.Frame;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, scenario 6, with real broker processes: the leader of a partition (replication factor 3,
 * {@code min.insync.replicas} 2) is frozen with SIGSTOP for longer than {@code heartbeat.timeout.ms}, holding records
 * its followers never fetched (acks=1; the followers were frozen a moment while it took them). The coordinator
 * elects a follower, which takes acks=all records at the same offsets. Then the old leader resumes: an acks=all
 * publish that was waiting in its socket, and one sent after, are not acknowledged (it can no longer commit: its
 * followers left, and the cluster view fences it); it learns the new leader, truncates the records only it had,
 * replicates the new leader's and rejoins the ISR. Every acks=all record acknowledged is read back, the stale ones
 * are on no replica, and the three logs are byte-identical below the high watermark.
 */
class PausedLeaderIT {
    private static final String TOPIC = "paused";
    private static final long HEARTBEAT_TIMEOUT_MS = 1500;
    /** In every record only the old leader had; searched for in the segment files at the end. */
    private static final String STALE = "STALE-ON-OLD-LEADER";

    @TempDir
    Path dir;
    private CoordinatorServer coordinator;
    private final List<BrokerProcess> brokers = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (BrokerProcess b : brokers) {
            b.close();
            System.out.println("PausedLeaderIT broker log: " + b.logFile());
        }
        if (coordinator != null) {
            coordinator.close();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldFenceAndTruncateALeaderPausedPastTheHeartbeatTimeout() throws Exception {
        coordinator = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0),
            dir.resolve("coordinator"), HEARTBEAT_TIMEOUT_MS, true, 1,
            ServerLimits.defaults(FrameLayout.DEFAULT_MAX_FRAME_BYTES), BrokerIds.ANY,
            CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS));
        coordinator.start();
        String bootstrap = "127.0.0.1:" + coordinator.address().getPort();
        for (int id = 1; id <= 3; id++) {
            BrokerProcess b = new BrokerProcess(dir, id, bootstrap, dir.resolve("broker-" + id),
                Map.of("replica.lag.time.max.ms", "2000"));
            brokers.add(b);
            b.start();
        }
        try (YakAdmin admin = YakAdmin.connect(bootstrap)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsMatching(t -> t instanceof YakException)
                .until(() -> {
                    admin.createTopic(TOPIC, 1, 3, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
                    return true;
                });
            TreeMap<Long, String> acked = new TreeMap<>();
            produce(bootstrap, "before-", 500, acked);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(admin.describeTopic(TOPIC).partition(0).isr()).hasSize(3));
            PartitionInfo initial = admin.describeTopic(TOPIC).partition(0);
            int oldLeader = initial.leader();
            List<Integer> followers = initial.replicas().stream().filter(b -> b != oldLeader).toList();
            BrokerInfo address = coordinator.metadata().broker(oldLeader);

            try (RawPublisher raw = new RawPublisher(address.host(), address.port())) {
                // Records the followers fetch (their parked fetches are answered with them), then records they
                // cannot fetch before the leader freezes: only the old leader has those.
                for (int f : followers) {
                    broker(f).pause();
                }
                long fetched = raw.publish((short) 1, "fetched-", 10).baseOffset();
                Thread.sleep(300);
                PublishAnswer stale = raw.publish((short) 1, STALE + "-", 10);
                assertThat(stale.error()).isEqualTo(ErrorCode.NONE);
                Thread.sleep(100);
                broker(oldLeader).pause();
                for (int f : followers) {
                    broker(f).resume();
                }
                System.out.println("PausedLeaderIT: leader " + oldLeader + " paused holding offsets " + fetched
                    + ".. (fetched) and " + stale.baseOffset() + ".." + (stale.baseOffset() + 9) + " (only it)");

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    PartitionInfo p = admin.describeTopic(TOPIC).partition(0);
                    assertThat(p.leader()).as("a new leader while %d is paused", oldLeader)
                        .isNotIn(oldLeader, PartitionInfo.NO_LEADER);
                    assertThat(p.leaderEpoch()).isGreaterThan(initial.leaderEpoch());
                    assertThat(p.isr()).doesNotContain(oldLeader);
                });
                int newLeader = admin.describeTopic(TOPIC).partition(0).leader();
                produce(bootstrap, "new-leader-", 200, acked);
                assertThat(acked.lastKey()).as("the new leader wrote over the stale offsets")
                    .isGreaterThan(stale.baseOffset() + 9);

                // Waits in the paused leader's socket: the first thing it reads when it resumes.
                raw.send((short) -1, STALE + "-queued-", 5);
                broker(oldLeader).resume();
                PublishAnswer queued = raw.answer();
                PublishAnswer after = raw.publish((short) -1, STALE + "-after-", 5);
                System.out.println("PausedLeaderIT: old leader " + oldLeader + " (new leader " + newLeader
                    + ") answered the acks=all publish waiting in its socket " + queued.error() + ", the one after "
                    + after.error());
                assertThat(queued.error()).as("acks=all publish queued at the paused leader").isNotEqualTo(
                    ErrorCode.NONE);
                assertThat(after.error()).as("acks=all publish after it resumed").isNotEqualTo(ErrorCode.NONE);
            }

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(admin.describeTopic(TOPIC).partition(0).isr()).as("old leader back in sync")
                    .contains(oldLeader).hasSize(3));
            produce(bootstrap, "after-", 200, acked);
            List<ConsumerRecord> read = ReadBack.readAll(bootstrap, TOPIC, 1).get(0);
            assertThat(ReadBack.assertAcknowledgedReadBack(Map.of(0, read), Map.of(0, acked))).isEqualTo(acked.size());
            assertThat(read).noneMatch(r -> new String(r.value(), UTF_8).startsWith(STALE));
            assertThat(broker(oldLeader).log()).contains("truncating");
            long highWatermark = admin.highWatermarks(TOPIC).get(0);
            for (BrokerProcess b : brokers) {
                b.stop();
            }
            LastReplicaStandingIT.assertReplicasIdentical(dir, TOPIC + "-0", highWatermark);
            byte[] marker = STALE.getBytes(UTF_8);
            for (int b = 1; b <= 3; b++) {
                for (PartitionFiles.Batch batch : PartitionFiles.batches(dir.resolve("broker-" + b)
                        .resolve(TOPIC + "-0"))) {
                    assertThat(indexOf(batch.bytes(), marker)).as("stale record in %s on broker %d", batch, b)
                        .isNegative();
                }
            }
        }
    }

    private BrokerProcess broker(int id) {
        return brokers.get(id - 1);
    }

    private static void produce(String bootstrap, String prefix, int count, Map<Long, String> acked)
            throws Exception {
        Properties props = new Properties();
        props.setProperty("coordinator", bootstrap);
        props.setProperty("acks", "all");
        List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
        try (YakProducer producer = new YakProducer(props)) {
            for (int i = 0; i < count; i++) {
                sent.add(producer.send(TOPIC, 0, null, (prefix + i).getBytes(UTF_8), System.currentTimeMillis()));
            }
            producer.flush();
        }
        for (int i = 0; i < count; i++) {
            ReadBack.acknowledge(acked, 0, sent.get(i).get(60, TimeUnit.SECONDS).offset(), prefix + i);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    record PublishAnswer(ErrorCode error, long baseOffset) {
    }

    /**
     * Publishes to one broker over a plain socket, one request at a time, whatever the cluster view says: a client
     * whose metadata still names the old leader.
     */
    private static final class RawPublisher implements AutoCloseable {
        private final Socket socket;
        private final DataInputStream in;
        private int correlationId;

        RawPublisher(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setSoTimeout(15_000);
            in = new DataInputStream(socket.getInputStream());
        }

        PublishAnswer publish(short acks, String prefix, int records) throws IOException {
            send(acks, prefix, records);
            return answer();
        }

        /** Sends one batch of {@code records} records to partition 0, acks as given, timeout 3 s. */
        void send(short acks, String prefix, int records) throws IOException {
            ByteBuf batch = Unpooled.buffer();
            RecordBatchBuilder b = new RecordBatchBuilder();
            long now = System.currentTimeMillis();
            b.begin(batch, now, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
                RecordBatchLayout.NO_SEQUENCE);
            for (int i = 0; i < records; i++) {
                b.append(now, null, (prefix + i).getBytes(UTF_8));
            }
            b.finish();
            ByteBuf out = Unpooled.buffer();
            FrameEncoder.encodeFully(Frame.of(++correlationId, new PublishRequest(TOPIC, 0, acks, 3000, batch)), out);
            batch.release();
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            out.release();
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        /** Reads the answer to the last request sent. */
        PublishAnswer answer() throws IOException {
            int length = in.readInt();
            assertThat(in.readShort()).as("response type").isEqualTo(MessageType.PUBLISH_RESPONSE.id());
            in.readShort();
            assertThat(in.readInt()).isEqualTo(correlationId);
            ErrorCode error = ErrorCode.of(in.readShort());
            in.readLong(); // cluster epoch
            long base = in.readLong();
            in.skipNBytes(length - 26);
            return new PublishAnswer(error, base);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
