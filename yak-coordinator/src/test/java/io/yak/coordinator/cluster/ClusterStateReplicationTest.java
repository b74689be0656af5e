package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.testing.CapturedLogs;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replication through the cluster state: placement with a replication factor, broker incarnations and epochs,
 * elections from the ISR, unclean and preferred elections, ALTER_ISR and a restart. Three brokers, replication
 * factor 3, time passed in by hand.
 */
class ClusterStateReplicationTest {
    private static final long TIMEOUT_MS = 1000;
    private static final InetSocketAddress REMOTE = ClusterStateTest.REMOTE;
    private static final int NONE = PartitionInfo.NO_LEADER;

    private long now = 1_000_000;
    private ClusterState state = cluster(ReplicationSettings.DEFAULTS.withDefaultReplicationFactor(3));
    /** Each broker's current connection; incarnations are 10 + id for the first process. */
    private final long[] connection = {0, 101, 102, 103};

    private static ClusterState cluster(ReplicationSettings settings) {
        return new ClusterState(TIMEOUT_MS, 3, true, BrokerIds.ANY, ClusterState.FORGET_NEVER, settings);
    }

    @BeforeEach
    void threeBrokers() {
        startBrokers(state);
    }

    private void startBrokers(ClusterState s) {
        for (int id = 1; id <= 3; id++) {
            assertThat(s.registerBroker(id, "h" + id, 9000 + id, 10 + id, connection[id], REMOTE, now).error())
                .isEqualTo(ErrorCode.NONE);
            assertThat(s.heartbeat(id, connection[id], List.of(), now).known()).isTrue();
        }
    }

    private HeartbeatResult heartbeat(int id, PartitionRef... offline) {
        return state.heartbeat(id, connection[id], List.of(offline), now);
    }

    /** Everybody but {@code silent} heartbeats past the timeout; the liveness check declares {@code silent} dead. */
    private void kill(int silent) {
        now += TIMEOUT_MS + 1;
        for (int id = 1; id <= 3; id++) {
            if (id != silent && state.metadata().broker(id).alive()) {
                heartbeat(id);
            }
        }
        assertThat(state.checkLiveness(now)).isTrue();
    }

    private PartitionInfo partition(String topic, int p) {
        return state.metadata().topic(topic).partition(p);
    }

    private static PartitionInfo info(int p, int leader, int leaderEpoch, int partitionEpoch, List<Integer> replicas,
                                      List<Integer> isr) {
        return new PartitionInfo(p, leader, leaderEpoch, partitionEpoch, replicas, isr);
    }

    private long brokerEpoch(int id) {
        return state.metadata().broker(id).brokerEpoch();
    }

    // ---- placement ---------------------------------------------------------------------------------------------

    @Test
    void shouldPlaceEveryPartitionOnDistinctBrokersAllInSyncAndLedByTheFirst() {
        assertThat(state.createTopic("t", 4, now)).isEqualTo(ErrorCode.NONE);

        assertThat(state.metadata().topic("t").partitions()).containsExactly(
            info(0, 1, 0, 0, List.of(1, 2, 3), List.of(1, 2, 3)), info(1, 2, 0, 0, List.of(2, 3, 1), List.of(2, 3, 1)),
            info(2, 3, 0, 0, List.of(3, 1, 2), List.of(3, 1, 2)), info(3, 1, 0, 0, List.of(1, 2, 3), List.of(1, 2, 3)));
    }

    @Test
    void shouldSpreadPreferredLeadersOverTopics() {
        for (int i = 0; i < 6; i++) {
            assertThat(state.createTopic("t" + i, 1, now)).isEqualTo(ErrorCode.NONE);
        }

        assertThat(state.metadata().topics()).extracting(t -> t.partition(0).leader())
            .containsExactly(1, 2, 3, 1, 2, 3);
    }

