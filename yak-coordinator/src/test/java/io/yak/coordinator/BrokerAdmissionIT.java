package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.cluster.BrokerIds;
import io.yak.coordinator.store.StateStore;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.testing.CapturedLogs;
import io.yak.wire.log.RejectReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 over the wire: a peer that reaches the coordinator cannot register brokers outside {@code broker.ids},
 * its attempts change nothing (metadata, state file, pushes) and are logged once, and topics go only to brokers that
 * heartbeat. A real coordinator on 127.0.0.1, port 0, driven by wire-level test clients.
 */
@Timeout(60)
class BrokerAdmissionIT {
    private static final long HEARTBEAT_TIMEOUT_MS = 5000;
    private static final String REFUSALS_LOGGER = "io.yak.coordinator.cluster.ClusterState";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dataDir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private CoordinatorServer start() {
        CoordinatorServer server = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0), dataDir,
            HEARTBEAT_TIMEOUT_MS, true, 3, FrameLayout.DEFAULT_MAX_FRAME_BYTES, BrokerIds.parse("1-3"),
            CoordinatorConfig.DEFAULT_DEAD_BROKER_FORGET_MS));
        resources.add(server);
        server.start();
        return server;
    }

    private WireTestClient connect(CoordinatorServer server) {
        WireTestClient c = WireTestClient.connect(server.address());
        resources.add(c);
        return c;
    }

    @Test
    void shouldRefuseFiftyFakeBrokerIdsAndChangeNothing() throws Exception {
        CoordinatorServer server = start();
        WireTestClient broker = connect(server);
        assertThat(broker.request(new RegisterBrokerRequest(1, "127.0.0.1", 9001, System.nanoTime(), true),
            RegisterBrokerResponse.class)
            .error()).isEqualTo(ErrorCode.NONE);
        assertThat(broker.request(new HeartbeatRequest(1), HeartbeatResponse.class).error())
            .isEqualTo(ErrorCode.NONE);
        ClusterMetadata before = server.metadata();
        byte[] storedBefore = Files.readAllBytes(dataDir.resolve(StateStore.FILE_NAME));
        List<WireTestClient> fuzzers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            fuzzers.add(connect(server));
        }

        try (CapturedLogs logs = new CapturedLogs(REFUSALS_LOGGER)) {
            for (int i = 0; i < 50; i++) {
                WireTestClient fuzzer = fuzzers.get(i % fuzzers.size());
                RegisterBrokerResponse r = fuzzer.request(new RegisterBrokerRequest(100 + i, "10.6.6." + i, 9092,
                    System.nanoTime(), true),
                    RegisterBrokerResponse.class);
                assertThat(r.error()).as("fake broker %d", 100 + i).isEqualTo(ErrorCode.INVALID_REQUEST);
                assertThat(fuzzer.request(new HeartbeatRequest(100 + i), HeartbeatResponse.class).error())
                    .isEqualTo(ErrorCode.UNKNOWN_BROKER);
            }

            assertThat(logs.at(Level.WARN)).as("one peer address: one warning a minute").singleElement().asString()
                .contains("broker id 100 is not in broker.ids 1-3", "from 127.0.0.1");
        }
        assertThat(server.metadata()).isEqualTo(before);
        assertThat(server.rejections().count(RejectReason.REGISTRATION_REFUSED)).as("counted in yak.rejected")
            .isEqualTo(50);
        assertThat(server.metadata().brokers()).extracting(BrokerInfo::id).containsExactly(1);
        assertThat(Files.readAllBytes(dataDir.resolve(StateStore.FILE_NAME))).isEqualTo(storedBefore);
        assertThat(fuzzers).allSatisfy(f -> assertThat(f.pushes()).as("not registered: no pushes").isEmpty());

        CreateTopicResponse created = broker.request(new CreateTopicRequest("orders", 6), CreateTopicResponse.class);
        assertThat(created.error()).isEqualTo(ErrorCode.NONE);
        assertThat(created.metadata().topic("orders").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(1);
    }

    @Test
    void shouldNotPlaceATopicOnABrokerThatRegisteredButNeverHeartbeats() {
        CoordinatorServer server = start();
        WireTestClient silent = connect(server);
        assertThat(silent.request(new RegisterBrokerRequest(2, "127.0.0.1", 9002, System.nanoTime(), true),
            RegisterBrokerResponse.class)
            .error()).isEqualTo(ErrorCode.NONE);
        WireTestClient admin = connect(server);

        CreateTopicResponse refused = admin.request(new CreateTopicRequest("t", 3), CreateTopicResponse.class);

        assertThat(refused.error()).isEqualTo(ErrorCode.NO_LIVE_BROKERS);
        assertThat(server.metadata().topic("t")).isNull();
        WireTestClient real = connect(server);
        real.request(new RegisterBrokerRequest(3, "127.0.0.1", 9003, System.nanoTime(), true), RegisterBrokerResponse.class);
        real.request(new HeartbeatRequest(3), HeartbeatResponse.class);
        CreateTopicResponse created = admin.request(new CreateTopicRequest("t", 3), CreateTopicResponse.class);
        assertThat(created.error()).isEqualTo(ErrorCode.NONE);
        assertThat(created.metadata().topic("t").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(3);
    }
}
