package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, scenario 7: the coordinator restarts while a producer writes steadily with acks=all to a topic with
 * replication factor 3 and {@code min.insync.replicas} 2. It is down for longer than {@code heartbeat.timeout.ms}, and
 * comes back to its persisted leaders, ISRs and epochs: no partition changes leader or leader epoch, no broker is
 * declared dead for the heartbeats it missed, records keep being acknowledged while it is down, and no publish fails.
 * Every acknowledged record is then read back at its offset.
 */
class CoordinatorRestartIT {
    private static final String TOPIC = "steady";
    private static final int PARTITIONS = 3;
    private static final int IN_FLIGHT = 200;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldChangeNoLeaderAndFailNoPublishAcrossACoordinatorRestart() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 3, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(TOPIC, PARTITIONS, 3, Map.of(TopicConfigs.MIN_INSYNC_REPLICAS, "2"));
            List<PartitionInfo> before = admin.describeTopic(TOPIC).partitions();

            Map<Integer, ConcurrentSkipListMap<Long, String>> acked = new ConcurrentHashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                acked.put(p, new ConcurrentSkipListMap<>());
            }
            AtomicInteger ackCount = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            AtomicBoolean running = new AtomicBoolean(true);
            Properties props = new Properties();
            props.setProperty("coordinator", cluster.bootstrap());
            props.setProperty("acks", "all");
            props.setProperty("linger.ms", "2");
            Semaphore inFlight = new Semaphore(IN_FLIGHT); // steady, not flat out
            try (YakProducer producer = new YakProducer(props)) {
                Thread writer = new Thread(() -> {
                    for (int i = 0; running.get(); i++) {
                        String value = "steady-" + i;
                        inFlight.acquireUninterruptibly();
                        producer.send(TOPIC, ("k" + i).getBytes(UTF_8), value.getBytes(UTF_8))
                            .whenComplete((md, e) -> {
                                inFlight.release();
                                if (e == null) {
                                    try {
                                        ReadBack.acknowledge(acked.get(md.partition()), md.partition(), md.offset(),
                                            value);
                                    } catch (AssertionError twice) {
                                        failures.add(twice);
                                    }
                                    ackCount.incrementAndGet();
                                } else {
                                    failures.add(e);
                                }
                            });
                    }
                }, "steady-writer");
                writer.start();
                try {
                    await().atMost(Duration.ofSeconds(30)).until(() -> ackCount.get() >= 5000);
                    for (int restart = 0; restart < 2; restart++) {
                        cluster.stopCoordinator();
                        int atStop = ackCount.get();
                        long downMs = 2 * TestCluster.HEARTBEAT_TIMEOUT_MS + 500;
                        Thread.sleep(downMs);
                        assertThat(ackCount.get()).as("acks=all publishes acknowledged while the coordinator is down")
                            .isGreaterThan(atStop + 100);
                        cluster.startCoordinator();
                        System.out.println("CoordinatorRestartIT: coordinator down " + downMs + " ms, "
                            + (ackCount.get() - atStop) + " records acknowledged meanwhile");
                        int atStart = ackCount.get();
                        // a whole heartbeat timeout after its start: any broker it would declare dead is dead by now
                        Thread.sleep(2 * TestCluster.HEARTBEAT_TIMEOUT_MS);
                        assertThat(ackCount.get()).isGreaterThan(atStart + 100);
                        for (BrokerInfo b : cluster.coordinator().metadata().brokers()) {
                            assertThat(b.alive()).as("broker %d alive after the restart", b.id()).isTrue();
                        }
                    }
                } finally {
                    running.set(false);
                    writer.join();
                }
                producer.flush();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.availablePermits() == IN_FLIGHT);
            assertThat(failures).as("failed publishes").isEmpty();

            List<PartitionInfo> after = admin.describeTopic(TOPIC).partitions();
            for (int p = 0; p < PARTITIONS; p++) {
                PartitionInfo b = before.get(p);
                PartitionInfo a = after.get(p);
                assertThat(a.leader()).as("partition %d leader", p).isEqualTo(b.leader());
                assertThat(a.leaderEpoch()).as("partition %d leader epoch", p).isEqualTo(b.leaderEpoch());
                assertThat(a.isr()).as("partition %d isr", p).containsExactlyElementsOf(b.isr());
            }
            Map<Integer, Map<Long, String>> expected = new HashMap<>(acked);
            int found = ReadBack.assertAcknowledgedReadBack(ReadBack.readAll(cluster.bootstrap(), TOPIC, PARTITIONS),
                expected);
            assertThat(found).isEqualTo(ackCount.get());
            System.out.println("CoordinatorRestartIT: " + found + " acknowledged records read back; leaders "
                + new ArrayList<>(after.stream().map(PartitionInfo::leader).toList()));
        }
    }
}
