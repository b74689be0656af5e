package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.testing.CapturedLogs;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A live broker lists, in every heartbeat, the partitions it cannot serve: they go offline as on a broker death and
 * come back when it stops listing them. Time is passed in by hand: no sockets, no sleeps.
 */
class ClusterStateOfflineReportTest {
    private static final long TIMEOUT_MS = 1000;
    private static final PartitionRef T1 = new PartitionRef("t", 1);
    private static final PartitionRef T4 = new PartitionRef("t", 4);

    private static final InetSocketAddress REMOTE = ClusterStateTest.REMOTE;

    private long now = 1_000_000;
    private final ClusterState state = new ClusterState(TIMEOUT_MS, 3, true);
    private TopicInfo before;

    /** Three brokers; topic t with 6 partitions on brokers 1, 2, 3, 1, 2, 3: broker 2 holds t-1 and t-4. */
    @BeforeEach
    void threeBrokersAndATopic() {
        assertThat(state.registerBroker(1, "h1", 9001, 101, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.registerBroker(2, "h2", 9002, 102, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.registerBroker(3, "h3", 9003, 103, REMOTE, now).error()).isEqualTo(ErrorCode.NONE);
        for (int id = 1; id <= 3; id++) {
            assertThat(heartbeat(id)).isEqualTo(new HeartbeatResult(true, false));
        }
        assertThat(state.createTopic("t", 6, now)).isEqualTo(ErrorCode.NONE);
        before = topic();
        assertThat(before.partitions()).extracting(PartitionInfo::preferredLeader).containsExactly(1, 2, 3, 1, 2, 3);
    }

    /** A one-replica partition's expected metadata. */
    static PartitionInfo single(int partition, int leader, int leaderEpoch, int partitionEpoch, int replica) {
        return new PartitionInfo(partition, leader, leaderEpoch, partitionEpoch, List.of(replica), List.of(replica));
    }

    private TopicInfo topic() {
        return state.metadata().topic("t");
    }

    /** The connection each broker registered on, by id (none for an unknown one). */
    private final Map<Integer, Long> connection = new HashMap<>(Map.of(1, 101L, 2, 102L, 3, 103L));

    private HeartbeatResult heartbeat(int broker, PartitionRef... offline) {
        return state.heartbeat(broker, connection.getOrDefault(broker, 0L), List.of(offline), now);
    }

    @Test
    void shouldTakeOnlyTheReportedPartitionOfflineWithOneEpochBumpAndItsLeaderEpochKept() {
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            HeartbeatResult r = heartbeat(2, T1);

            assertThat(r).isEqualTo(new HeartbeatResult(true, true));
            assertThat(logs.at(Level.INFO)).containsExactly("partition t-1 leader 2 -> none, leaderEpoch 0, isr [2] "
                + "(broker 2 reports it cannot serve it; the reason is in that broker's log), partitionEpoch 1, epoch "
                + (epoch + 1));
        }
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        ClusterMetadata md = state.metadata();
        assertThat(md.epoch()).isEqualTo(epoch + 1);
        assertThat(md.broker(2).alive()).as("the broker itself stays alive").isTrue();
        for (PartitionInfo p : md.topic("t").partitions()) {
            if (p.partition() == 1) {
                assertThat(p).isEqualTo(single(1, PartitionInfo.NO_LEADER, 0, 1, 2));
            } else {
                assertThat(p).as("partition %d", p.partition()).isEqualTo(before.partition(p.partition()));
            }
        }
    }

    @Test
    void shouldChangeNothingWhileTheSameReportRepeatsInAnyOrderAndWithRepeats() {
        heartbeat(2, T1, T4);
        long epoch = state.epoch();
        TopicInfo offline = topic();
        assertThat(offline.partitions()).extracting(PartitionInfo::leader).containsExactly(1, -1, 3, 1, -1, 3);

        for (int i = 0; i < 100; i++) {
            now += TIMEOUT_MS / 2;
            assertThat(i % 2 == 0 ? heartbeat(2, T4, T1) : heartbeat(2, T1, T4, T1))
                .isEqualTo(new HeartbeatResult(true, false));
            heartbeat(1);
            heartbeat(3);
            assertThat(state.checkLiveness(now)).isFalse();
        }

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(topic()).isEqualTo(offline);
    }

    @Test
    void shouldLeadAgainWithABumpedLeaderEpochOnceNoLongerReported() {
        heartbeat(2, T1, T4);
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            assertThat(heartbeat(2, T4)).isEqualTo(new HeartbeatResult(true, true));

            assertThat(logs.at(Level.INFO)).containsExactly("partition t-1 leader none -> 2, leaderEpoch 1, isr [2] "
                + "(broker 2 no longer reports it cannot serve it), partitionEpoch 2, epoch " + (epoch + 1));
        }
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic().partition(1)).isEqualTo(single(1, 2, 1, 2, 2));
        assertThat(topic().partition(4).online()).isFalse();