    @Test
    void shouldRefuseAReplicationFactorAboveTheBrokersAvailableNamingThemAndBadFactors() {
        long epoch = state.epoch();

        TopicCreation tooMany = state.createTopic("t", 1, 4, Map.of(), now);

        assertThat(tooMany).isEqualTo(new TopicCreation(ErrorCode.INVALID_REPLICATION_FACTOR,
            "replication factor 4 > 3 brokers available (ids [1,2,3])"));
        assertThat(state.createTopic("t", 1, 0, Map.of(), now).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.createTopic("t", 1, -2, Map.of(), now).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        kill(2);
        epoch = state.epoch();
        assertThat(state.createTopic("t", 1, -1, Map.of(), now)).as("the default, 3, with broker 2 dead")
            .isEqualTo(new TopicCreation(ErrorCode.INVALID_REPLICATION_FACTOR,
                "replication factor 3 > 2 brokers available (ids [1,3])"));
        assertThat(state.createTopic("t", 1, 2, Map.of(), now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(partition("t", 0).replicas()).containsExactly(1, 3);
        assertThat(state.epoch()).isEqualTo(epoch + 1);
    }

    @Test
    void shouldAnswerAutoCreationRefusedForItsReplicationFactorWithUnknownTopicAndAWarning() {
        kill(3);
        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            TopicLookup lookup = state.lookupTopics(true, List.of("auto"), now);
            state.lookupTopics(true, List.of("auto"), now + 1);

            assertThat(lookup.error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
            assertThat(lookup.message()).contains("replication factor 3 > 2 brokers available (ids [1,2])");
            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("cannot create topic 'auto' yet");
        }
        assertThat(state.metadata().topic("auto")).isNull();
    }

    // ---- elections ---------------------------------------------------------------------------------------------

    @Test
    void shouldMoveADeadLeadersPartitionsToTheNextInSyncReplicaAndDropDeadFollowersFromTheIsr() {
        state.createTopic("t", 3, now);
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            kill(1);

            assertThat(logs.at(Level.INFO)).containsExactly(
                "partition t-0 leader 1 -> 2, leaderEpoch 1, isr [2,3] (broker 1 dead), partitionEpoch 1, epoch "
                    + (epoch + 1),
                "partition t-1 isr [2,3,1] -> [2,3] (broker 1 dead), partitionEpoch 1, epoch " + (epoch + 1),
                "partition t-2 isr [3,1,2] -> [3,2] (broker 1 dead), partitionEpoch 1, epoch " + (epoch + 1));
        }
        assertThat(state.epoch()).isEqualTo(epoch + 1);
    }

    @Test
    void shouldKeepTheLastReplicaStandingAndLetOnlyItLeadAgain() {
        state.createTopic("t", 1, now);
        kill(3);
        kill(2);
        assertThat(partition("t", 0)).isEqualTo(info(0, 1, 0, 2, List.of(1, 2, 3), List.of(1)));
        kill(1);
        assertThat(partition("t", 0)).as("offline, isr kept").isEqualTo(info(0, NONE, 0, 3, List.of(1, 2, 3),
            List.of(1)));

        state.registerBroker(2, "h2", 9002, 12, 202, REMOTE, now);
        connection[2] = 202;
        assertThat(partition("t", 0).leader()).as("2 was not in sync when 1 died").isEqualTo(NONE);

        state.registerBroker(1, "h1", 9001, 21, 201, REMOTE, now);
        assertThat(partition("t", 0)).isEqualTo(info(0, 1, 1, 4, List.of(1, 2, 3), List.of(1)));
    }

    @Test
    void shouldKeepReplicasThatLeftAnIsrBelowMinInsyncReplicasAsEligibleLeadersAndPreferThemToAnUncleanOne() {
        state = cluster(ReplicationSettings.DEFAULTS.withDefaultReplicationFactor(3).withMinInsyncReplicas(2));
        startBrokers(state);
        state.createTopic("t", 1, now);
        assertThat(state.brokerShutdown(3, connection[3])).isTrue();
        assertThat(state.brokerShutdown(2, connection[2])).isTrue();
        assertThat(partition("t", 0)).as("2 left an ISR of 1: the high watermark stays within what 2 has")
            .isEqualTo(new PartitionInfo(0, 1, 0, 2, List.of(1, 2, 3), List.of(1), List.of(2)));
        kill(1);
        assertThat(state.metadata().topic("t").config("min.insync.replicas")).isEqualTo("2");

        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            state.registerBroker(1, "h1", 9001, 21, false, 201, REMOTE, now); // a power loss may have cut its tail
            assertThat(partition("t", 0)).as("no longer a candidate: 2 may hold records 1 lost")
                .isEqualTo(new PartitionInfo(0, NONE, 0, 4, List.of(1, 2, 3), List.of(), List.of(2)));
            assertThat(logs.at(Level.INFO)).anyMatch(l -> l.contains("partition t-0 isr [1] -> []")
                && l.contains("registered after an unclean shutdown"));
        }
        state.registerBroker(3, "h3", 9003, 23, true, 203, REMOTE, now);
        assertThat(partition("t", 0).leader()).as("3 left while the ISR still had 2").isEqualTo(NONE);
        state.registerBroker(2, "h2", 9002, 22, true, 202, REMOTE, now);
        assertThat(partition("t", 0)).isEqualTo(new PartitionInfo(0, 2, 1, 5, List.of(1, 2, 3), List.of(2),
            List.of()));
    }

    @Test
    void shouldLetTheLastCandidateLeadAgainAfterAnUncleanShutdown() {
        state = cluster(ReplicationSettings.DEFAULTS.withDefaultReplicationFactor(3).withMinInsyncReplicas(2));
        startBrokers(state);
        state.createTopic("t", 1, now);
        kill(3);
        kill(2);
        kill(1);
        assertThat(partition("t", 0)).as("2 and 3 died, not known clean: still eligible")
            .isEqualTo(new PartitionInfo(0, NONE, 0, 3, List.of(1, 2, 3), List.of(1), List.of(2)));
        state.registerBroker(2, "h2", 9002, 22, false, 202, REMOTE, now);
        state.registerBroker(1, "h1", 9001, 21, false, 201, REMOTE, now);

        assertThat(partition("t", 0)).as("2 dropped first; then 1 is the only candidate and leads")
            .isEqualTo(new PartitionInfo(0, 1, 1, 5, List.of(1, 2, 3), List.of(1), List.of()));
    }

    @Test
    void shouldElectUncleanlyOnlyWhenEnabled() {
        state = cluster(ReplicationSettings.DEFAULTS.withDefaultReplicationFactor(3).withUncleanLeaderElection(true));
        startBrokers(state);
        state.createTopic("t", 1, now);
        kill(3);
        kill(2);
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            kill(1);
            state.registerBroker(3, "h3", 9003, 23, 303, REMOTE, now);

            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("partition t-0 leader none -> 3",
                "unclean election", "records only they had are lost");
        }
        assertThat(partition("t", 0)).isEqualTo(info(0, 3, 1, 4, List.of(1, 2, 3), List.of(3)));
    }

