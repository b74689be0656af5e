package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.netty.buffer.Unpooled;
import io.yak.coordinator.net.RequestProcessor;
import io.yak.coordinator.store.CorruptStateException;
import io.yak.coordinator.store.StateStore;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrRequest;
import io.yak.wire.message.AlterIsrResponse;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.message.RegisterConsumerRequest;
import io.yak.wire.message.RegisterConsumerResponse;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.testing.CapturedLogs;
import io.yak.wire.testing.ManualClock;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A real coordinator on 127.0.0.1, port 0, with a temp data.dir, driven by wire-level test clients. */
@Timeout(60)
class CoordinatorServerIT {
    private static final long HEARTBEAT_TIMEOUT_MS = 300;
    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dataDir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private CoordinatorConfig config(long heartbeatTimeoutMs) {
        return new CoordinatorConfig(new HostPort("127.0.0.1", 0), dataDir, heartbeatTimeoutMs, true, 3,
            FrameLayout.DEFAULT_MAX_FRAME_BYTES);
    }

    private CoordinatorServer start(CoordinatorServer server) {
        resources.add(server);
        server.start();
        return server;
    }

    private CoordinatorServer start() {
        return start(new CoordinatorServer(config(HEARTBEAT_TIMEOUT_MS)));
    }

    private WireTestClient connect(CoordinatorServer server) {
        WireTestClient c = WireTestClient.connect(server.address());
        resources.add(c);
        return c;
    }

    /** Registers and, when accepted, heartbeats once, as a real broker does at once: only then may it get topics. */
    static RegisterBrokerResponse registerBroker(WireTestClient c, int id) {
        return registerBroker(c, id, System.nanoTime());
    }

    /** {@link #registerBroker(WireTestClient, int)} as the process of that incarnation. */
    static RegisterBrokerResponse registerBroker(WireTestClient c, int id, long incarnationId) {
        RegisterBrokerResponse r = c.request(new RegisterBrokerRequest(id, "127.0.0.1", 9000 + id, incarnationId, true),
            RegisterBrokerResponse.class);
        if (r.error() == ErrorCode.NONE) {
            c.request(new HeartbeatRequest(id), HeartbeatResponse.class);
        }
        return r;
    }

    /** Heartbeats from the client's event loop every 50 ms until cancelled. */
    static ScheduledFuture<?> keepAlive(WireTestClient c, int brokerId) {
        return c.channel().eventLoop().scheduleAtFixedRate(
            () -> c.channel().writeAndFlush(Frame.of(1, new HeartbeatRequest(brokerId))), 0, 50, TimeUnit.MILLISECONDS);
    }

    @Test
    void shouldRegisterBrokerAndAnswerWithMetadata() {
        CoordinatorServer server = start();
        assertThat(server.address().getPort()).isPositive();
        WireTestClient broker = connect(server);

        RegisterBrokerResponse r = registerBroker(broker, 1);

        assertThat(r.error()).isEqualTo(ErrorCode.NONE);
        assertThat(r.metadata().broker(1).alive()).isTrue();
        assertThat(r.metadata().broker(1).address()).isEqualTo("127.0.0.1:9001");
        assertThat(r.metadata().epoch()).isEqualTo(1);
        assertThat(server.metadata()).isEqualTo(r.metadata());
        HeartbeatResponse hb = broker.request(new HeartbeatRequest(1), HeartbeatResponse.class);
        assertThat(hb).isEqualTo(new HeartbeatResponse(ErrorCode.NONE, 1));
        HeartbeatResponse unknown = broker.request(new HeartbeatRequest(42), HeartbeatResponse.class);
        assertThat(unknown.error()).isEqualTo(ErrorCode.UNKNOWN_BROKER);
    }

