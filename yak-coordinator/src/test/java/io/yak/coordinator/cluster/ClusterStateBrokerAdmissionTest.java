package io.yak.coordinator.cluster;

import static io.yak.coordinator.cluster.ClusterStateTest.remote;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.testing.CapturedLogs;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Who may join the cluster and stay in it (issue 19: a fuzzer left ~790 fake brokers registered, and a topic was
 * placed on them): broker.ids, host validation, rate-limited refusal logs, brokers that never heartbeat, placement
 * on brokers heard from recently, forgetting dead brokers. Time is passed in by hand: no sockets, no sleeps.
 */
class ClusterStateBrokerAdmissionTest {
    private static final long TIMEOUT_MS = 1000;
    private static final long FORGET_MS = 60_000;
    private static final InetSocketAddress BROKERS = remote(1);
    private static final InetSocketAddress FUZZER = remote(66);

    private long now = 1_000_000;
    private final ClusterState state = new ClusterState(TIMEOUT_MS, 3, true, BrokerIds.parse("1-3"), FORGET_MS);

    private RegisterResult register(int id) {
        return state.registerBroker(id, "h" + id, 9000 + id, 100 + id, BROKERS, now);
    }

    private boolean heartbeat(int id) {
        return state.heartbeat(id, 100 + id, List.of(), now).known();
    }

    /** Registered and heard from, as a real broker is right after starting. */
    private void start(int id) {
        assertThat(register(id).error()).isEqualTo(ErrorCode.NONE);
        assertThat(heartbeat(id)).isTrue();
    }

    // ---- broker.ids -------------------------------------------------------------------------------------------