    @Test
    void shouldEndTheOldIncarnationOfARestartedBrokerAndGiveTheNewOneALargerBrokerEpoch() {
        state.createTopic("t", 3, now);
        long oldEpoch = brokerEpoch(1);
        state.connectionClosed(connection[1]);

        RegisterResult restarted = state.registerBroker(1, "h1", 9001, 21, 201, REMOTE, now);

        assertThat(restarted.changed()).isTrue();
        assertThat(restarted.brokerEpoch()).isGreaterThan(state.metadata().brokers().stream()
            .filter(b -> b.id() != 1).mapToLong(b -> b.brokerEpoch()).max().orElseThrow()).isGreaterThan(oldEpoch);
        assertThat(brokerEpoch(1)).isEqualTo(restarted.brokerEpoch());
        assertThat(partition("t", 0)).as("led by 2, 1 not in sync: the leader adds it once it caught up")
            .isEqualTo(info(0, 2, 1, 1, List.of(1, 2, 3), List.of(2, 3)));
        assertThat(partition("t", 1).isr()).containsExactly(2, 3);
    }

    @Test
    void shouldChangeNothingWhenTheSameIncarnationRegistersAgainOnANewConnection() {
        state.createTopic("t", 3, now);
        long epoch = state.epoch();
        long brokerEpoch = brokerEpoch(1);
        state.connectionClosed(connection[1]);

        RegisterResult again = state.registerBroker(1, "h1", 9001, 11, 201, REMOTE, now);

        assertThat(again).isEqualTo(new RegisterResult(ErrorCode.NONE, false, brokerEpoch));
        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(state.heartbeat(1, 101, List.of(), now).known()).as("the old connection is done").isFalse();
        assertThat(state.heartbeat(1, 201, List.of(), now).known()).isTrue();
    }