    @Test
    void shouldRejectSecondBrokerWithSameIdFromAnotherAddress() {
        CoordinatorServer server = start();
        WireTestClient first = connect(server);
        keepAlive(first, 1);
        registerBroker(first, 1);
        WireTestClient second = connect(server);

        RegisterBrokerResponse r = second.request(new RegisterBrokerRequest(1, "127.0.0.2", 9999, System.nanoTime(), true),
            RegisterBrokerResponse.class);

        assertThat(r.error()).isEqualTo(ErrorCode.BROKER_ID_IN_USE);
        assertThat(r.metadata().broker(1).address()).isEqualTo("127.0.0.1:9001");
    }

    @Test
    void shouldPushLeaderInfoToRegisteredConsumerWhenTopicIsCreated() {
        CoordinatorServer server = start();
        WireTestClient broker = connect(server);
        keepAlive(broker, 1);
        registerBroker(broker, 1);
        WireTestClient consumer = connect(server);
        RegisterConsumerResponse registered = consumer.request(new RegisterConsumerRequest("c-1", "g"),
            RegisterConsumerResponse.class);
        assertThat(registered.error()).isEqualTo(ErrorCode.NONE);
        WireTestClient admin = connect(server);

        CreateTopicResponse created = admin.request(new CreateTopicRequest("orders", 3), CreateTopicResponse.class);

        assertThat(created.error()).isEqualTo(ErrorCode.NONE);
        assertThat(created.metadata().topic("orders").partitionCount()).isEqualTo(3);
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> md.topic("orders") != null));
        ClusterMetadata pushed = consumer.pushes().get(consumer.pushes().size() - 1);
        assertThat(pushed).isEqualTo(created.metadata());
        assertThat(pushed.topic("orders").partitions()).allSatisfy(p -> assertThat(p.leader()).isEqualTo(1));
        await().atMost(AWAIT).until(() -> broker.receivedPush(md -> md.topic("orders") != null));
        assertThat(admin.pushes()).as("unregistered connections get no pushes").isEmpty();

        CreateTopicResponse again = admin.request(new CreateTopicRequest("orders", 3), CreateTopicResponse.class);
        assertThat(again.error()).isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS);
        CreateTopicResponse bad = admin.request(new CreateTopicRequest("bad name", 3), CreateTopicResponse.class);
        assertThat(bad.error()).isEqualTo(ErrorCode.INVALID_TOPIC);
        assertThat(bad.message()).contains("bad name");
    }

    @Test
    void shouldDeclareSilentBrokerDeadAndTellEveryRegisteredConnection() {
        CoordinatorServer server = start();
        WireTestClient broker1 = connect(server);
        WireTestClient broker2 = connect(server);
        keepAlive(broker1, 1);
        ScheduledFuture<?> beats2 = keepAlive(broker2, 2);
        registerBroker(broker1, 1);
        registerBroker(broker2, 2);
        WireTestClient producer = connect(server);
        WireTestClient consumer = connect(server);
        RegisterProducerResponse p = producer.request(new RegisterProducerRequest("p-1"),
            RegisterProducerResponse.class);
        assertThat(p.producerId()).isPositive();
        consumer.request(new RegisterConsumerRequest("c-1", null), RegisterConsumerResponse.class);
        CreateTopicResponse created = consumer.request(new CreateTopicRequest("events", 4),
            CreateTopicResponse.class);
        long epochBefore = created.metadata().epoch();
        assertThat(created.metadata().topic("events").partitions()).extracting(PartitionInfo::leader)
            .containsExactly(1, 2, 1, 2);

        beats2.cancel(false);

        for (WireTestClient c : List.of(broker1, broker2, producer, consumer)) {
            await().atMost(AWAIT).until(() -> c.receivedPush(CoordinatorServerIT::broker2Dead));
            ClusterMetadata md = c.pushes().stream().filter(CoordinatorServerIT::broker2Dead).findFirst()
                .orElseThrow();
            assertThat(md.epoch()).isEqualTo(epochBefore + 1);
            assertThat(md.broker(1).alive()).isTrue();
            TopicInfo events = md.topic("events");
            assertThat(events.partitions()).extracting(PartitionInfo::leader).containsExactly(1, -1, 1, -1);
            assertThat(events.partitions()).extracting(PartitionInfo::leaderEpoch).containsOnly(0);
        }
        assertThat(server.metadata().epoch()).isEqualTo(epochBefore + 1);
        assertThat(broker2.isOpen()).isTrue();

        HeartbeatResponse hb = broker2.request(new HeartbeatRequest(2), HeartbeatResponse.class);
        assertThat(hb.error()).isEqualTo(ErrorCode.UNKNOWN_BROKER);
        keepAlive(broker2, 2);
        RegisterBrokerResponse back = registerBroker(broker2, 2);
        assertThat(back.error()).isEqualTo(ErrorCode.NONE);
        assertThat(back.metadata().epoch()).isEqualTo(epochBefore + 2);
        assertThat(back.metadata().topic("events").partitions()).extracting(PartitionInfo::leaderEpoch)
            .containsExactly(0, 1, 0, 1);
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> md.epoch() == epochBefore + 2
            && md.topic("events").partitions().stream().allMatch(PartitionInfo::online)));
    }

    private static boolean broker2Dead(ClusterMetadata md) {
        return md.broker(2) != null && !md.broker(2).alive();
    }

    @Test
    void shouldDeclareDeadDeterministicallyWithManualClock() {
        ManualClock clock = new ManualClock(1_000_000);
        CoordinatorServer server = start(new CoordinatorServer(config(1000), clock));
        WireTestClient broker = connect(server);
        registerBroker(broker, 7);
        WireTestClient consumer = connect(server);
        consumer.request(new RegisterConsumerRequest("c", "g"), RegisterConsumerResponse.class);

        clock.advance(1000);
        server.checkLiveness();
        assertThat(server.metadata().broker(7).alive()).isTrue();
        clock.advance(1);
        server.checkLiveness();

        assertThat(server.metadata().broker(7).alive()).isFalse();
        assertThat(server.checkLiveness()).isFalse();
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> !md.broker(7).alive()));
    }

    @Test
    void shouldTakeAPartitionItsLiveBrokerCannotServeOfflineTellEveryoneAndPersistTheNewTerm() {
        ManualClock clock = new ManualClock(1_000_000); // never advanced: nobody is declared dead
        CoordinatorServer first = start(new CoordinatorServer(config(1000), clock));
        WireTestClient broker = connect(first);
        registerBroker(broker, 1);
        WireTestClient consumer = connect(first);
        consumer.request(new RegisterConsumerRequest("c", null), RegisterConsumerResponse.class);
        consumer.request(new CreateTopicRequest("events", 3), CreateTopicResponse.class);
        long epoch = first.metadata().epoch();
        List<PartitionRef> damaged = List.of(new PartitionRef("events", 1));

        HeartbeatResponse hb = broker.request(new HeartbeatRequest(1, damaged), HeartbeatResponse.class);

        assertThat(hb).isEqualTo(new HeartbeatResponse(ErrorCode.NONE, epoch + 1));
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> md.epoch() == epoch + 1));
        ClusterMetadata pushed = consumer.pushes().get(consumer.pushes().size() - 1);
        assertThat(pushed).isEqualTo(first.metadata());
        assertThat(pushed.broker(1).alive()).isTrue();
        assertThat(pushed.topic("events").partitions()).extracting(PartitionInfo::leader).containsExactly(1, -1, 1);
        assertThat(broker.request(new HeartbeatRequest(1, damaged), HeartbeatResponse.class).epoch())
            .as("the same list again changes nothing").isEqualTo(epoch + 1);

        assertThat(broker.request(new HeartbeatRequest(1), HeartbeatResponse.class).epoch()).isEqualTo(epoch + 2);
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> md.epoch() == epoch + 2));
        assertThat(first.metadata().topic("events").partitions()).extracting(PartitionInfo::leaderEpoch)
            .containsExactly(0, 1, 0);
        first.close();

        CoordinatorServer second = start(new CoordinatorServer(config(1000), clock));
        WireTestClient again = connect(second);
        RegisterBrokerResponse back = registerBroker(again, 1);
        assertThat(back.metadata().topic("events").partitions()).extracting(PartitionInfo::leaderEpoch)
            .as("the term after the report was persisted").containsExactly(1, 2, 1);
    }

    @Test
    void shouldPlaceAReplicatedTopicAndApplyALeadersIsrChangeOnceStoredAndBroadcast() {
        CoordinatorServer server = start();
        Map<Integer, WireTestClient> brokers = new java.util.HashMap<>();
        Map<Integer, Long> brokerEpochs = new java.util.HashMap<>();
        for (int id = 1; id <= 3; id++) {
            WireTestClient b = connect(server);
            keepAlive(b, id);
            brokers.put(id, b);
            brokerEpochs.put(id, registerBroker(b, id).brokerEpoch());
        }
        WireTestClient consumer = connect(server);
        consumer.request(new RegisterConsumerRequest("c-1", null), RegisterConsumerResponse.class);
        WireTestClient admin = connect(server);

        CreateTopicResponse tooMany = admin.request(new CreateTopicRequest("r", 1, (short) 4, Map.of()),
            CreateTopicResponse.class);
        assertThat(tooMany.error()).isEqualTo(ErrorCode.INVALID_REPLICATION_FACTOR);
        assertThat(tooMany.message()).isEqualTo("replication factor 4 > 3 brokers available (ids [1,2,3])");
        CreateTopicResponse created = admin.request(new CreateTopicRequest("r", 1, (short) 3, Map.of()),
            CreateTopicResponse.class);
        assertThat(created.error()).isEqualTo(ErrorCode.NONE);
        PartitionInfo p = created.metadata().topic("r").partition(0);
        assertThat(p.replicas()).hasSize(3).doesNotHaveDuplicates();
        assertThat(p.isr()).isEqualTo(p.replicas());
        assertThat(p.leader()).isEqualTo(p.preferredLeader());
        int leader = p.leader();
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> md.topic("r") != null));
        Path stateFile = server.config().dataDir().resolve(StateStore.FILE_NAME);
        Path changeLog = server.config().dataDir().resolve(StateStore.LOG_FILE_NAME);
        byte[] snapshotBefore = readAll(stateFile);
        long logBefore = size(changeLog);
        int pushesBefore = consumer.pushes().size();

        AlterIsrResponse shrunk = brokers.get(leader).request(new AlterIsrRequest(leader, brokerEpochs.get(leader),
            List.of(new AlterIsrPartition("r", 0, 0, 0, List.of(leader)))), AlterIsrResponse.class);
        assertThat(readAll(stateFile)).as("the ISR change is a change record, not a new snapshot")
            .isEqualTo(snapshotBefore);
        assertThat(size(changeLog) - logBefore).as("one partition record and the epoch").isBetween(40L, 120L);

        assertThat(shrunk.error()).isEqualTo(ErrorCode.NONE);
        assertThat(shrunk.partitions()).containsExactly(new AlterIsrResult("r", 0, ErrorCode.NONE, leader, 0, 1,
            List.of(leader)));
        await().atMost(AWAIT).until(() -> consumer.receivedPush(md -> md.topic("r") != null
            && md.topic("r").partition(0).isr().equals(List.of(leader))));
        assertThat(server.metadata().topic("r").partition(0).partitionEpoch()).isEqualTo(1);
        assertThat(consumer.pushes().subList(pushesBefore, consumer.pushes().size()))
            .as("views rebuilt from deltas").doesNotContain(WireTestClient.UNAPPLIED);
        assertThat(consumer.deltaFrames()).as("the change pushed as a LEADER_INFO_DELTA").isPositive();
        AlterIsrResponse stale = brokers.get(leader).request(new AlterIsrRequest(leader,
            brokerEpochs.get(leader) - 1, List.of(new AlterIsrPartition("r", 0, 0, 1, p.replicas()))),
            AlterIsrResponse.class);
        assertThat(stale).isEqualTo(new AlterIsrResponse(ErrorCode.STALE_BROKER_EPOCH, List.of()));
    }

    @Test
    void shouldRememberTopicsOffsetsProducerIdsAndLeadersAcrossRestart() {
        CoordinatorServer first = start();
        WireTestClient broker = connect(first);
        keepAlive(broker, 1);
        long brokerEpoch = registerBroker(broker, 1, 4711).brokerEpoch();
        WireTestClient client = connect(first);
        client.request(new CreateTopicRequest("kept", 2, Map.of("retention.ms", "3600000", "segment.bytes", "65536")),
            CreateTopicResponse.class);
        CommitOffsetResponse committed = client.request(new CommitOffsetRequest("g", "kept", 1, 42),
            CommitOffsetResponse.class);
        assertThat(committed.error()).isEqualTo(ErrorCode.NONE);
        long producerId = client.request(new RegisterProducerRequest("p"), RegisterProducerResponse.class)
            .producerId();
        long epoch = first.metadata().epoch();
        first.close();

        CoordinatorServer second = start();
        WireTestClient again = connect(second);

        MetadataResponse md = again.request(new MetadataRequest(false, List.of("kept")), MetadataResponse.class);
        assertThat(md.error()).isEqualTo(ErrorCode.NONE);
        assertThat(md.metadata().epoch()).isGreaterThan(epoch);
        assertThat(md.metadata().broker(1).alive()).as("until its heartbeat timeout").isTrue();
        assertThat(md.metadata().broker(1).brokerEpoch()).isEqualTo(brokerEpoch);
        assertThat(md.metadata().topic("kept").partitions()).hasSize(2)
            .allSatisfy(p -> assertThat(p.leader()).isEqualTo(1));
        assertThat(md.metadata().topic("kept").configs())
            .as("min.insync.replicas: the cluster's, as the topic sets none").containsExactly(
                Map.entry("min.insync.replicas", "1"), Map.entry("retention.ms", "3600000"),
                Map.entry("segment.bytes", "65536"));
        assertThat(again.request(new FetchOffsetRequest("g", "kept", 1), FetchOffsetResponse.class))
            .isEqualTo(new FetchOffsetResponse(ErrorCode.NONE, 42));
        assertThat(again.request(new FetchOffsetRequest("g", "kept", 0), FetchOffsetResponse.class))
            .isEqualTo(new FetchOffsetResponse(ErrorCode.NONE, -1));
        assertThat(again.request(new RegisterProducerRequest("p"), RegisterProducerResponse.class).producerId())
            .isGreaterThan(producerId);

        WireTestClient broker2 = connect(second);
        keepAlive(broker2, 1);
        RegisterBrokerResponse back = registerBroker(broker2, 1, 4711);
        assertThat(back.brokerEpoch()).as("the same incarnation keeps its epoch").isEqualTo(brokerEpoch);
        assertThat(back.metadata().topic("kept").partitions()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(1);
            assertThat(p.leaderEpoch()).as("no leader change").isZero();
        });
    }

    @Test
    void shouldCountCommittedOffsetsAndTheirGroupsWhenLoadingTheState() {
        CoordinatorServer first = start();
        WireTestClient broker = connect(first);
        keepAlive(broker, 1);
        registerBroker(broker, 1);
        WireTestClient client = connect(first);
        client.request(new CreateTopicRequest("t", 3), CreateTopicResponse.class);
        for (int p = 0; p < 3; p++) {
            assertThat(client.request(new CommitOffsetRequest("g", "t", p, 10 + p), CommitOffsetResponse.class)
                .error()).isEqualTo(ErrorCode.NONE);
        }
        client.request(new CommitOffsetRequest("h", "t", 0, 5), CommitOffsetResponse.class);
        first.close();

        try (CapturedLogs logs = new CapturedLogs(CoordinatorServer.class)) {
            start();

            assertThat(logs.at(Level.INFO)).anySatisfy(line -> assertThat(line).contains("loaded",
                "1 broker(s)", "1 topic(s)", "4 committed offset(s) of 2 consumer group(s)"));
        }
    }

    @Test
    void shouldLogAConsumerWithoutGroupWithoutAGroup() {
        CoordinatorServer server = start();
        try (CapturedLogs logs = new CapturedLogs(RequestProcessor.class)) {
            connect(server).request(new RegisterConsumerRequest("loner", null), RegisterConsumerResponse.class);
            connect(server).request(new RegisterConsumerRequest("member", "g1"), RegisterConsumerResponse.class);

            assertThat(logs.at(Level.INFO)).as("a client registration is no INFO news (issue 19)").isEmpty();
            assertThat(logs.at(Level.DEBUG)).hasSize(2).noneMatch(line -> line.contains("null"))
                .anySatisfy(line -> assertThat(line).startsWith("consumer 'loner' at ").doesNotContain("group"))
                .anySatisfy(line -> assertThat(line).startsWith("consumer 'member' (group 'g1') at "));
        }
    }

    @Test
    void shouldCreateTopicsWithConfigsAndRejectBadConfigsWithInvalidConfig() {
        CoordinatorServer server = start();
        WireTestClient broker = connect(server);
        keepAlive(broker, 1);
        registerBroker(broker, 1);
        WireTestClient client = connect(server);
        long epoch = server.metadata().epoch();

        CreateTopicResponse bad = client.request(new CreateTopicRequest("logs", 2,
            Map.of("retention.ms", "1000", "segment.bytes", "100")), CreateTopicResponse.class);
        assertThat(bad.error()).isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(bad.message()).contains("logs").contains("segment.bytes").contains("100");
        CreateTopicResponse unknown = client.request(new CreateTopicRequest("logs", 2,
            Map.of("cleanup.policy", "compact")), CreateTopicResponse.class);
        assertThat(unknown.error()).isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(unknown.message()).contains("cleanup.policy").contains("compact");
        assertThat(server.metadata().epoch()).as("nothing changed").isEqualTo(epoch);
        assertThat(server.metadata().topic("logs")).isNull();

        CreateTopicResponse created = client.request(new CreateTopicRequest("logs", 2,
            Map.of("retention.ms", "1000", "flush.messages", "1")), CreateTopicResponse.class);
        assertThat(created.error()).isEqualTo(ErrorCode.NONE);
        assertThat(created.metadata().topic("logs").configs())
            .containsExactly(Map.entry("flush.messages", "1"), Map.entry("min.insync.replicas", "1"),
                Map.entry("retention.ms", "1000"));
        await().atMost(AWAIT).until(() -> broker.receivedPush(md -> md.topic("logs") != null
            && "1000".equals(md.topic("logs").config("retention.ms"))));
        MetadataResponse auto = client.request(new MetadataRequest(true, List.of("auto")), MetadataResponse.class);
        assertThat(auto.metadata().topic("auto").configs()).containsOnlyKeys("min.insync.replicas");
        assertThat(auto.metadata().topic("logs").configs()).hasSize(3);
    }

    @Test
    void shouldAnswerMetadataAutoCreateAndUnknownTopic() {
        CoordinatorServer server = start();
        WireTestClient broker = connect(server);
        keepAlive(broker, 1);
        registerBroker(broker, 1);
        WireTestClient client = connect(server);

        MetadataResponse unknown = client.request(new MetadataRequest(false, List.of("lazy")), MetadataResponse.class);
        assertThat(unknown.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(unknown.metadata().broker(1)).isNotNull();

        MetadataResponse created = client.request(new MetadataRequest(true, List.of("lazy")), MetadataResponse.class);
        assertThat(created.error()).isEqualTo(ErrorCode.NONE);
        assertThat(created.metadata().topic("lazy").partitionCount()).isEqualTo(3);

        CommitOffsetResponse bad = client.request(new CommitOffsetRequest("g", "nope", 0, 1),
            CommitOffsetResponse.class);
        assertThat(bad.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
    }

    @Test
    void shouldAnswerGarbageWithErrorAndCloseOnlyThatConnection() {
        CoordinatorServer server = start();
        WireTestClient good = connect(server);
        good.request(new RegisterConsumerRequest("good", null), RegisterConsumerResponse.class);
        WireTestClient bad = connect(server);

        bad.writeRaw(ByteBuffer.allocate(12).putInt(8).putShort((short) 999).putShort((short) 1).putInt(77).array());

        ErrorResponse error = (ErrorResponse) bad.awaitResponse(77).message();
        assertThat(error.error()).isEqualTo(ErrorCode.UNKNOWN_MESSAGE_TYPE);
        await().atMost(AWAIT).until(() -> !bad.isOpen());

        WireTestClient huge = connect(server);
        huge.writeRaw(ByteBuffer.allocate(12).putInt(Integer.MAX_VALUE).putShort((short) 13).putShort((short) 1)
            .putInt(78).array());
        assertThat(((ErrorResponse) huge.awaitResponse(78).message()).error()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        await().atMost(AWAIT).until(() -> !huge.isOpen());

        MetadataResponse md = good.request(new MetadataRequest(false, List.of()), MetadataResponse.class);
        assertThat(md.error()).isEqualTo(ErrorCode.NONE);
        assertThat(good.isOpen()).isTrue();
        assertThat(server.meterRegistry().get("yak.coordinator.bad.frames").functionCounter().count())
            .isEqualTo(2.0);
    }

    @Test
    void shouldAnswerRequestsItDoesNotServeWithInvalidRequestAndKeepTheConnection() {
        CoordinatorServer server = start();
        WireTestClient client = connect(server);

        Frame answer = client.call(new PublishRequest("t", 0, (short) 1, 1000,
            Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4})));

        assertThat(answer.message()).isInstanceOf(ErrorResponse.class);
        assertThat(((ErrorResponse) answer.message()).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(client.request(new MetadataRequest(false, List.of()), MetadataResponse.class).error())
            .isEqualTo(ErrorCode.NONE);
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void shouldRefuseToStartOnCorruptStateFile() throws Exception {
        Files.write(dataDir.resolve(StateStore.FILE_NAME), "garbage, not a state file".getBytes());
        CoordinatorServer server = new CoordinatorServer(config(HEARTBEAT_TIMEOUT_MS));
        resources.add(server);

        assertThatThrownBy(server::start).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("corrupt coordinator state file")
            .hasMessageContaining(StateStore.FILE_NAME)
            .hasCauseInstanceOf(CorruptStateException.class);

        Files.delete(dataDir.resolve(StateStore.FILE_NAME));
        CoordinatorServer fresh = start(new CoordinatorServer(config(HEARTBEAT_TIMEOUT_MS), Clock.systemUTC()));
        assertThat(fresh.metadata().topics()).isEmpty();
    }

    @Test
    void shouldRefuseSecondCoordinatorOnSameDataDir() {
        start();
        CoordinatorServer second = new CoordinatorServer(config(HEARTBEAT_TIMEOUT_MS));
        resources.add(second);

        assertThatThrownBy(second::start).isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("in use by another coordinator");
    }

    private static byte[] readAll(Path file) {
        try {
            return java.nio.file.Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return java.nio.file.Files.size(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
