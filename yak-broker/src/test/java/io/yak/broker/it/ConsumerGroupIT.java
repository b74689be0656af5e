package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: consumers with one {@code group.id} share a topic's partitions through the group coordinator, against a
 * real coordinator and broker in this JVM (and a real {@code yak-cli consume --group} process, killed with SIGKILL).
 */
class ConsumerGroupIT {
    private static final int PARTITIONS = 6;
    private static final int SESSION_TIMEOUT_MS = 6000;

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Map<String, ConcurrentLinkedQueue<GroupMember.Processed>> processed = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    /**
     * Three members get two partitions each; a fourth joins and partitions move without any record processed twice;
     * a fifth (a CLI process) joins and is killed with SIGKILL, and its partitions move within the session timeout;
     * every record produced is consumed.
     */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldShareRebalanceAndSurviveAKilledMember() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "shared");
        Steady producer = steady(cluster, "shared");
        List<GroupMember> members = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            members.add(member(cluster, "m" + i, "g", List.of("shared"), Map.of()));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (GroupMember m : members) {
                assertThat(m.assignment()).as(m.name).hasSize(2);
            }
            assertThat(union(members)).hasSize(PARTITIONS);
        });

        members.add(member(cluster, "m4", "g", List.of("shared"), Map.of()));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (GroupMember m : members) {
                assertThat(m.assignment()).as(m.name).isNotEmpty();
            }
            assertThat(union(members)).hasSize(PARTITIONS);
        });
        producer.awaitSent(3000);
        awaitConsumed(producer.sent());
        assertThat(duplicates()).as("records processed twice by committing members").isEmpty();

        Path out = dir.resolve("cli-member.out");
        Process cli = new ProcessBuilder(javaBin(), "-jar", BrokerProcess.projectRoot()
            .resolve("yak-client/target/yak-cli.jar").toString(), "consume", "--coordinator", cluster.bootstrap(),
            "--topic", "shared", "--group", "g", "--timeout-ms", "-1",
            "--consumer-property", "session.timeout.ms=" + SESSION_TIMEOUT_MS,
            "--consumer-property", "heartbeat.interval.ms=500")
            .redirectOutput(out.toFile()).redirectError(dir.resolve("cli-member.err").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> union(members).size() < PARTITIONS);
            await().atMost(Duration.ofSeconds(30)).until(() -> Files.size(out) > 0); // it consumes
        } finally {
            cli.destroyForcibly(); // SIGKILL: no leave, no commit
            cli.waitFor(10, TimeUnit.SECONDS);
        }
        long killed = System.nanoTime();
        await().atMost(Duration.ofMillis(SESSION_TIMEOUT_MS + 10_000)).until(() -> union(members).size() == PARTITIONS);
        long movedMs = (System.nanoTime() - killed) / 1_000_000;
        assertThat(movedMs).as("partitions of the killed member moved within the session timeout and a rebalance")
            .isLessThan(SESSION_TIMEOUT_MS + 10_000);

        producer.stop();
        Set<String> byCli = new HashSet<>(Files.readAllLines(out, UTF_8));
        awaitConsumed(producer.sent(), byCli);
        for (GroupMember m : members) {
            assertThat(m.errors).as("errors of %s", m.name).isEmpty();
        }
    }

    /** With cooperative-sticky, members keep consuming the partitions that do not move while a member joins. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepConsumingPartitionsThatDoNotMoveWithCooperativeRebalancing() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "coop");
        Steady producer = steady(cluster, "coop");
        Map<String, String> coop = Map.of("partition.assignment.strategy", "cooperative-sticky");
        GroupMember a = member(cluster, "a", "gc", List.of("coop"), coop);
        GroupMember b = member(cluster, "b", "gc", List.of("coop"), coop);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.assignment()).hasSize(3);
            assertThat(b.assignment()).hasSize(3);
        });
        Set<TopicPartition> aBefore = a.assignment();
        Set<TopicPartition> bBefore = b.assignment();
        int aCallsBefore = a.calls.size();
        int bCallsBefore = b.calls.size();

        GroupMember c = member(cluster, "c", "gc", List.of("coop"), coop);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(c.assignment()).hasSize(2);
            assertThat(a.assignment()).hasSize(2);
            assertThat(b.assignment()).hasSize(2);
        });
        for (GroupMember old : List.of(a, b)) {
            Set<TopicPartition> before = old == a ? aBefore : bBefore;
            List<GroupMember.Call> during = old.calls.subList(old == a ? aCallsBefore : bCallsBefore,
                old.calls.size());
            assertThat(during).as("calls of %s", old.name).extracting(GroupMember.Call::kind).doesNotContain("lost");
            Set<TopicPartition> revoked = during.stream().filter(k -> k.kind().equals("revoked"))
                .flatMap(k -> k.partitions().stream()).collect(Collectors.toSet());
            // only what moved is given up: the one partition c took from this member, never the ones it keeps
            assertThat(revoked).as("revoked from %s", old.name).hasSize(1).doesNotContainAnyElementsOf(old.assignment())
                .isSubsetOf(c.assignment());
            assertThat(before).containsAll(old.assignment());
            // partitions it keeps were never handed out again: no assignment call names them
            Set<TopicPartition> reassigned = during.stream().filter(k -> k.kind().equals("assigned"))
                .flatMap(k -> k.partitions().stream()).collect(Collectors.toSet());
            assertThat(reassigned).as("assigned again to %s", old.name).isEmpty();
        }
        producer.stop();
        awaitConsumed(producer.sent());
        assertThat(duplicates()).as("records processed twice").isEmpty();
    }

    /**
     * A member that stops polling for longer than {@code max.poll.interval.ms} leaves the group; its commit
     * afterwards is refused and moves no offset back.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseTheCommitOfAZombieMember() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "zombie");
        Steady producer = steady(cluster, "zombie");
        GroupMember zombie = member(cluster, "z", "gz", List.of("zombie"), Map.of("max.poll.interval.ms", "1500"));
        GroupMember alive = member(cluster, "alive", "gz", List.of("zombie"), Map.of());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(zombie.assignment()).hasSize(3);
            assertThat(alive.assignment()).hasSize(3);
        });
        Set<TopicPartition> zombies = zombie.assignment();
        zombie.pause();
        await().atMost(Duration.ofSeconds(20)).until(() -> alive.assignment().size() == PARTITIONS);
        producer.awaitSent(2000);
        awaitConsumed(producer.sent());
        zombie.stopPolling();
        Map<TopicPartition, Long> back = new LinkedHashMap<>();
        zombies.forEach(tp -> back.put(tp, 0L));
        zombie.withConsumer(c -> {
            try {
                c.commitSync(back);
                throw new AssertionError("the zombie's commit was accepted");
            } catch (YakException e) {
                assertThat(e.errorCode()).isIn(ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.ILLEGAL_GENERATION);
            }
        });
        try (YakConsumer reader = new YakConsumer(props(cluster, "gz", Map.of()))) {
            Map<TopicPartition, Long> committed = reader.committed(zombies);
            assertThat(committed).hasSize(zombies.size());
            assertThat(committed.values()).as("offsets the zombie tried to move back").allMatch(o -> o > 0);
        }
        producer.stop();
    }

    /** After a coordinator restart the committed offsets are there and the members rejoin and go on. */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldKeepOffsetsAndRejoinAcrossACoordinatorRestart() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "restart");
        Steady producer = steady(cluster, "restart");
        GroupMember a = member(cluster, "a", "gr", List.of("restart"), Map.of());
        GroupMember b = member(cluster, "b", "gr", List.of("restart"), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> union(List.of(a, b)).size() == PARTITIONS);
        producer.awaitSent(2000);
        awaitConsumed(producer.sent());
        Map<TopicPartition, Long> before;
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(new TopicPartition("restart", p));
        }
        producer.pause();
        awaitConsumed(producer.sent());
        try (YakConsumer reader = new YakConsumer(props(cluster, "gr", Map.of()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> reader.committed(all).size() == PARTITIONS);
            before = reader.committed(all);
        }
        cluster.stopCoordinator();
        cluster.startCoordinator();
        try (YakConsumer reader = new YakConsumer(props(cluster, "gr", Map.of()))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(reader.committed(all))
                .as("committed offsets after the restart").containsAllEntriesOf(before));
        }
        producer.resume();
        await().atMost(Duration.ofSeconds(40)).until(() -> a.calls.stream().anyMatch(k -> k.kind().equals("lost"))
            || a.calls.stream().filter(k -> k.kind().equals("assigned")).count() > 1);
        await().atMost(Duration.ofSeconds(40)).until(() -> union(List.of(a, b)).size() == PARTITIONS);
        producer.awaitSent(producer.sent() + 1000);
        producer.stop();
        awaitConsumed(producer.sent());
    }

    /** A static member restarted within its session timeout gets its partitions back without a rebalance. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldGiveARestartedStaticMemberItsPartitionsWithoutARebalance() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "static");
        GroupMember a = member(cluster, "a", "gs", List.of("static"), Map.of("group.instance.id", "a"));
        GroupMember b = member(cluster, "b", "gs", List.of("static"), Map.of("group.instance.id", "b"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.assignment()).hasSize(3);
            assertThat(b.assignment()).hasSize(3);
        });
        Set<TopicPartition> aOwned = a.assignment();
        int bCalls = b.calls.size();
        toClose.remove(a);
        a.close(); // a static member does not leave: its place waits for it for the session timeout
        GroupMember again = member(cluster, "a-again", "gs", List.of("static"), Map.of("group.instance.id", "a"));
        await().atMost(Duration.ofSeconds(20)).until(() -> again.assignment().equals(aOwned));
        Thread.sleep(1000);
        assertThat(b.calls.subList(bCalls, b.calls.size())).as("b saw no rebalance").isEmpty();
        assertThat(b.assignment()).hasSize(3);
    }

    /**
     * Two live consumers with one group.instance.id: the newer takes the place, the older is fenced for good (its
     * polls throw FENCED_INSTANCE_ID, its partitions are lost) instead of taking the place back.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldFenceTheOlderOfTwoConsumersWithOneInstanceId() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "fenced");
        GroupMember old = member(cluster, "old", "gf", List.of("fenced"), Map.of("group.instance.id", "x"));
        await().atMost(Duration.ofSeconds(30)).until(() -> old.assignment().size() == PARTITIONS);
        GroupMember newer = member(cluster, "newer", "gf", List.of("fenced"), Map.of("group.instance.id", "x"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(newer.assignment()).hasSize(PARTITIONS);
            assertThat(old.assignment()).isEmpty();
            assertThat(old.errors).anySatisfy(e -> assertThat(e).isInstanceOf(YakException.class)
                .extracting(x -> ((YakException) x).errorCode()).isEqualTo(ErrorCode.FENCED_INSTANCE_ID));
        });
        assertThat(old.calls).extracting(GroupMember.Call::kind).contains("lost");
        Thread.sleep(2000);
        assertThat(newer.assignment()).as("the fenced one did not take the place back").hasSize(PARTITIONS);
        assertThat(newer.errors).isEmpty();
    }

    /** A listener that throws during a rebalance does not stop its member from rejoining and getting partitions. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRejoinAfterAListenerThrowsDuringARebalance() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "throws");
        GroupMember a = member(cluster, "a", "gt", List.of("throws"), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> a.assignment().size() == PARTITIONS);
        a.failNextRevoke = true;
        GroupMember b = member(cluster, "b", "gt", List.of("throws"), Map.of());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(a.assignment()).hasSize(3);
            assertThat(b.assignment()).hasSize(3);
        });
        assertThat(a.errors).anySatisfy(e -> assertThat(e).hasMessageContaining("listener of a fails"));
    }

    /** A consumer closed while its first join is in flight leaves, so the group does not wait a session for it. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldNotWaitForAConsumerClosedDuringItsFirstJoin() throws Exception {
        TestCluster cluster = cluster();
        create(cluster, "brief");
        try (YakConsumer brief = new YakConsumer(props(cluster, "gb", Map.of()))) {
            brief.subscribe(List.of("brief"));
            brief.poll(Duration.ofMillis(20)); // sends its join; the group's initial delay has not passed
        }
        long start = System.nanoTime();
        GroupMember m = member(cluster, "m", "gb", List.of("brief"), Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> m.assignment().size() == PARTITIONS);
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the remaining member had every partition")
            .isLessThan(SESSION_TIMEOUT_MS);
    }

    /** A pattern subscription picks up topics created later. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldFollowTopicsMatchingAPattern() throws Exception {
        TestCluster cluster = cluster();
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic("pat-1", 2);
            admin.createTopic("other", 2);
            GroupMember m = member(cluster, "m", "gp", Pattern.compile("pat-.*"), Map.of());
            await().atMost(Duration.ofSeconds(30)).until(() -> m.assignment().size() == 2);
            admin.createTopic("pat-2", 3);
            await().atMost(Duration.ofSeconds(30)).until(() -> m.assignment().size() == 5);
            assertThat(m.assignment()).extracting(TopicPartition::topic).containsOnly("pat-1", "pat-2");
        }
    }

    // ---------------------------------------------------------------- helpers

    private TestCluster cluster() throws Exception {
        TestCluster c = new TestCluster(dir, 1, 1 << 20);
        toClose.add(c);
        return c;
    }

    private static void create(TestCluster cluster, String topic) {
        try (YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            admin.createTopic(topic, PARTITIONS);
        }
    }

    private Properties props(TestCluster cluster, String group, Map<String, String> extra) {
        Properties p = new Properties();
        p.setProperty("coordinator", cluster.bootstrap());
        p.setProperty("group.id", group);
        p.setProperty("auto.offset.reset", "earliest");
        p.setProperty("enable.auto.commit", "false");
        p.setProperty("session.timeout.ms", Integer.toString(SESSION_TIMEOUT_MS));
        p.setProperty("heartbeat.interval.ms", "500");
        p.setProperty("max.poll.interval.ms", "20000");
        p.setProperty("max.poll.records", "50");
        extra.forEach(p::setProperty);
        return p;
    }

    private GroupMember member(TestCluster cluster, String name, String group, Object topics,
                               Map<String, String> extra) {
        GroupMember m = new GroupMember(name, props(cluster, group, extra), topics, processed);
        toClose.add(m);
        return m;
    }

    private static Set<TopicPartition> union(List<GroupMember> members) {
        Set<TopicPartition> all = new HashSet<>();
        for (GroupMember m : members) {
            all.addAll(m.assignment());
        }
        return all;
    }

    private Map<String, List<String>> duplicates() {
        Map<String, List<String>> dup = new LinkedHashMap<>();
        processed.forEach((v, q) -> {
            if (q.size() > 1) {
                dup.put(v, q.stream().map(GroupMember.Processed::member).toList());
            }
        });
        return dup;
    }

    private void awaitConsumed(int sent) {
        awaitConsumed(sent, Set.of());
    }

    /** Every value "v-0" .. "v-(sent-1)" was processed by a member (or printed by {@code elsewhere}). */
    private void awaitConsumed(int sent, Set<String> elsewhere) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < sent && missing.size() < 10; i++) {
                String v = "v-" + i;
                if (!processed.containsKey(v) && !elsewhere.contains(v)) {
                    missing.add(v);
                }
            }
            assertThat(missing).as("records not consumed").isEmpty();
        });
    }

    private Steady steady(TestCluster cluster, String topic) {
        Steady s = new Steady(cluster.bootstrap(), topic);
        toClose.add(s);
        return s;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Produces "v-0", "v-1", ... with acks=all at a steady few hundred records a second until stopped. */
    private static final class Steady implements AutoCloseable {
        private final YakProducer producer;
        private final Thread thread;
        private final AtomicInteger sent = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private volatile boolean paused;
        private final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();

        Steady(String bootstrap, String topic) {
            Properties p = new Properties();
            p.setProperty("coordinator", bootstrap);
            p.setProperty("acks", "all");
            producer = new YakProducer(p);
            thread = new Thread(() -> {
                try {
                    while (running.get()) {
                        if (paused) {
                            Thread.sleep(5);
                            continue;
                        }
                        int n = sent.get();
                        producer.send(topic, null, ("v-" + n).getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
                        sent.incrementAndGet();
                        if (n % 10 == 0) {
                            Thread.sleep(5);
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    errors.add(e);
                }
            }, "steady-producer");
            thread.start();
        }

        int sent() {
            return sent.get();
        }

        void awaitSent(int n) {
            await().atMost(Duration.ofSeconds(60)).until(() -> sent.get() >= n || !errors.isEmpty());
            assertThat(errors).isEmpty();
        }

        void pause() throws InterruptedException {
            paused = true;
            Thread.sleep(100);
        }

        void resume() {
            paused = false;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            assertThat(errors).isEmpty();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
            producer.close();
        }
    }
}