        assertThat(heartbeat(2)).isEqualTo(new HeartbeatResult(true, true));
        assertThat(state.epoch()).isEqualTo(epoch + 2);
        assertThat(topic().partitions()).extracting(PartitionInfo::leader).containsExactly(1, 2, 3, 1, 2, 3);
        assertThat(topic().partitions()).extracting(PartitionInfo::leaderEpoch).containsExactly(0, 1, 0, 0, 1, 0);
        assertThat(state.snapshot().topics().get(0).partitions().get(1).leaderEpoch())
            .as("the new term is persisted").isEqualTo(1);
    }

    @Test
    void shouldTakeOnePartitionOfflineAndAnotherBackInOneEpochBump() {
        heartbeat(2, T1);
        long epoch = state.epoch();

        assertThat(heartbeat(2, T4)).isEqualTo(new HeartbeatResult(true, true));

        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic().partition(1)).isEqualTo(single(1, 2, 1, 2, 2));
        assertThat(topic().partition(4)).isEqualTo(single(4, PartitionInfo.NO_LEADER, 0, 1, 2));
    }

    @Test
    void shouldWarnAboutAndIgnoreEntriesThatAreNotTheBrokersOwnButApplyTheRest() {
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(OfflineReports.class)) {
            HeartbeatResult r = heartbeat(2, new PartitionRef("nope", 0), new PartitionRef("t", 6),
                new PartitionRef("t", -1), new PartitionRef("t", 0), T1);

            assertThat(r).isEqualTo(new HeartbeatResult(true, true));
            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("broker 2", "nope-0 (unknown topic)",
                "t-6 (topic t has partitions 0..5)", "t--1 (topic t has partitions 0..5)",
                "t-0 (its replicas are brokers [1])", "ignoring them");
        }
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic().partitions()).extracting(PartitionInfo::leader).containsExactly(1, -1, 3, 1, 2, 3);
    }

    @Test
    void shouldNotChangeAnythingForAReportOfOnlyForeignPartitions() {
        long epoch = state.epoch();

        assertThat(heartbeat(3, new PartitionRef("t", 0), new PartitionRef("gone", 2)))
            .isEqualTo(new HeartbeatResult(true, false));

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(topic()).isEqualTo(before);
        assertThat(heartbeat(3)).isEqualTo(new HeartbeatResult(true, false));
    }

    @Test
    void shouldWarnAboutARepeatedForeignEntryOnlyOncePerInterval() {
        PartitionRef foreign = new PartitionRef("t", 0);
        try (CapturedLogs logs = new CapturedLogs(OfflineReports.class)) {
            // A broker listing another broker's partition with every heartbeat, every 100 ms for 90 s.
            for (int i = 0; i < 900; i++) {
                heartbeat(2, foreign);
                now += 100;
            }
            heartbeat(2, foreign, new PartitionRef("t", 2));

            List<String> warnings = logs.at(Level.WARN);
            assertThat(warnings).hasSize(4);
            assertThat(warnings.get(0)).contains("t-0 (its replicas are brokers [1])").doesNotContain("since the last");
            assertThat(warnings.get(1)).contains("listed 299 more time(s) since the last warning");
            assertThat(warnings.get(2)).contains("listed 299 more time(s)");
            assertThat(warnings.get(3)).as("another list is news").contains("t-2 (its replicas are brokers [3])")
                .doesNotContain("since the last");
            assertThat(logs.at(Level.DEBUG)).hasSize(900 - 3);
        }
        assertThat(topic()).isEqualTo(before);
    }

    @Test
    void shouldNameOnlyTheFirstTenIgnoredEntries() {
        List<PartitionRef> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(new PartitionRef("unknown-" + i, i));
        }
        try (CapturedLogs logs = new CapturedLogs(OfflineReports.class)) {
            assertThat(state.heartbeat(2, connection.get(2), many, now)).isEqualTo(new HeartbeatResult(true, false));

            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("unknown-9-9 (unknown topic)",
                "and 990 more").doesNotContain("unknown-10-10");
        }
    }

    @Test
    void shouldIgnoreTheReportOfAnUnknownOrDeadBroker() {
        long epoch = state.epoch();

        assertThat(heartbeat(9, T1)).isEqualTo(new HeartbeatResult(false, false));
        now += TIMEOUT_MS + 1;
        heartbeat(1);
        heartbeat(3);
        assertThat(state.checkLiveness(now)).isTrue();
        assertThat(heartbeat(2, T1)).as("declared dead: must register first").isEqualTo(new HeartbeatResult(false,
            false));

        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic().partition(1).online()).isFalse();
        assertThat(topic().partition(1).leaderEpoch()).isZero();
    }

    @Test
    void shouldKeepAnOfflinePartitionOfflineWhenItsBrokerDiesAndLeadItAgainWhenTheBrokerReturns() {
        heartbeat(2, T1);
        now += TIMEOUT_MS + 1;
        heartbeat(1);
        heartbeat(3);
        long epoch = state.epoch();
        try (CapturedLogs logs = new CapturedLogs(PartitionStates.class)) {
            assertThat(state.checkLiveness(now)).isTrue();

            assertThat(logs.at(Level.INFO)).as("t-1 had no leader to lose").containsExactly(
                "partition t-4 leader 2 -> none, leaderEpoch 0, isr [2] (broker 2 dead), partitionEpoch 1, epoch "
                    + (epoch + 1));
        }
        assertThat(topic().partitions()).extracting(PartitionInfo::leader).containsExactly(1, -1, 3, 1, -1, 3);

        // The broker restarts with its log repaired: it registers, leads everything, and lists nothing.
        assertThat(state.registerBroker(2, "h2", 9002, 202, REMOTE, now).changed()).isTrue();
        connection.put(2, 202L);
        assertThat(topic().partitions()).extracting(PartitionInfo::leader).containsExactly(1, 2, 3, 1, 2, 3);
        assertThat(topic().partitions()).extracting(PartitionInfo::leaderEpoch).containsExactly(0, 1, 0, 0, 1, 0);
        epoch = state.epoch();
        assertThat(heartbeat(2)).isEqualTo(new HeartbeatResult(true, false));
        assertThat(state.epoch()).isEqualTo(epoch);
    }

    @Test
    void shouldLeadEveryPartitionAgainWhenTheBrokerRestartsAndTakeOfflineWhatItStillCannotServe() {
        heartbeat(2, T1);
        long epoch = state.epoch();

        // The old process exited (its connection closed) and a new one registers from the same address: a restart,
        // accepted before the heartbeat timeout.
        state.connectionClosed(connection.get(2));
        assertThat(state.registerBroker(2, "h2", 9002, 202, REMOTE, now).changed()).isTrue();
        connection.put(2, 202L);
        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic().partition(1)).isEqualTo(single(1, 2, 1, 2, 2));
        assertThat(topic().partition(4)).as("ended with the old incarnation, led by the new one")
            .isEqualTo(single(4, 2, 1, 2, 2));

        // Its first heartbeat, right after the registration, says the log is still damaged.
        assertThat(heartbeat(2, T1)).isEqualTo(new HeartbeatResult(true, true));
        assertThat(state.epoch()).isEqualTo(epoch + 2);
        assertThat(topic().partition(1)).isEqualTo(single(1, PartitionInfo.NO_LEADER, 1, 3, 2));
    }

    @Test
    void shouldKeepLeadersAcrossACoordinatorRestartAndElectOnlyOnceTheBrokersFirstHeartbeatIsKnown() {
        heartbeat(2, T4);
        TopicInfo beforeRestart = topic();
        now += 10;
        ClusterState restored = ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now);
        assertThat(restored.metadata().topic("t")).as("nothing re-elected").isEqualTo(beforeRestart);
        assertThat(restored.metadata().broker(2).alive()).isTrue();

        // The broker's heartbeat reaches the new coordinator before it registered again: refused, nothing applied.
        assertThat(restored.heartbeat(2, 302, List.of(T4), now)).isEqualTo(new HeartbeatResult(false, false));
        long epoch = restored.epoch();
        RegisterResult again = restored.registerBroker(2, "h2", 9002, 102, 302, REMOTE, now);
        assertThat(again.changed()).as("the same incarnation").isFalse();
        assertThat(restored.epoch()).isEqualTo(epoch);

        // Its list is the same as before the restart: nothing changes.
        assertThat(restored.heartbeat(2, 302, List.of(T4), now)).isEqualTo(new HeartbeatResult(true, false));
        assertThat(restored.metadata().topic("t")).isEqualTo(beforeRestart);

        // Repaired: it leads t-4 again.
        assertThat(restored.heartbeat(2, 302, List.of(), now)).isEqualTo(new HeartbeatResult(true, true));
        assertThat(restored.metadata().topic("t").partition(4)).isEqualTo(single(4, 2, 1, 2, 2));
    }

    @Test
    void shouldLeadWhatTheBrokerNoLongerReportsOnceItsFirstHeartbeatAfterACoordinatorRestartListsNothing() {
        heartbeat(2, T4);
        ClusterState restored = ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now);
        restored.registerBroker(2, "h2", 9002, 102, 302, REMOTE, now);

        assertThat(restored.heartbeat(2, 302, List.of(), now)).isEqualTo(new HeartbeatResult(true, true));

        assertThat(restored.metadata().topic("t").partition(4)).isEqualTo(single(4, 2, 1, 2, 2));
    }

    @Test
    void shouldCountWhatABrokerCannotServeAsItsLoadWhenPlacingANewTopicAndLeadItsNewPartitions() {
        heartbeat(2, T1, T4);

        assertThat(state.createTopic("u", 3, now)).isEqualTo(ErrorCode.NONE);

        TopicInfo u = state.metadata().topic("u");
        assertThat(u.partitions()).allSatisfy(p -> assertThat(p.leader()).isEqualTo(p.preferredLeader()));
        assertThat(u.partitions()).extracting(PartitionInfo::preferredLeader)
            .as("broker 2 leads fewest now, but not fewer than the others once its two offline ones count: by id")
            .containsExactly(1, 2, 3);
        assertThat(topic().partition(1).online()).isFalse();
        assertThat(heartbeat(2, T1, T4)).isEqualTo(new HeartbeatResult(true, false));
    }

    @Test
    void shouldHandleEveryPartitionOfTheBrokerListedAtOnce() {
        long epoch = state.epoch();
        List<PartitionRef> all = new ArrayList<>(Collections.nCopies(3, T1));
        all.add(T4);

        assertThat(state.heartbeat(2, connection.get(2), all, now)).isEqualTo(new HeartbeatResult(true, true));

        assertThat(state.epoch()).isEqualTo(epoch + 1);
        assertThat(topic().partitions()).extracting(PartitionInfo::leader).containsExactly(1, -1, 3, 1, -1, 3);
    }
}