    @Test
    void shouldAcceptTheSameIncarnationFromTheSameAddressEvenWhileItsOldConnectionLooksOpen() {
        RegisterResult again = state.registerBroker(1, "h1", 9001, 11, 201, REMOTE, now);

        assertThat(again.error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.registerBroker(1, "h1", 9001, 99, 202, REMOTE, now).error()).as("another process")
            .isEqualTo(ErrorCode.BROKER_ID_IN_USE);
    }

    @Test
    void shouldLeadOfflinePartitionsInItsIsrWhenTheSameIncarnationReturnsAfterBeingDeclaredDead() {
        state.createTopic("t", 2, now);
        kill(2);
        kill(3);
        kill(1);
        long brokerEpoch = state.snapshot().brokers().get(0).brokerEpoch();

        RegisterResult back = state.registerBroker(1, "h1", 9001, 11, 201, REMOTE, now);

        assertThat(back).isEqualTo(new RegisterResult(ErrorCode.NONE, true, brokerEpoch));
        assertThat(partition("t", 0).leader()).as("its list of partitions it cannot serve was cleared at its death: "
            + "elected nowhere until its next heartbeat").isEqualTo(NONE);
        connection[1] = 201;
        heartbeat(1, new PartitionRef("t", 1)); // it still cannot serve t-1
        assertThat(partition("t", 0)).isEqualTo(info(0, 1, 1, 4, List.of(1, 2, 3), List.of(1)));
        assertThat(partition("t", 1).leader()).isEqualTo(NONE);
    }

    @Test
    void shouldMoveLeadershipAwayFromABrokerShuttingDownCleanly() {
        state.createTopic("t", 3, now);

        assertThat(state.brokerShutdown(2, connection[2])).isTrue();

        assertThat(state.metadata().topic("t").partitions()).extracting(PartitionInfo::leader)
            .containsExactly(1, 3, 3);
        assertThat(state.metadata().topic("t").partitions()).allSatisfy(p -> assertThat(p.isr()).doesNotContain(2));
    }

    @Test
    void shouldApplyAnOfflineReportToThatPartitionOnlyAndLeadAgainOnlyWhenOffline() {
        state.createTopic("t", 3, now);
        PartitionRef t0 = new PartitionRef("t", 0);

        assertThat(heartbeat(1, t0).changed()).isTrue();
        assertThat(partition("t", 0)).isEqualTo(info(0, 2, 1, 1, List.of(1, 2, 3), List.of(2, 3)));
        assertThat(partition("t", 1).isr()).containsExactly(2, 3, 1);
        assertThat(heartbeat(1).changed()).as("led by 2: the leader re-adds 1 via ALTER_ISR").isFalse();
        assertThat(partition("t", 0).leader()).isEqualTo(2);

        assertThat(heartbeat(2, t0).changed()).isTrue();
        assertThat(heartbeat(3, t0).changed()).isTrue();
        assertThat(partition("t", 0)).isEqualTo(info(0, NONE, 2, 3, List.of(1, 2, 3), List.of(3)));
        assertThat(heartbeat(3).changed()).isTrue();
        assertThat(partition("t", 0)).isEqualTo(info(0, 3, 3, 4, List.of(1, 2, 3), List.of(3)));
    }