    @Test
    void shouldRefuseBrokerIdNotInBrokerIds() {
        start(1);
        ClusterMetadata before = state.metadata();
        CoordinatorSnapshot stored = state.snapshot();

        RegisterResult r = state.registerBroker(4, "fake", 9092, 999, FUZZER, now);

        assertThat(r)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.INVALID_REQUEST, false);
        assertThat(state.metadata()).isSameAs(before);
        assertThat(state.snapshot()).isEqualTo(stored);
        assertThat(state.heartbeat(4, 999, List.of(), now).known()).as("not registered").isFalse();
        assertThat(state.checkLiveness(now + 10 * TIMEOUT_MS + 1)).isTrue(); // broker 1 only
        assertThat(state.metadata().brokers()).extracting(BrokerInfo::id).containsExactly(1);
    }

    @Test
    void shouldAcceptEveryIdInBrokerIds() {
        ClusterState listed = new ClusterState(TIMEOUT_MS, 3, true, BrokerIds.parse("1,2,5-9"), FORGET_MS);

        for (int id = 0; id <= 10; id++) {
            ErrorCode error = listed.registerBroker(id, "h", 9000 + id, 100 + id, BROKERS, now).error();
            assertThat(error).as("broker %d", id)
                .isEqualTo(id == 1 || id == 2 || (id >= 5 && id <= 9) ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST);
        }
        assertThat(listed.metadata().brokers()).extracting(BrokerInfo::id).containsExactly(1, 2, 5, 6, 7, 8, 9);
    }

    @Test
    void shouldRefuseARestoredBrokerThatBrokerIdsNoLongerListsAndSaySoAtRestore() {
        start(1);
        start(3);
        state.createTopic("t", 2, now);
        CoordinatorSnapshot stored = state.snapshot();

        try (CapturedLogs logs = new CapturedLogs(BrokerRegistry.class)) {
            ClusterState shrunk = ClusterState.restore(TIMEOUT_MS, 3, true, BrokerIds.parse("1-2"), FORGET_MS,
                ReplicationSettings.DEFAULTS, stored, now);

            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("[3]", "not in broker.ids 1-2");
            assertThat(shrunk.registerBroker(3, "h3", 9003, 103, BROKERS, now).error())
                .isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(shrunk.metadata().broker(3).alive()).isFalse();
        }
    }

    // ---- the refusal log ----------------------------------------------------------------------------------------

    @Test
    void shouldLogRefusedRegistrationsOncePerRemoteAddressPerMinute() {
        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            // a fuzzer from one address, 50 registrations a second for 150 s, every one with a new id
            for (int i = 0; i < 7500; i++) {
                assertThat(state.registerBroker(1000 + i, "fake", 9092, 5000 + i, FUZZER, now).error())
                    .isEqualTo(ErrorCode.INVALID_REQUEST);
                now += 20;
            }
            // another peer: its own first warning
            state.registerBroker(7, "other", 9092, 1, remote(67), now);

            List<String> warnings = logs.at(Level.WARN);
            assertThat(warnings).hasSize(4);
            assertThat(warnings.get(0)).isEqualTo("rejecting registration of broker 1000 at fake:9092 from 10.0.0.66: "
                + "broker id 1000 is not in broker.ids 1-3");
            assertThat(warnings.get(1)).contains("from 10.0.0.66", "2999 more refused from 10.0.0.66 since its last "
                + "warning", "at most once per address every 60 s");
            assertThat(warnings.get(2)).contains("2999 more refused from 10.0.0.66");
            assertThat(warnings.get(3)).contains("broker 7 at other:9092 from 10.0.0.67")
                .doesNotContain("more refused");
            assertThat(logs.at(Level.DEBUG)).hasSize(7500 - 3);
        }
        assertThat(state.epoch()).isZero();
        assertThat(state.metadata().brokers()).isEmpty();
    }

    // ---- hosts --------------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "h\n", "h\r\nERROR forged", "tab\there", "bell\u0007", "nul\u0000",
        "naïve", "h/x", "h;rm", "h\u2028x", "h\u202ex"})
    void shouldRefuseHostsWithSpacesControlCharactersOrOtherCharacters(String host) {
        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            RegisterResult r = state.registerBroker(1, host, 9001, 101, remote(9), now);

            assertThat(r)
                .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.INVALID_REQUEST, false);
            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("invalid host")
                .doesNotContain("\n", "\r", "\u0007", "\u0000", "\u2028", "\u202e");
        }
        assertThat(state.metadata().brokers()).isEmpty();
    }

    @Test
    void shouldRefuseAHostLongerThan255Chars() {
        assertThat(state.registerBroker(1, "h".repeat(256), 9001, 101, BROKERS, now).error())
            .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.registerBroker(1, "h".repeat(255), 9001, 101, BROKERS, now).error())
            .isEqualTo(ErrorCode.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "broker-1.example.com", "kafka_1", "10.0.0.1", "::1", "[::1]",
        "fe80::1%eth0", "2001:db8::8a2e:370:7334", "0.0.0.0", "B1.Example.COM"})
    void shouldAcceptHostNamesAndIpLiterals(String host) {
        assertThat(state.registerBroker(1, host, 9001, 101, BROKERS, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.metadata().broker(1).host()).isEqualTo(host);
    }

    // ---- brokers that never heartbeat -------------------------------------------------------------------------

    @Test
    void shouldDropARegisteredBrokerThatNeverHeartbeatsAfterTheTimeout() {
        start(1);
        assertThat(register(2).changed()).isTrue();
        long epoch = state.epoch();
        now += TIMEOUT_MS / 2;
        heartbeat(1);
        now += TIMEOUT_MS / 2 + 1;
        heartbeat(1);

        assertThat(state.checkLiveness(now)).isTrue();

        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(state.metadata().broker(2)).as("gone from the metadata").isNull();
        assertThat(state.metadata().broker(1).alive()).isTrue();
        assertThat(state.snapshot().brokers()).as("and from the state file")
            .extracting(CoordinatorSnapshot.Broker::id).containsExactly(1);
        assertThat(state.checkLiveness(now)).isFalse();
        assertThat(register(2).changed()).as("it may register again, as a new broker").isTrue();
    }

    @Test
    void shouldDropABrokerThatShutsDownWithoutEverHeartbeating() {
        register(2);

        assertThat(state.brokerShutdown(2, 102)).isTrue();

        assertThat(state.metadata().broker(2)).isNull();
        assertThat(state.snapshot().brokers()).isEmpty();
    }

    @Test
    void shouldKeepABrokerThatNeverHeartbeatsAfterItsReturnWhileItHoldsPartitions() {
        start(1);
        state.createTopic("t", 2, now);
        now += TIMEOUT_MS + 1;
        assertThat(state.checkLiveness(now)).isTrue();
        assertThat(register(1).changed()).isTrue(); // back, leads t again, but stays silent

        now += TIMEOUT_MS + 1;
        assertThat(state.checkLiveness(now)).isTrue();

        assertThat(state.metadata().broker(1).alive()).isFalse();
        assertThat(state.metadata().topic("t").partitions()).allSatisfy(p -> assertThat(p.online()).isFalse());
        assertThat(state.snapshot().brokers()).extracting(CoordinatorSnapshot.Broker::id).containsExactly(1);
    }

    // ---- placement --------------------------------------------------------------------------------------------

    @Test
    void shouldNotPlaceATopicOnARegisteredButSilentBroker() {
        start(1);
        assertThat(register(2).error()).isEqualTo(ErrorCode.NONE); // a fake: registers, never heartbeats

        assertThat(state.createTopic("created", 6, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.lookupTopics(true, List.of("auto"), now).error()).isEqualTo(ErrorCode.NONE);

        assertThat(state.metadata().topic("created").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(1);
        assertThat(state.metadata().topic("auto").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(1);
        assertThat(state.metadata().topic("created").partitions()).allSatisfy(p -> assertThat(p.online()).isTrue());
    }

    @Test
    void shouldAnswerNoLiveBrokersWhileOnlySilentBrokersAreRegistered() {
        register(1);
        register(2);
        long epoch = state.epoch();

        assertThat(state.createTopic("t", 3, now)).isEqualTo(ErrorCode.NO_LIVE_BROKERS);
        assertThat(state.lookupTopics(true, List.of("t"), now).error()).isEqualTo(ErrorCode.NO_LIVE_BROKERS);
        assertThat(state.epoch()).isEqualTo(epoch);

        heartbeat(2);
        assertThat(state.createTopic("t", 3, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.metadata().topic("t").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(2);
    }

    @Test
    void shouldPlaceNewTopicsOnlyOnBrokersHeardFromWithinHalfTheTimeout() {
        start(1);
        start(2);
        now += TIMEOUT_MS / 2;
        heartbeat(1);

        assertThat(state.createTopic("edge", 2, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.metadata().topic("edge").partitions()).extracting(PartitionInfo::preferredLeader)
            .as("broker 2 was heard from exactly half a timeout ago").containsExactly(1, 2);

        now += 1;
        assertThat(state.createTopic("late", 4, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.metadata().topic("late").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(1);
        assertThat(state.metadata().broker(2).alive()).as("late, not dead").isTrue();
    }

    @Test
    void shouldPlaceNewTopicsOnARestartedBrokerOnlyAfterItsFirstHeartbeat() {
        start(1);
        start(2);
        state.connectionClosed(102);
        assertThat(state.registerBroker(2, "h2", 9002, 202, BROKERS, now).changed()).isTrue(); // a restart

        state.createTopic("before", 2, now);
        state.heartbeat(2, 202, List.of(), now);
        state.createTopic("after", 2, now);

        assertThat(state.metadata().topic("before").partitions()).extracting(PartitionInfo::preferredLeader).containsOnly(1);
        assertThat(state.metadata().topic("after").partitions()).extracting(PartitionInfo::preferredLeader)
            .containsExactly(2, 1);
    }

    // ---- forgetting dead brokers --------------------------------------------------------------------------------

    @Test
    void shouldForgetADeadBrokerWithNoPartitionsAfterTheDelayAndKeepOneWithPartitions() {
        start(1);
        state.createTopic("t", 2, now); // on broker 1
        start(2);
        now += TIMEOUT_MS + 1;
        assertThat(state.checkLiveness(now)).isTrue(); // both dead; both had heartbeated: kept for now
        long epoch = state.epoch();

        now += FORGET_MS - 1;
        assertThat(state.checkLiveness(now)).isFalse();
        assertThat(state.metadata().brokers()).extracting(BrokerInfo::id).containsExactly(1, 2);

        now += 1;
        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            assertThat(state.checkLiveness(now)).isTrue();

            assertThat(logs.at(Level.INFO)).singleElement().asString().contains("broker 2 at h2:9002 forgotten",
                "dead.broker.forget.ms 60000", "epoch " + (epoch + 1));
        }
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(state.metadata().brokers()).extracting(BrokerInfo::id).as("broker 1 holds t: its data is there")
            .containsExactly(1);
        assertThat(state.snapshot().brokers()).extracting(CoordinatorSnapshot.Broker::id).containsExactly(1);
        assertThat(state.checkLiveness(now + 100 * FORGET_MS)).isFalse();
        assertThat(state.metadata().broker(1)).isNotNull();
    }

    @Test
    void shouldCountTheForgetDelayOfACleanlyShutDownBrokerFromTheNextCheck() {
        start(3);
        assertThat(state.brokerShutdown(3, 103)).isTrue(); // heard from: kept for now
        assertThat(state.checkLiveness(now)).isFalse();

        assertThat(state.checkLiveness(now + FORGET_MS - 1)).isFalse();
        assertThat(state.checkLiveness(now + FORGET_MS)).isTrue();
        assertThat(state.metadata().brokers()).isEmpty();
    }

    /** The snapshot as if every broker had been dead when it was taken (and their partitions offline). */
    static CoordinatorSnapshot allDead(CoordinatorSnapshot s) {
        return new CoordinatorSnapshot(s.epoch(), s.nextProducerId(), s.brokers().stream()
            .map(b -> new CoordinatorSnapshot.Broker(b.id(), b.host(), b.port(), b.incarnationId(), b.brokerEpoch(),
                false)).toList(), s.topics().stream().map(t -> new CoordinatorSnapshot.Topic(t.name(),
                t.partitions().stream().map(p -> new CoordinatorSnapshot.Partition(p.replicas(), p.isr(),
                    CoordinatorSnapshot.NO_LEADER, p.leaderEpoch(), p.partitionEpoch() + 1)).toList(), t.configs()))
            .toList(), s.offsets());
    }

    @Test
    void shouldStartTheForgetDelayOfRestoredBrokersAtTheFirstCheck() {
        start(1);
        start(2);
        state.createTopic("t", 1, now); // on broker 1
        ClusterState restored = ClusterState.restore(TIMEOUT_MS, 3, true, BrokerIds.parse("1-3"), FORGET_MS,
            ReplicationSettings.DEFAULTS, allDead(state.snapshot()), now);
        long epoch = restored.epoch();

        assertThat(restored.checkLiveness(now)).as("the clock starts").isFalse();
        assertThat(restored.checkLiveness(now + FORGET_MS - 1)).isFalse();
        assertThat(restored.checkLiveness(now + FORGET_MS)).isTrue();

        assertThat(restored.epoch()).isEqualTo(epoch + 1);
        assertThat(restored.metadata().brokers()).extracting(BrokerInfo::id).containsExactly(1);
    }

    @Test
    void shouldNotForgetABrokerThatReturnsInTime() {
        start(2);
        now += TIMEOUT_MS + 1;
        state.checkLiveness(now);
        now += FORGET_MS - 1;
        state.checkLiveness(now);

        start(2);
        now += FORGET_MS;
        heartbeat(2);

        assertThat(state.checkLiveness(now)).isFalse();
        assertThat(state.metadata().broker(2).alive()).isTrue();
    }

    @Test
    void shouldNeverForgetWithForgetNever() {
        ClusterState keeping = new ClusterState(TIMEOUT_MS, 3, true, BrokerIds.ANY, ClusterState.FORGET_NEVER);
        keeping.registerBroker(5, "h5", 9005, 105, BROKERS, now);
        keeping.heartbeat(5, 105, List.of(), now);

        assertThat(keeping.checkLiveness(now + TIMEOUT_MS + 1)).isTrue();
        assertThat(keeping.checkLiveness(now + 1000L * FORGET_MS)).isFalse();

        assertThat(keeping.metadata().broker(5)).isNotNull();
    }

    // ---- peer-supplied strings in log lines -----------------------------------------------------------------

    @Test
    void shouldEscapeTopicNamesOfIgnoredHeartbeatEntries() {
        start(1);
        try (CapturedLogs logs = new CapturedLogs(OfflineReports.class)) {
            state.heartbeat(1, 101, List.of(new PartitionRef("x\nERROR [main] FORGED LINE", 0)), now);

            assertThat(logs.at(Level.WARN)).singleElement().asString().doesNotContain("\n")
                .contains("x\\nERROR [main] FORGED LINE-0 (unknown topic)");
        }
    }
}
