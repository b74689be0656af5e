package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.ConsumerRecord;
import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.PartitionInfo;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, scenario 4, "last replica standing": replication factor 3, {@code min.insync.replicas} 2. Both followers
 * stop cleanly while a producer writes with acks=all, so the ISR shrinks to the leader alone and every later acks=all
 * publish is refused ({@code NOT_ENOUGH_REPLICAS}); the follower that stopped last left an ISR of 1, below
 * {@code min.insync.replicas}, so it is an eligible leader (Kafka's KIP-966). The leader then takes acks=1 records
 * alone and crashes, and its active segment loses a random part of its unflushed tail (cut short or zeroed: a power
 * loss without fsync), above the high watermark or, in the second test, below it too. It returns after that unclean
 * shutdown and is no longer a candidate: the partition waits for the eligible follower, which leads once it is back;
 * the old leader truncates to it and catches up, and every record acknowledged with acks=all is read back at its
 * offset (the acks=1 records only the old leader had are gone, as in Kafka). The three replicas end byte-identical.
 *
 * <p>Random choices (where the tail is cut, cut or zeroed) print their seed; replay with {@code -Dyak.it.seed=N}.
 */
class LastReplicaStandingIT {
    private static final String TOPIC = "standing";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldLoseNoAcksAllRecordWhenTheLastInSyncReplicaLosesItsUnflushedTail() throws Exception {
        run(false);
    }

    /**
     * The same, but the power loss also takes records that were acknowledged while the ISR still had 2 members, from
     * the unflushed tail of the leader: the follower that stopped last holds them. It left an ISR of 1, below
     * {@code min.insync.replicas}, so it is an eligible leader (Kafka's KIP-966), and the leader, back after an
     * unclean shutdown, is no longer a candidate while it is: the partition waits for that follower, which leads, and
     * nothing acknowledged is lost. Kafka before KIP-966 elected the leader with its shorter log and lost them.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldLoseNoAcksAllRecordWhenThePowerLossTakesAcknowledgedRecordsFromTheLastInSyncReplica()
            throws Exception {
        run(true);
    }

    /** @param cutAcknowledged whether the cut reaches below the high watermark, into acknowledged records */
    private void run(boolean cutAcknowledged) throws Exception {
        long seed = Long.getLong("yak.it.seed", System.nanoTime());
        System.out.println("LastReplicaStandingIT seed " + seed + " (replay: -Dyak.it.seed=" + seed + ")");
        Random random = new Random(seed);
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(TOPIC, 1, 3, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
            PartitionInfo initial = admin.describeTopic(TOPIC).partition(0);
            int leader = initial.leader();
            List<Integer> followers = initial.replicas().stream().filter(b -> b != leader).toList();

            ConcurrentSkipListMap<Long, String> acked = new ConcurrentSkipListMap<>();
            Map<ErrorCode, AtomicInteger> refused = new EnumMap<>(ErrorCode.class);
            for (ErrorCode c : ErrorCode.values()) {
                refused.put(c, new AtomicInteger());
            }
            AtomicInteger ackedTwice = new AtomicInteger();
            AtomicBoolean running = new AtomicBoolean(true);
            try (YakProducer producer = new YakProducer(producerProps(cluster.bootstrap(), "all", 0))) {
                Semaphore inFlight = new Semaphore(500);
                Thread writer = new Thread(() -> {
                    for (int i = 0; running.get(); i++) {
                        String value = "all-" + i;
                        inFlight.acquireUninterruptibly();
                        producer.send(TOPIC, 0, key(i), value.getBytes(UTF_8), System.currentTimeMillis())
                            .whenComplete((md, e) -> {
                                inFlight.release();
                                if (e == null) {
                                    if (acked.putIfAbsent(md.offset(), value) != null) {
                                        ackedTwice.incrementAndGet();
                                    }
                                } else {
                                    refused.get(errorCode(e)).incrementAndGet();
                                }
                            });
                    }
                }, "standing-writer");
                writer.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 2000);
                cluster.stop(followers.get(0));
                int before = acked.size();
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= before + 2000);
                cluster.stop(followers.get(1));
                await().atMost(Duration.ofSeconds(30))
                    .until(() -> refused.get(ErrorCode.NOT_ENOUGH_REPLICAS).get() >= 100);
                running.set(false);
                writer.join();
                producer.flush();
            }
            System.out.println("LastReplicaStandingIT: " + acked.size() + " acks=all records acknowledged, refused: "
                + refused.entrySet().stream().filter(e -> e.getValue().get() > 0).toList());

            assertThat(ackedTwice).as("offsets acknowledged twice").hasValue(0);
            PartitionInfo alone = admin.describeTopic(TOPIC).partition(0);
            assertThat(alone.leader()).isEqualTo(leader);
            assertThat(alone.isr()).as("the leader is the last replica standing").containsExactly(leader);
            long highWatermark = admin.highWatermarks(TOPIC).get(0);
            assertThat(acked.lastKey()).as("nothing acknowledged at or above the high watermark")
                .isLessThan(highWatermark);

            // acks=1 still appends on the lone leader: that is the tail the power loss may take
            Map<Long, String> ackedOne = new ConcurrentSkipListMap<>();
            try (YakProducer producer = new YakProducer(producerProps(cluster.bootstrap(), "1", 0))) {
                List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    sent.add(producer.send(TOPIC, 0, key(i), ("one-" + i).getBytes(UTF_8), System.currentTimeMillis()));
                    if (i % 20 == 19) {
                        producer.flush(); // several batches, so the cut can fall between and inside them
                    }
                }
                for (int i = 0; i < sent.size(); i++) {
                    ackedOne.put(sent.get(i).get(30, TimeUnit.SECONDS).offset(), "one-" + i);
                }
            }
            assertThat(admin.highWatermarks(TOPIC).get(0)).as("the ISR is below 2: the high watermark stays")
                .isEqualTo(highWatermark);

            cluster.halt(leader);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                PartitionInfo p = admin.describeTopic(TOPIC).partition(0);
                assertThat(p.leader()).as("offline: no other replica may lead").isEqualTo(PartitionInfo.NO_LEADER);
                assertThat(p.isr()).containsExactly(leader);
            });
            long cutFrom = cutUnflushedTail(cluster.root().resolve("broker-" + leader).resolve(TOPIC + "-0"),
                cutAcknowledged ? acked.lastKey() : highWatermark, cutAcknowledged, random);

            int eligible = followers.get(1);
            cluster.restart(leader);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                PartitionInfo p = admin.describeTopic(TOPIC).partition(0);
                assertThat(p.leader()).as("back after an unclean shutdown: no longer a candidate")
                    .isEqualTo(PartitionInfo.NO_LEADER);
                assertThat(p.isr()).isEmpty();
                assertThat(p.eligibleLeaders()).as("the follower that stopped last").containsExactly(eligible);
            });
            for (int f : followers) {
                cluster.restart(f);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                PartitionInfo p = admin.describeTopic(TOPIC).partition(0);
                assertThat(p.leader()).as("the eligible leader leads").isEqualTo(eligible);
                assertThat(p.leaderEpoch()).isGreaterThan(alone.leaderEpoch());
                assertThat(p.isr()).hasSize(3);
            });
            try (YakProducer producer = new YakProducer(producerProps(cluster.bootstrap(), "all", 10))) {
                List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    sent.add(producer.send(TOPIC, 0, key(i), ("after-" + i).getBytes(UTF_8),
                        System.currentTimeMillis()));
                }
                for (int i = 0; i < sent.size(); i++) {
                    ReadBack.acknowledge(acked, 0, sent.get(i).get(30, TimeUnit.SECONDS).offset(), "after-" + i);
                }
            }

            List<ConsumerRecord> read = ReadBack.readAll(cluster.bootstrap(), TOPIC, 1).get(0);
            int found = ReadBack.assertAcknowledgedReadBack(Map.of(0, read), Map.of(0, acked));
            assertThat(found).isEqualTo(acked.size());
            for (Map.Entry<Long, String> e : ackedOne.entrySet()) {
                assertThat(new String(read.get((int) (long) e.getKey()).value(), UTF_8))
                    .as("acks=1 record only the old leader had, offset %d", e.getKey()).isNotEqualTo(e.getValue());
            }
            System.out.println("LastReplicaStandingIT: the cut took offsets from " + cutFrom + " on");
            long endHighWatermark = admin.highWatermarks(TOPIC).get(0);
            for (int b = 1; b <= 3; b++) {
                cluster.stop(b);
            }
            assertReplicasIdentical(cluster.root(), TOPIC + "-0", endHighWatermark);
        }
    }

    /**
     * Cuts the leader's active segment somewhere after the start of the batch holding offset {@code from} (the high
     * watermark: the first record not committed): either the file is cut short there, or the bytes from there to the
     * end of the last batch are zeroed (an unwritten page). With {@code inFirstBatch} the cut falls inside the batch
     * holding {@code from}.
     *
     * @return the base offset of the batch the cut falls in: records from it on are gone
     */
    private static long cutUnflushedTail(Path partitionDir, long from, boolean inFirstBatch, Random random)
            throws Exception {
        Path segment = PartitionFiles.newestSegment(partitionDir);
        List<PartitionFiles.Batch> batches = PartitionFiles.batchesOf(segment);
        PartitionFiles.Batch first = batches.stream().filter(b -> b.lastOffset() >= from).findFirst()
            .orElseThrow(() -> new AssertionError("no batch holds offset " + from + " in " + segment));
        PartitionFiles.Batch last = batches.get(batches.size() - 1);
        int cut = first.position() + random.nextInt((inFirstBatch ? first.end() : last.end()) - first.position());
        PartitionFiles.Batch torn = batches.stream().filter(b -> b.position() <= cut && cut < b.end()).findFirst()
            .orElseThrow();
        boolean zero = random.nextBoolean();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            if (zero) {
                ch.write(ByteBuffer.allocate(last.end() - cut), cut);
            } else {
                ch.truncate(cut);
            }
        }
        System.out.println("LastReplicaStandingIT: " + (zero ? "zeroed" : "cut") + " " + segment + " from position "
            + cut + " to " + last.end() + ", inside " + torn + "; records from offset " + from + " on may go");
        return torn.baseOffset();
    }

    /** Below the high watermark, every replica holds the same batches, byte for byte (read after a clean stop). */
    static void assertReplicasIdentical(Path root, String partition, long highWatermark) throws Exception {
        List<PartitionFiles.Batch> reference = null;
        for (int b = 1; b <= 3; b++) {
            Path partitionDir = root.resolve("broker-" + b).resolve(partition);
            List<PartitionFiles.Batch> all = PartitionFiles.batches(partitionDir);
            assertThat(all.isEmpty() ? 0 : all.get(all.size() - 1).lastOffset() + 1)
                .as("log end of %s on broker %d", partition, b).isGreaterThanOrEqualTo(highWatermark);
            List<PartitionFiles.Batch> below = PartitionFiles.below(all, highWatermark);
            if (reference == null) {
                reference = below;
            } else {
                assertThat(below).as("%s on broker %d below the high watermark %d", partition, b, highWatermark)
                    .containsExactlyElementsOf(reference);
            }
        }
        System.out.println(partition + ": " + reference.size() + " batches (" + reference.stream()
            .mapToLong(x -> x.bytes().length).sum() + " bytes) identical on the 3 replicas below the high watermark "
            + highWatermark);
    }

    private static Properties producerProps(String bootstrap, String acks, int retries) {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("acks", acks);
        p.setProperty("retries", Integer.toString(retries));
        p.setProperty("linger.ms", "1");
        p.setProperty("request.timeout.ms", "5000");
        p.setProperty("delivery.timeout.ms", "20000");
        return p;
    }

    private static ErrorCode errorCode(Throwable e) {
        Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof YakException ye ? ye.errorCode() : ErrorCode.UNKNOWN_SERVER_ERROR;
    }

    private static byte[] key(int i) {
        return ("k" + (i % 101)).getBytes(UTF_8);
    }
}
