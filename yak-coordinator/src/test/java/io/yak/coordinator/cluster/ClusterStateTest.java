package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.testing.CapturedLogs;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cluster state rules with time passed in by hand: no sockets, no sleeps. */
class ClusterStateTest {
    private static final long TIMEOUT_MS = 1000;
    private static final long CONN_1 = 101;
    private static final long CONN_2 = 102;
    private static final long CONN_3 = 103;

    /** Where the test's brokers connect from. */
    static final InetSocketAddress REMOTE = remote(1);

    private long now = 1_000_000;
    private final ClusterState state = new ClusterState(TIMEOUT_MS, 3, true);

    /** A peer's address 10.0.0.n: an IP literal, never resolved. */
    static InetSocketAddress remote(int n) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, (byte) (n >> 8), (byte) n}),
                40_000 + n % 1000);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Brokers 1, 2, 3 register and each sends its first heartbeat, as a real broker does right away. */
    private void registerThree() {
        assertThat(state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.registerBroker(2, "h2", 9002, CONN_2, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.registerBroker(3, "h3", 9003, CONN_3, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.heartbeat(1, CONN_1, List.of(), now).known()).isTrue();
        assertThat(state.heartbeat(2, CONN_2, List.of(), now).known()).isTrue();
        assertThat(state.heartbeat(3, CONN_3, List.of(), now).known()).isTrue();
    }

    private TopicInfo topic(String name) {
        return state.metadata().topic(name);
    }

    @Test
    void shouldStartEmptyAtEpochZero() {
        assertThat(state.epoch()).isZero();
        assertThat(state.metadata()).isEqualTo(ClusterMetadata.EMPTY);
    }

    @Test
    void shouldRegisterNewBrokerAliveAndBumpEpochOnce() {
        RegisterResult r = state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);

        assertThat(r).extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.NONE, true);
        assertThat(state.epoch()).isEqualTo(1);
        ClusterMetadata md = state.metadata();
        assertThat(md.epoch()).isEqualTo(1);
        assertThat(md.broker(1).alive()).isTrue();
        assertThat(md.broker(1).address()).isEqualTo("h1:9001");
    }

    @Test
    void shouldListBrokersInIdOrder() {
        state.registerBroker(3, "h3", 9003, CONN_3, REMOTE, now);
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        state.registerBroker(2, "h2", 9002, CONN_2, REMOTE, now);

        assertThat(state.metadata().brokers()).extracting(b -> b.id()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldIgnoreRepeatedRegistrationOnSameConnection() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);

        RegisterResult again = state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now + 10);

        assertThat(again)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.NONE, false);
        assertThat(state.epoch()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1:h:9001", "1::9001", "1:h:0", "1:h:65536", "1: :9001"})
    void shouldRejectInvalidRegistration(String spec) {
        String[] f = spec.split(":", -1);

        RegisterResult r = state.registerBroker(Integer.parseInt(f[0]), f[1], Integer.parseInt(f[2]), CONN_1, REMOTE,
            now);

        assertThat(r)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.INVALID_REQUEST, false);
        assertThat(state.epoch()).isZero();
        assertThat(state.metadata().brokers()).isEmpty();
    }

    @Test
    void shouldRejectSameIdFromAnotherAddressWhileFirstIsLiveAndConnected() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);

        RegisterResult clash = state.registerBroker(1, "other", 9009, CONN_2, REMOTE, now);

        assertThat(clash)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.BROKER_ID_IN_USE, false);
        assertThat(state.epoch()).isEqualTo(1);
        assertThat(state.metadata().broker(1).address()).isEqualTo("h1:9001");
    }

    @Test
    void shouldWarnAboutARepeatedClashOnlyOncePerMinutePerRemoteAddress() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        InetSocketAddress other = remote(2);
        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            // A clashing broker retrying for a minute and a half, every 100 ms (the old retry rate).
            for (int i = 0; i < 900; i++) {
                state.heartbeat(1, CONN_1, List.of(), now);
                assertThat(state.registerBroker(1, "other", 9009, CONN_2, other, now).error())
                    .isEqualTo(ErrorCode.BROKER_ID_IN_USE);
                now += 100;
            }
            state.heartbeat(1, CONN_1, List.of(), now);
            state.registerBroker(1, "third", 9010, CONN_3, remote(3), now);

            List<String> warnings = logs.at(Level.WARN);
            assertThat(warnings).hasSize(3);
            assertThat(warnings.get(0)).contains("broker 1 at other:9009 from 10.0.0.2", "live broker at h1:9001")
                .doesNotContain("since its last warning");
            assertThat(warnings.get(1)).contains("broker 1 at other:9009", "599 more refused from 10.0.0.2 since its "
                + "last warning");
            assertThat(warnings.get(2)).as("another address is news").contains("third:9010 from 10.0.0.3")
                .doesNotContain("since its last warning");
            assertThat(logs.at(Level.DEBUG)).hasSize(900 - 2);
        }
    }

    @Test
    void shouldAcceptSameIdFromAnotherAddressOnceFirstConnectionClosed() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        state.connectionClosed(CONN_1);

        RegisterResult moved = state.registerBroker(1, "other", 9009, CONN_2, REMOTE, now);

        assertThat(moved)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.NONE, true);
        assertThat(state.metadata().broker(1).address()).isEqualTo("other:9009");
        assertThat(state.metadata().broker(1).alive()).isTrue();
    }

    @Test
    void shouldRefuseASecondProcessWithTheSameIdAndAddressWhileTheFirstIsConnectedAndHeartbeating() {
        registerThree();
        state.createTopic("t", 3, now);
        long epoch = state.epoch();
        now += TIMEOUT_MS / 2 - 1;
        state.heartbeat(2, CONN_2, List.of(), now);
        now += TIMEOUT_MS / 2 - 1;

        RegisterResult impostor = state.registerBroker(2, "h2", 9002, 999, REMOTE, now);

        assertThat(impostor)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.BROKER_ID_IN_USE, false);
        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(state.heartbeat(2, CONN_2, List.of(), now).known()).as("the live one keeps its id").isTrue();
        assertThat(state.brokerShutdown(2, 999)).as("the refused one cannot stop it").isFalse();
        assertThat(state.metadata().broker(2).alive()).isTrue();
        assertThat(topic("t").partitions()).allSatisfy(p -> assertThat(p.leaderEpoch()).isZero());
    }

    @Test
    void shouldTreatRegistrationFromSameAddressAsRestartOnceTheOldConnectionClosedOrWentSilent() {
        registerThree();
        state.createTopic("t", 3, now);
        long epoch = state.epoch();

        // kill -9 and a restart: the old process's connection closed
        state.connectionClosed(CONN_2);
        RegisterResult restart = state.registerBroker(2, "h2", 9002, 998, REMOTE, now);

        assertThat(restart)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.NONE, true);
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        for (PartitionInfo p : topic("t").partitions()) {
            assertThat(p.leader()).isEqualTo(p.preferredLeader());
            assertThat(p.leaderEpoch()).isEqualTo(p.preferredLeader() == 2 ? 1 : 0);
        }

        // a host that lost the connection without closing it: silent for half the timeout, then a restart
        now += TIMEOUT_MS / 2;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(2, 998, List.of(), now);
        RegisterResult sameAddressOtherId = state.registerBroker(1, "h1", 9001, 997, REMOTE, now);
        assertThat(sameAddressOtherId.error()).as("broker 1 was just heard from").isEqualTo(
            ErrorCode.BROKER_ID_IN_USE);
        RegisterResult afterSilence = state.registerBroker(3, "h3", 9003, 996, REMOTE, now);
        assertThat(afterSilence)
            .extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.NONE, true);
        assertThat(state.heartbeat(3, CONN_3, List.of(), now).known()).as("the old connection no longer counts")
            .isFalse();
        assertThat(state.heartbeat(3, 996, List.of(), now).known()).isTrue();
    }

    @Test
    void shouldAnswerHeartbeatOfUnknownBrokerWithFalse() {
        assertThat(state.heartbeat(7, CONN_1, List.of(), now).known()).isFalse();
        assertThat(state.epoch()).isZero();
    }

    @Test
    void shouldDeclareBrokerDeadAfterHeartbeatTimeoutTakingOnlyItsPartitionsOffline() {
        registerThree();
        assertThat(state.createTopic("t", 6, now)).isEqualTo(ErrorCode.NONE);
        TopicInfo before = topic("t");
        long epoch = state.epoch();
        now += 400;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(3, CONN_3, List.of(), now);
        now += TIMEOUT_MS - 399;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(3, CONN_3, List.of(), now);

        boolean changed = state.checkLiveness(now);

        assertThat(changed).isTrue();
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        ClusterMetadata md = state.metadata();
        assertThat(md.broker(2).alive()).isFalse();
        assertThat(md.broker(1).alive()).isTrue();
        assertThat(md.broker(3).alive()).isTrue();
        for (PartitionInfo p : md.topic("t").partitions()) {
            PartitionInfo old = before.partition(p.partition());
            if (p.preferredLeader() == 2) {
                assertThat(p.leader()).isEqualTo(PartitionInfo.NO_LEADER);
                assertThat(p.online()).isFalse();
            } else {
                assertThat(p).isEqualTo(old);
            }
            assertThat(p.leaderEpoch()).isEqualTo(old.leaderEpoch());
        }
        assertThat(state.checkLiveness(now)).isFalse();
        assertThat(state.epoch()).isEqualTo(epoch + 1);
    }

    @Test
    void shouldTakeACleanlyShutDownBrokersPartitionsOfflineAtOnceAndBackAtItsNextRegistration() {
        registerThree();
        assertThat(state.createTopic("t", 6, now)).isEqualTo(ErrorCode.NONE);
        TopicInfo before = topic("t");
        long epoch = state.epoch();

        assertThat(state.brokerShutdown(2, CONN_2)).isTrue();

        assertThat(state.epoch()).isEqualTo(epoch + 1);
        ClusterMetadata md = state.metadata();
        assertThat(md.broker(2).alive()).isFalse();
        assertThat(md.broker(1).alive()).isTrue();
        for (PartitionInfo p : md.topic("t").partitions()) {
            PartitionInfo old = before.partition(p.partition());
            assertThat(p.leader()).isEqualTo(p.preferredLeader() == 2 ? PartitionInfo.NO_LEADER : old.leader());
            assertThat(p.leaderEpoch()).isEqualTo(old.leaderEpoch());
        }
        // dead now: a heartbeat is told to register, a second shutdown and the liveness check change nothing
        assertThat(state.heartbeat(2, CONN_2, List.of(), now).known()).isFalse();
        assertThat(state.brokerShutdown(2, CONN_2)).isFalse();
        assertThat(state.checkLiveness(now + 10 * TIMEOUT_MS)).isTrue(); // brokers 1 and 3 only
        assertThat(state.metadata().broker(2).alive()).isFalse();

        long epochBefore = state.epoch();
        assertThat(state.registerBroker(2, "h2", 9002, 202, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.epoch()).isEqualTo(epochBefore + 1);
        for (PartitionInfo p : state.metadata().topic("t").partitions()) {
            if (p.preferredLeader() == 2) {
                assertThat(p.leader()).isEqualTo(2);
                assertThat(p.leaderEpoch()).isEqualTo(before.partition(p.partition()).leaderEpoch() + 1);
            }
        }
    }

    @Test
    void shouldIgnoreHeartbeatsFromAnotherConnectionThanTheRegisteredOne() {
        registerThree();
        assertThat(state.createTopic("t", 3, now)).isEqualTo(ErrorCode.NONE);
        ClusterMetadata before = state.metadata();

        // a stale process of broker 2 (paused, say) heartbeats on its old connection, listing a partition
        HeartbeatResult stale = state.heartbeat(2, 999, List.of(new PartitionRef("t", 1)), now);

        assertThat(stale.known()).as("told to register (and then refused: the id is in use)").isFalse();
        assertThat(state.metadata()).as("its list is not applied").isEqualTo(before);
        // nor does it keep the id alive: only the registered connection's heartbeats count
        now += TIMEOUT_MS / 2;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(3, CONN_3, List.of(), now);
        state.heartbeat(2, 999, List.of(), now);
        now += TIMEOUT_MS / 2 + 1;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(3, CONN_3, List.of(), now);
        assertThat(state.checkLiveness(now)).isTrue();
        assertThat(state.metadata().broker(2).alive()).isFalse();
    }

    @Test
    void shouldIgnoreAShutdownFromAnotherConnectionOrOfAnUnknownBroker() {
        registerThree();
        assertThat(state.createTopic("t", 3, now)).isEqualTo(ErrorCode.NONE);
        ClusterMetadata before = state.metadata();

        assertThat(state.brokerShutdown(2, CONN_1)).isFalse();
        assertThat(state.brokerShutdown(9, CONN_1)).isFalse();

        assertThat(state.metadata()).isEqualTo(before);
    }

    @Test
    void shouldNotDeclareBrokersDeadForSilenceTheCoordinatorDidNotWitnessButStillTheOnesThatStaySilent() {
        registerThree();
        assertThat(state.createTopic("t", 3, now)).isEqualTo(ErrorCode.NONE);
        long epoch = state.epoch();
        now += 12 * TIMEOUT_MS; // the coordinator was stopped; the brokers' heartbeats wait in their sockets

        state.forgiveSilence(now);

        assertThat(state.checkLiveness(now)).as("nobody dead right after the pause").isFalse();
        assertThat(state.epoch()).isEqualTo(epoch);
        state.heartbeat(1, CONN_1, List.of(), now); // the queued heartbeats are read; broker 2 really is gone
        state.heartbeat(3, CONN_3, List.of(), now);
        assertThat(state.checkLiveness(now + TIMEOUT_MS / 2)).isFalse();
        assertThat(state.checkLiveness(now + TIMEOUT_MS / 2 + 1)).as("the silent one, half a timeout later").isTrue();
        ClusterMetadata md = state.metadata();
        assertThat(md.brokers()).extracting(BrokerInfo::alive).containsExactly(true, false, true);
    }

    @Test
    void shouldNotDeclareDeadAtExactlyTheTimeout() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);

        assertThat(state.checkLiveness(now + TIMEOUT_MS)).isFalse();
        assertThat(state.checkLiveness(now + TIMEOUT_MS + 1)).isTrue();
    }

    @Test
    void shouldKeepBrokerAliveWhileItHeartbeats() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        long epoch = state.epoch();

        for (int i = 0; i < 100; i++) {
            now += TIMEOUT_MS / 2;
            assertThat(state.heartbeat(1, CONN_1, List.of(), now).known()).isTrue();
            assertThat(state.checkLiveness(now)).isFalse();
        }

        assertThat(state.metadata().broker(1).alive()).isTrue();
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldNotKillBrokerWhenItsConnectionCloses() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        state.connectionClosed(CONN_1);

        assertThat(state.checkLiveness(now + TIMEOUT_MS)).isFalse();
        assertThat(state.metadata().broker(1).alive()).isTrue();
        assertThat(state.heartbeat(1, CONN_1, List.of(), now + 1).known()).isTrue();
    }

    @Test
    void shouldDeclareSeveralBrokersDeadWithOneEpochBump() {
        registerThree();
        state.createTopic("t", 3, now);
        long epoch = state.epoch();
        now += TIMEOUT_MS + 1;
        state.heartbeat(3, CONN_3, List.of(), now);

        assertThat(state.checkLiveness(now)).isTrue();

        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(state.metadata().brokers()).extracting(b -> b.alive()).containsExactly(false, false, true);
    }

    @Test
    void shouldRefuseHeartbeatOfDeadBrokerUntilItRegistersAgain() {
        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        state.heartbeat(1, CONN_1, List.of(), now);
        now += TIMEOUT_MS + 1;
        state.checkLiveness(now);

        assertThat(state.heartbeat(1, CONN_1, List.of(), now).known()).isFalse();
        assertThat(state.metadata().broker(1).alive()).isFalse();
    }

    @Test
    void shouldRestoreLeadershipWithBumpedLeaderEpochWhenDeadBrokerRegistersAgain() {
        registerThree();
        state.createTopic("t", 6, now);
        now += TIMEOUT_MS + 1;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(3, CONN_3, List.of(), now);
        state.checkLiveness(now);
        long epoch = state.epoch();

        RegisterResult r = state.registerBroker(2, "h2", 9002, 555, REMOTE, now);

        assertThat(r).extracting(RegisterResult::error, RegisterResult::changed).containsExactly(ErrorCode.NONE, true);
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(state.metadata().broker(2).alive()).isTrue();
        for (PartitionInfo p : topic("t").partitions()) {
            assertThat(p.leader()).isEqualTo(p.preferredLeader());
            assertThat(p.leaderEpoch()).isEqualTo(p.preferredLeader() == 2 ? 1 : 0);
        }
    }

    @Test
    void shouldCreateTopicWithConfiguredPartitionsForMinusOne() {
        registerThree();

        assertThat(state.createTopic("auto", -1, now)).isEqualTo(ErrorCode.NONE);

        assertThat(topic("auto").partitionCount()).isEqualTo(3);
        assertThat(topic("auto").partitions()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(p.preferredLeader());
            assertThat(p.leaderEpoch()).isZero();
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a/b", "naïve", "topic!", "tab\t", ".", ".."})
    void shouldRejectInvalidTopicNames(String name) {
        registerThree();
        long epoch = state.epoch();

        assertThat(state.createTopic(name, 1, now)).isEqualTo(ErrorCode.INVALID_TOPIC);

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(state.metadata().topics()).isEmpty();
    }

    @Test
    void shouldAcceptTopicNamesOfAllowedCharactersUpTo249() {
        registerThree();

        assertThat(state.createTopic("Az09._-", 1, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.createTopic("x".repeat(249), 1, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.createTopic("x".repeat(250), 1, now)).isEqualTo(ErrorCode.INVALID_TOPIC);
        assertThat(state.createTopic(null, 1, now)).isEqualTo(ErrorCode.INVALID_TOPIC);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -2, ClusterState.MAX_PARTITIONS_PER_TOPIC + 1})
    void shouldRejectBadPartitionCounts(int partitions) {
        registerThree();

        assertThat(state.createTopic("t", partitions, now)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(topic("t")).isNull();
    }

    @Test
    void shouldRejectExistingTopicWithoutChange() {
        registerThree();
        state.createTopic("t", 2, now);
        long epoch = state.epoch();

        assertThat(state.createTopic("t", 5, now)).isEqualTo(ErrorCode.TOPIC_ALREADY_EXISTS);

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(topic("t").partitionCount()).isEqualTo(2);
    }

    @Test
    void shouldRejectATopicThatWouldTakeTheClusterPastItsPartitionLimitWithoutChange() {
        registerThree();
        int perTopic = ClusterState.MAX_PARTITIONS_PER_TOPIC;
        int fullTopics = ClusterState.MAX_TOTAL_PARTITIONS / perTopic;
        for (int i = 0; i < fullTopics; i++) {
            assertThat(state.createTopic("t" + i, perTopic, now)).isEqualTo(ErrorCode.NONE);
        }
        int left = ClusterState.MAX_TOTAL_PARTITIONS - fullTopics * perTopic;
        long epoch = state.epoch();

        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            assertThat(state.createTopic("over", left + 1, now)).isEqualTo(ErrorCode.INVALID_REQUEST);

            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("rejecting topic over with "
                + (left + 1) + " partitions: cluster has " + fullTopics * perTopic + " of at most "
                + ClusterState.MAX_TOTAL_PARTITIONS + " partitions");
        }
        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(topic("over")).isNull();
        assertThat(state.createTopic("last", left, now)).isEqualTo(ErrorCode.NONE);
        assertThat(state.createTopic("more", 1, now)).isEqualTo(ErrorCode.INVALID_REQUEST);
    }

    @Test
    void shouldRejectTopicWhenNoBrokerIsAlive() {
        assertThat(state.createTopic("t", 2, now)).isEqualTo(ErrorCode.NO_LIVE_BROKERS);

        state.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);
        state.heartbeat(1, CONN_1, List.of(), now);
        now += TIMEOUT_MS + 1;
        state.checkLiveness(now);
        assertThat(state.metadata().broker(1).alive()).isFalse();
        long epoch = state.epoch();

        assertThat(state.createTopic("t", 2, now)).isEqualTo(ErrorCode.NO_LIVE_BROKERS);
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldPlaceNewTopicsOnLiveBrokersOnly() {
        registerThree();
        now += TIMEOUT_MS + 1;
        state.heartbeat(1, CONN_1, List.of(), now);
        state.heartbeat(3, CONN_3, List.of(), now);
        state.checkLiveness(now);

        state.createTopic("t", 4, now);

        assertThat(topic("t").partitions()).extracting(PartitionInfo::preferredLeader).doesNotContain(2);
    }

    @Test
    void shouldAutoCreateMissingTopicsWithOneEpochBump() {
        registerThree();
        state.createTopic("exists", 1, now);
        long epoch = state.epoch();

        TopicLookup lookup = state.lookupTopics(true, List.of("exists", "a", "b", "a"), now);

        assertThat(lookup.error()).isEqualTo(ErrorCode.NONE);
        assertThat(lookup.created()).containsExactly("a", "b");
        assertThat(lookup.changed()).isTrue();
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic("a").partitionCount()).isEqualTo(3);
        assertThat(topic("b").partitionCount()).isEqualTo(3);
    }

    @Test
    void shouldNotCreateTopicsWhenRequestDoesNotAskForIt() {
        registerThree();
        long epoch = state.epoch();

        TopicLookup lookup = state.lookupTopics(false, List.of("a"), now);

        assertThat(lookup.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(lookup.message()).contains("a");
        assertThat(lookup.changed()).isFalse();
        assertThat(topic("a")).isNull();
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldNotCreateTopicsWhenCoordinatorDisallowsAutoCreation() {
        ClusterState noAuto = new ClusterState(TIMEOUT_MS, 3, false);
        noAuto.registerBroker(1, "h1", 9001, CONN_1, REMOTE, now);

        TopicLookup lookup = noAuto.lookupTopics(true, List.of("a"), now);

        assertThat(lookup.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(lookup.message()).contains("auto.create.topics=false");
        assertThat(noAuto.metadata().topic("a")).isNull();
    }

    @Test
    void shouldReportWhyAutoCreationFailed() {
        assertThat(state.lookupTopics(true, List.of("a"), now).error()).isEqualTo(ErrorCode.NO_LIVE_BROKERS);
        registerThree();
        TopicLookup bad = state.lookupTopics(true, List.of("ok", "not ok"), now);
        assertThat(bad.error()).isEqualTo(ErrorCode.INVALID_TOPIC);
        assertThat(bad.created()).containsExactly("ok");
        assertThat(bad.message()).contains("not ok");
    }

    @Test
    void shouldTreatEmptyTopicListAsAllWithoutCreating() {
        registerThree();
        state.createTopic("t", 1, now);
        long epoch = state.epoch();

        TopicLookup lookup = state.lookupTopics(true, List.of(), now);

        assertThat(lookup.error()).isEqualTo(ErrorCode.NONE);
        assertThat(lookup.changed()).isFalse();
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldCommitAndFetchOffsets() {
        registerThree();
        state.createTopic("t", 2, now);
        long epoch = state.epoch();

        assertThat(state.fetchOffset("g", "t", 1)).isEqualTo(new FetchedOffset(ErrorCode.NONE, ClusterState.NO_OFFSET));
        assertThat(state.commitOffset("g", "t", 1, 42)).isEqualTo(ErrorCode.NONE);
        assertThat(state.commitOffset("g", "t", 1, 43)).isEqualTo(ErrorCode.NONE);

        assertThat(state.fetchOffset("g", "t", 1)).isEqualTo(new FetchedOffset(ErrorCode.NONE, 43));
        assertThat(state.fetchOffset("g", "t", 0).offset()).isEqualTo(ClusterState.NO_OFFSET);
        assertThat(state.fetchOffset("other", "t", 1).offset()).isEqualTo(ClusterState.NO_OFFSET);
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldRejectOffsetsOfUnknownTopicsPartitionsAndBadValues() {
        registerThree();
        state.createTopic("t", 2, now);

        assertThat(state.commitOffset("g", "nope", 0, 1)).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(state.commitOffset("g", "t", 2, 1)).isEqualTo(ErrorCode.UNKNOWN_PARTITION);
        assertThat(state.commitOffset("g", "t", -1, 1)).isEqualTo(ErrorCode.UNKNOWN_PARTITION);
        assertThat(state.commitOffset("g", "t", 0, -1)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.commitOffset("", "t", 0, 1)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.fetchOffset("g", "nope", 0).error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(state.fetchOffset("g", "t", 5).error()).isEqualTo(ErrorCode.UNKNOWN_PARTITION);
    }

    @Test
    void shouldHandOutIncreasingUniqueProducerIds() {
        long a = state.allocateProducerId();
        long b = state.allocateProducerId();

        assertThat(a).isPositive();
        assertThat(b).isGreaterThan(a);
        assertThat(state.epoch()).isZero();
    }

    @Test
    void shouldRestoreSnapshotKeepingLeadersAndBrokersAliveUntilTheirTimeout() {
        registerThree();
        state.createTopic("t", 6, now);
        state.commitOffset("g", "t", 4, 77);
        long producerId = state.allocateProducerId();
        CoordinatorSnapshot snapshot = state.snapshot();
        now += 5;

        ClusterState restored = ClusterState.restore(TIMEOUT_MS, 3, true, snapshot, now);

        assertThat(restored.epoch()).isEqualTo(state.epoch() + 1);
        assertThat(restored.metadata().brokers()).isEqualTo(state.metadata().brokers());
        assertThat(restored.metadata().topics()).isEqualTo(state.metadata().topics());
        assertThat(restored.fetchOffset("g", "t", 4).offset()).isEqualTo(77);
        assertThat(restored.allocateProducerId()).isGreaterThan(producerId);
        assertThat(restored.heartbeat(1, CONN_1, List.of(), now).known()).as("must register again").isFalse();
        assertThat(restored.snapshot().topics()).isEqualTo(snapshot.topics());
        assertThat(restored.checkLiveness(now + TIMEOUT_MS)).as("the whole timeout from the start").isFalse();

        long brokerEpoch = state.metadata().broker(1).brokerEpoch();
        RegisterResult again = restored.registerBroker(1, "h1", 9001, CONN_1, 501, REMOTE, now + TIMEOUT_MS);
        assertThat(again).isEqualTo(new RegisterResult(ErrorCode.NONE, false, brokerEpoch));
        assertThat(restored.metadata().topics()).isEqualTo(state.metadata().topics());

        assertThat(restored.checkLiveness(now + TIMEOUT_MS + 1)).as("brokers 2 and 3 never came back").isTrue();
        assertThat(restored.metadata().brokers()).extracting(BrokerInfo::alive).containsExactly(true, false, false);
        assertThat(restored.metadata().topic("t").partitions()).allSatisfy(p ->
            assertThat(p.online()).isEqualTo(p.preferredLeader() == 1));
    }

    @Test
    void shouldRefuseSnapshotWithPartitionOnUnknownBroker() {
        CoordinatorSnapshot bad = new CoordinatorSnapshot(3, 1, List.of(),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(9, 0)))), List.of());

        assertThatThrownBy(() -> ClusterState.restore(TIMEOUT_MS, 3, true, bad, now))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("t-0")
            .hasMessageContaining("unknown broker 9");
    }

    // ---- per-topic configs --------------------------------------------------------------------------------

    @Test
    void shouldCreateTopicWithConfigsAndShowThemInEveryMetadata() {
        registerThree();
        Map<String, String> configs = Map.of("retention.ms", "1000", "segment.bytes", "4096", "flush.ms", "5");

        assertThat(state.createTopic("kept", 2, configs, now)).isEqualTo(ErrorCode.NONE);

        Map<String, String> withClusterMinIsr = new java.util.HashMap<>(configs);
        withClusterMinIsr.put("min.insync.replicas", "1");
        assertThat(topic("kept").configs()).isEqualTo(withClusterMinIsr);
        assertThat(topic("kept").configs().keySet())
            .containsExactly("flush.ms", "min.insync.replicas", "retention.ms", "segment.bytes");
        assertThat(topic("kept").longConfig("retention.ms", -5)).isEqualTo(1000);
        state.checkLiveness(now + TIMEOUT_MS + 1); // a later epoch still carries them
        assertThat(topic("kept").partitions()).allSatisfy(p -> assertThat(p.online()).isFalse());
        assertThat(topic("kept").configs()).isEqualTo(withClusterMinIsr);
        assertThat(state.snapshot().topics()).singleElement().as("the cluster's value is not stored with the topic")
            .satisfies(t -> assertThat(t.configs()).isEqualTo(configs));
    }

    @Test
    void shouldCreateTopicsWithoutConfigsAndAutoCreatedTopicsWithOnlyTheClustersMinInsyncReplicas() {
        registerThree();

        state.createTopic("plain", 1, now);
        state.lookupTopics(true, List.of("auto"), now);

        assertThat(topic("plain").configs()).containsExactly(Map.entry("min.insync.replicas", "1"));
        assertThat(topic("auto").configs()).containsExactly(Map.entry("min.insync.replicas", "1"));
        assertThat(state.snapshot().topics()).allSatisfy(t -> assertThat(t.configs()).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cleanup.policy=compact", "retention.ms=abc", "retention.ms=-2", "segment.bytes=4095",
        "segment.ms=0", "flush.messages=0", "flush.ms=-1", "segment.ms=1.5", "retention.ms=+100"})
    void shouldRejectUnknownKeysAndBadValuesWithInvalidConfigChangingNothing(String config) {
        registerThree();
        long epoch = state.epoch();
        String[] kv = config.split("=", 2);
        Map<String, String> configs = Map.of(kv[0], kv[1], "retention.bytes", "-1"); // one good, one bad

        assertThat(state.createTopic("t", 2, configs, now)).isEqualTo(ErrorCode.INVALID_CONFIG);

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(topic("t")).isNull();
        assertThat(state.snapshot().topics()).isEmpty();
        assertThat(TopicConfigs.problem(configs)).contains(kv[0]).contains(kv[1]);
    }

    @Test
    void shouldCheckTheNameAndPartitionsBeforeTheConfigsAndTheConfigsBeforeExistence() {
        registerThree();
        state.createTopic("t", 1, now);
        Map<String, String> bad = Map.of("nope", "1");

        assertThat(state.createTopic("bad name", 1, bad, now)).isEqualTo(ErrorCode.INVALID_TOPIC);
        assertThat(state.createTopic("u", 0, bad, now)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.createTopic("t", 1, bad, now)).isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(state.validateNewTopic("u", 1, bad, now)).isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(state.validateNewTopic("u", 1, Map.of("flush.ms", "10"), now)).isEqualTo(ErrorCode.NONE);
    }

    @Test
    void shouldRestoreTopicConfigs() {
        registerThree();
        state.createTopic("kept", 2, Map.of("retention.ms", "-1", "segment.ms", "60000"), now);
        state.createTopic("plain", 1, now);

        ClusterState restored = ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now);

        assertThat(restored.metadata().topic("kept").configs())
            .containsExactly(Map.entry("min.insync.replicas", "1"), Map.entry("retention.ms", "-1"),
                Map.entry("segment.ms", "60000"));
        assertThat(restored.metadata().topic("plain").configs())
            .containsExactly(Map.entry("min.insync.replicas", "1"));
    }

    @Test
    void shouldRefuseSnapshotWithAnInvalidConfig() {
        CoordinatorSnapshot bad = new CoordinatorSnapshot(3, 1, List.of(new CoordinatorSnapshot.Broker(1, "h", 1)),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(1, 0)),
                Map.of("segment.bytes", "12"))), List.of());

        assertThatThrownBy(() -> ClusterState.restore(TIMEOUT_MS, 3, true, bad, now))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("topic t")
            .hasMessageContaining("segment.bytes=12");
    }
}