    @Test
    void shouldMoveLeadershipBackToThePreferredReplicaOnlyOnceItIsBackInTheIsr() {
        state.createTopic("t", 1, now);
        state.connectionClosed(connection[1]);
        state.registerBroker(1, "h1", 9001, 21, 201, REMOTE, now);
        connection[1] = 201;
        heartbeat(1);
        assertThat(partition("t", 0).leader()).isEqualTo(2);

        assertThat(state.electPreferredLeaders()).as("1 not in sync").isFalse();
        AlterIsrOutcome added = state.alterIsr(2, brokerEpoch(2), List.of(new AlterIsrPartition("t", 0, 1, 1,
            List.of(1, 2, 3))));
        assertThat(added.results()).extracting(AlterIsrResult::error).containsExactly(ErrorCode.NONE);
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            assertThat(state.electPreferredLeaders()).isTrue();

            assertThat(logs.at(Level.INFO)).containsExactly("partition t-0 leader 2 -> 1, leaderEpoch 2, isr [1,2,3] "
                + "(preferred replica back in sync), partitionEpoch 3, epoch " + (epoch + 1));
        }
        assertThat(state.electPreferredLeaders()).isFalse();
    }

    // ---- ALTER_ISR ---------------------------------------------------------------------------------------------

    private AlterIsrResult alter(int broker, long brokerEpoch, String topic, int p, int leaderEpoch,
                                 int partitionEpoch, Integer... isr) {
        AlterIsrOutcome o = state.alterIsr(broker, brokerEpoch, List.of(new AlterIsrPartition(topic, p, leaderEpoch,
            partitionEpoch, List.of(isr))));
        assertThat(o.error()).isEqualTo(ErrorCode.NONE);
        return o.results().get(0);
    }

    @Test
    void shouldShrinkAndGrowTheIsrCompareAndSetOnThePartitionEpoch() {
        state.createTopic("t", 1, now);
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 0, 1, 3)).isEqualTo(new AlterIsrResult("t", 0,
                ErrorCode.NONE, 1, 0, 1, List.of(1, 3)));

            assertThat(logs.at(Level.INFO)).containsExactly("partition t-0 isr [1,2,3] -> [1,3] (asked by leader 1), "
                + "partitionEpoch 1, epoch " + (epoch + 1));
        }
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 0, 1)).as("computed from the old version")
            .isEqualTo(new AlterIsrResult("t", 0, ErrorCode.INVALID_UPDATE_VERSION, 1, 0, 1, List.of(1, 3)));
        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 1, 3, 2, 1)).as("stored in replicas order")
            .isEqualTo(new AlterIsrResult("t", 0, ErrorCode.NONE, 1, 0, 2, List.of(1, 2, 3)));
        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 2, 1, 2, 3)).as("no change, no new version")
            .isEqualTo(new AlterIsrResult("t", 0, ErrorCode.NONE, 1, 0, 2, List.of(1, 2, 3)));
        assertThat(state.epoch()).isEqualTo(epoch + 2);
        assertThat(state.snapshot().topics().get(0).partitions().get(0).isr()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldRefuseTheWholeRequestOfAnUnknownDeadOrStaleBroker() {
        state.createTopic("t", 1, now);
        List<AlterIsrPartition> shrink = List.of(new AlterIsrPartition("t", 0, 0, 0, List.of(1)));
        long epoch = state.epoch();

        assertThat(state.alterIsr(9, 1, shrink)).isEqualTo(new AlterIsrOutcome(ErrorCode.UNKNOWN_BROKER, List.of(),
            false));
        assertThat(state.alterIsr(1, brokerEpoch(1) - 1, shrink)).isEqualTo(new AlterIsrOutcome(
            ErrorCode.STALE_BROKER_EPOCH, List.of(), false));
        long oldEpoch = brokerEpoch(1);
        state.connectionClosed(connection[1]);
        state.registerBroker(1, "h1", 9001, 21, 201, REMOTE, now);
        epoch = state.epoch();
        assertThat(state.alterIsr(1, oldEpoch, shrink).error()).as("the old incarnation")
            .isEqualTo(ErrorCode.STALE_BROKER_EPOCH);
        kill(1);
        epoch = state.epoch();
        assertThat(state.alterIsr(1, brokerEpoch(2), shrink).error()).isEqualTo(ErrorCode.UNKNOWN_BROKER);
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldAnswerEachPartitionsErrorInTheOrderOfTheChecksAndApplyTheOthers() {
        state.createTopic("t", 3, now); // led by 1, 2, 3
        long e1 = brokerEpoch(1);
        kill(2); // t-0: isr [1,3], partition epoch 1; t-1: led by 3; t-2: isr [3,1]

        AlterIsrOutcome o = state.alterIsr(1, e1, List.of(
            new AlterIsrPartition("nope", 0, 0, 0, List.of(1)),
            new AlterIsrPartition("t", 5, 0, 0, List.of(1)),
            new AlterIsrPartition("t", 2, 0, 1, List.of(1)),
            new AlterIsrPartition("t", 0, 7, 1, List.of(1)),
            new AlterIsrPartition("t", 0, 0, 0, List.of(1)),
            new AlterIsrPartition("t", 0, 0, 1, List.of(1, 1)),
            new AlterIsrPartition("t", 0, 0, 1, List.of(1, 4)),
            new AlterIsrPartition("t", 0, 0, 1, List.of(3)),
            new AlterIsrPartition("t", 0, 0, 1, List.of(1, 3, 2)),
            new AlterIsrPartition("t", 0, 0, 1, List.of(1))));

        assertThat(o.results()).extracting(AlterIsrResult::error).containsExactly(ErrorCode.UNKNOWN_TOPIC,
            ErrorCode.UNKNOWN_PARTITION, ErrorCode.NOT_LEADER, ErrorCode.FENCED_LEADER_EPOCH,
            ErrorCode.INVALID_UPDATE_VERSION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST,
            ErrorCode.INVALID_REQUEST, ErrorCode.INELIGIBLE_REPLICA, ErrorCode.NONE);
        assertThat(o.results().get(0)).isEqualTo(new AlterIsrResult("nope", 0, ErrorCode.UNKNOWN_TOPIC, NONE, -1, -1,
            List.of()));
        assertThat(o.results().get(3)).isEqualTo(new AlterIsrResult("t", 0, ErrorCode.FENCED_LEADER_EPOCH, 1, 0, 1,
            List.of(1, 3)));
        assertThat(o.results().get(9)).isEqualTo(new AlterIsrResult("t", 0, ErrorCode.NONE, 1, 0, 2, List.of(1)));
        assertThat(o.changed()).isTrue();
    }

    @Test
    void shouldRefuseToAddAReplicaThatReportsThePartitionOfflineOrIsDead() {
        state.createTopic("t", 1, now);
        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 0, 1).error()).isEqualTo(ErrorCode.NONE);
        heartbeat(2, new PartitionRef("t", 0));

        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 1, 1, 2).error()).isEqualTo(ErrorCode.INELIGIBLE_REPLICA);
        kill(3);
        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 1, 1, 3).error()).isEqualTo(ErrorCode.INELIGIBLE_REPLICA);
        heartbeat(2);
        assertThat(alter(1, brokerEpoch(1), "t", 0, 0, 1, 1, 2).error()).isEqualTo(ErrorCode.NONE);
    }

    // ---- restart -----------------------------------------------------------------------------------------------

    @Test
    void shouldKeepLeadersIsrsEpochsAndBrokerEpochsAcrossARestart() {
        state.createTopic("t", 3, now);
        alter(1, brokerEpoch(1), "t", 0, 0, 0, 1, 2);
        kill(3);
        CoordinatorSnapshot snapshot = state.snapshot();

        ClusterState restored = ClusterState.restore(TIMEOUT_MS, 3, true, BrokerIds.ANY, ClusterState.FORGET_NEVER,
            ReplicationSettings.DEFAULTS, snapshot, now);

        assertThat(restored.metadata().topics()).isEqualTo(state.metadata().topics());
        assertThat(restored.metadata().brokers()).isEqualTo(state.metadata().brokers());
        assertThat(restored.snapshot().brokers()).isEqualTo(snapshot.brokers());
        assertThat(restored.epoch()).isEqualTo(state.epoch() + 1);
        // Broker 3 returns as a new process: a broker epoch larger than every one before, also across the restart.
        RegisterResult three = restored.registerBroker(3, "h3", 9003, 33, 303, REMOTE, now);
        assertThat(three.brokerEpoch()).isGreaterThan(snapshot.epoch());
    }
}
