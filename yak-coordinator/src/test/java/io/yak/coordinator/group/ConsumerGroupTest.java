package io.yak.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.wire.ErrorCode;
import io.yak.wire.testing.CapturedLogs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classic group protocol's state machine, driven by hand with an explicit clock. */
class ConsumerGroupTest {
    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;
    private static final long DELAY_MS = 100;

    private final ConsumerGroup group = new ConsumerGroup("g", DELAY_MS);
    private long now = 1_000;

    private static Map<String, byte[]> protocols(String... names) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String n : names) {
            out.put(n, ("sub-" + n).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The answers a member got, latest last. */
    private static final class Answers {
        final List<JoinResult> joins = new ArrayList<>();
        final List<SyncResult> syncs = new ArrayList<>();

        JoinResult lastJoin() {
            return joins.get(joins.size() - 1);
        }
    }

    private Answers join(String memberId, String instance, String client) {
        Answers a = new Answers();
        group.join(memberId, instance, client, "127.0.0.1", "consumer", protocols("range", "cooperative-sticky"),
            SESSION_MS, REBALANCE_MS, now, a.joins::add);
        return a;
    }

    private void rejoin(String memberId, Answers a) {
        group.join(memberId, null, "c", "127.0.0.1", "consumer", protocols("range", "cooperative-sticky"),
            SESSION_MS, REBALANCE_MS, now, a.joins::add);
    }

    private void sync(String memberId, int generation, Map<String, byte[]> assignments, Answers a) {
        group.sync(memberId, null, generation, assignments, now, a.syncs::add);
    }

    /** Three members join a new group within its initial delay: one generation for all. */
    private List<Answers> threeMembers() {
        List<Answers> out = List.of(join("", null, "a"), join("", null, "b"), join("", null, "c"));
        assertThat(out).allSatisfy(a -> assertThat(a.joins).as("waiting for the initial delay").isEmpty());
        now += DELAY_MS;
        group.tick(now);
        assertThat(out).allSatisfy(a -> assertThat(a.joins).hasSize(1));
        return out;
    }

    /** As Kafka: a member joining during a new group's initial delay extends it, so late starters land in it. */
    @Test
    void shouldExtendTheInitialDelayForEachNewMember() {
        Answers a = join("", null, "a");
        now += DELAY_MS - 10;
        Answers b = join("", null, "b"); // restarts the wait
        now += 20;
        group.tick(now);
        assertThat(a.joins).as("still waiting: b extended the delay").isEmpty();
        now += DELAY_MS;
        group.tick(now);
        assertThat(a.joins).hasSize(1);
        assertThat(b.joins).hasSize(1);
        assertThat(a.joins.get(0).generation()).isEqualTo(b.joins.get(0).generation());
    }

    private Map<String, byte[]> assignEach(List<String> memberIds) {
        Map<String, byte[]> out = new HashMap<>();
        for (String id : memberIds) {
            out.put(id, ("for-" + id).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void shouldFormAGenerationTheLeaderAssigns() {
        List<Answers> m = threeMembers();
        JoinResult first = m.get(0).lastJoin();
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.COMPLETING_REBALANCE);
        assertThat(first.error()).isEqualTo(ErrorCode.NONE);
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.protocol()).isEqualTo("range");
        assertThat(first.leaderId()).isEqualTo(first.memberId());
        assertThat(first.members()).hasSize(3);
        assertThat(m.get(1).lastJoin().members()).as("only the leader sees the subscriptions").isEmpty();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        assertThat(ids).doesNotHaveDuplicates();

        sync(ids.get(1), 1, Map.of(), m.get(1));
        assertThat(m.get(1).syncs).as("a follower waits for the leader").isEmpty();
        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        sync(ids.get(2), 1, Map.of(), m.get(2));
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
        for (int i = 0; i < 3; i++) {
            assertThat(new String(m.get(i).syncs.get(0).assignment(), StandardCharsets.UTF_8))
                .isEqualTo("for-" + ids.get(i));
        }
        assertThat(group.heartbeat(ids.get(2), null, 1, now)).isEqualTo(ErrorCode.NONE);
    }

    @Test
    void shouldRebalanceWhenAMemberJoinsAndFenceTheOldGenerationsCommits() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        Answers d = join("", null, "d");
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.PREPARING_REBALANCE);
        assertThat(group.heartbeat(ids.get(1), null, 1, now)).isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS);
        // still generation 1 while preparing: a member may commit what it processed before it revokes
        assertThat(group.validateCommit(ids.get(1), null, 1)).isEqualTo(ErrorCode.NONE);
        for (int i = 0; i < 3; i++) {
            rejoin(ids.get(i), m.get(i));
        }
        assertThat(d.joins).hasSize(1);
        assertThat(d.lastJoin().generation()).isEqualTo(2);
        assertThat(m.get(0).lastJoin().members()).hasSize(4);
        assertThat(group.validateCommit(ids.get(1), null, 1)).as("a zombie of generation 1")
            .isEqualTo(ErrorCode.ILLEGAL_GENERATION);
        assertThat(group.validateCommit(ids.get(1), null, 2)).as("before the new assignment is out")
            .isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS);
        assertThat(group.validateCommit("", null, -1)).as("a commit from outside a group with members")
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldExpireASilentMemberAfterItsSessionTimeout() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        now += SESSION_MS / 2;
        group.heartbeat(ids.get(0), null, 1, now);
        group.heartbeat(ids.get(1), null, 1, now);
        now += SESSION_MS / 2 + 1;
        group.tick(now);
        assertThat(group.memberIds()).containsExactly(ids.get(0), ids.get(1));
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.PREPARING_REBALANCE);
        assertThat(group.heartbeat(ids.get(2), null, 1, now)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(group.validateCommit(ids.get(2), null, 1)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        rejoin(ids.get(0), m.get(0));
        rejoin(ids.get(1), m.get(1));
        assertThat(m.get(0).lastJoin().generation()).isEqualTo(2);
        assertThat(m.get(0).lastJoin().members()).hasSize(2);
    }

    @Test
    void shouldDropAMemberThatDoesNotRejoinWithinTheRebalanceTimeout() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        rejoin(ids.get(0), m.get(0)); // the leader asks for a rebalance
        for (int t = 0; t < REBALANCE_MS; t += 1000) { // b heartbeats but never rejoins; c rejoins
            now += 1000;
            group.heartbeat(ids.get(1), null, 1, now);
            if (t == 0) {
                rejoin(ids.get(2), m.get(2));
            }
            group.tick(now);
        }
        assertThat(m.get(0).lastJoin().generation()).isEqualTo(2);
        assertThat(group.memberIds()).containsExactly(ids.get(0), ids.get(2));
    }

    @Test
    void shouldGiveARestartedStaticMemberItsPlaceBackWithoutARebalanceAndFenceTheOldOne() {
        Answers a = join("", "instance-a", "a");
        Answers b = join("", "instance-b", "b");
        now += DELAY_MS;
        group.tick(now);
        String oldA = a.lastJoin().memberId();
        String idB = b.lastJoin().memberId();
        String leader = a.lastJoin().leaderId();
        group.sync(leader, null, 1, assignEach(List.of(oldA, idB)), now, (leader.equals(oldA) ? a : b).syncs::add);
        group.sync(leader.equals(oldA) ? idB : oldA, null, 1, Map.of(), now, (leader.equals(oldA) ? b : a).syncs::add);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);

        Answers again = join("", "instance-a", "a");
        assertThat(again.joins).as("answered at once").hasSize(1);
        String newA = again.lastJoin().memberId();
        assertThat(newA).isNotEqualTo(oldA);
        assertThat(again.lastJoin().generation()).isEqualTo(1);
        assertThat(group.state()).as("no rebalance").isEqualTo(ConsumerGroup.State.STABLE);
        group.sync(newA, "instance-a", 1, Map.of(), now, again.syncs::add);
        assertThat(new String(again.syncs.get(0).assignment(), StandardCharsets.UTF_8)).isEqualTo("for-" + oldA);
        assertThat(group.heartbeat(oldA, "instance-a", 1, now)).isEqualTo(ErrorCode.FENCED_INSTANCE_ID);
        assertThat(group.validateCommit(oldA, "instance-a", 1)).isEqualTo(ErrorCode.FENCED_INSTANCE_ID);
        assertThat(group.validateCommit(newA, "instance-a", 1)).isEqualTo(ErrorCode.NONE);
    }

    @Test
    void shouldRebalanceWhenAMemberLeavesAndEmptyWhenTheLastOneDoes() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        assertThat(group.leave(ids.get(2), null, now)).isEqualTo(ErrorCode.NONE);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.PREPARING_REBALANCE);
        assertThat(group.leave(ids.get(0), null, now)).isEqualTo(ErrorCode.NONE);
        assertThat(group.leave(ids.get(1), null, now)).isEqualTo(ErrorCode.NONE);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.EMPTY);
        assertThat(group.validateCommit("", null, -1)).isEqualTo(ErrorCode.NONE);
        assertThat(group.leave(ids.get(1), null, now)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldPickTheAssignorMostMembersPreferAndRefuseMembersWithNoneInCommon() {
        List<JoinResult> answers = new ArrayList<>();
        group.join("", null, "a", "h", "consumer", protocols("range", "cooperative-sticky"), SESSION_MS,
            REBALANCE_MS, now, answers::add);
        group.join("", null, "b", "h", "consumer", protocols("cooperative-sticky", "range"), SESSION_MS,
            REBALANCE_MS, now, answers::add);
        group.join("", null, "c", "h", "consumer", protocols("cooperative-sticky"), SESSION_MS, REBALANCE_MS,
            now, answers::add);
        List<JoinResult> refused = new ArrayList<>();
        group.join("", null, "d", "h", "consumer", protocols("roundrobin"), SESSION_MS, REBALANCE_MS, now,
            refused::add);
        group.join("", null, "e", "h", "connect", protocols("range"), SESSION_MS, REBALANCE_MS, now, refused::add);
        assertThat(refused).extracting(JoinResult::error).containsOnly(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
        now += DELAY_MS;
        group.tick(now);
        assertThat(answers).hasSize(3).allSatisfy(j -> assertThat(j.protocol()).isEqualTo("cooperative-sticky"));
        assertThat(answers.get(0).members()).extracting(s -> new String(s.metadata(), StandardCharsets.UTF_8))
            .containsOnly("sub-cooperative-sticky");
    }

    @Test
    void shouldRebalanceWhenTheLeaderNeverHandsInTheAssignment() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        sync(ids.get(1), 1, Map.of(), m.get(1));
        sync(ids.get(2), 1, Map.of(), m.get(2));
        for (int t = 1000; t <= REBALANCE_MS; t += 1000) { // everyone heartbeats; the leader never syncs
            now += 1000;
            for (String id : ids) {
                assertThat(group.heartbeat(id, null, 1, now)).isEqualTo(ErrorCode.NONE);
            }
            group.tick(now);
        }
        assertThat(group.memberIds()).as("the leader that never synced is gone").containsExactly(ids.get(1),
            ids.get(2));
        assertThat(m.get(1).syncs).extracting(SyncResult::error).containsExactly(ErrorCode.REBALANCE_IN_PROGRESS);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.PREPARING_REBALANCE);
    }
    /** Member ids must never repeat: a removed member's id coming back in a new group would pass the commit fence. */
    @Test
    void shouldGiveMemberIdsNoOtherGroupOrCoordinatorRunGivesWithABoundedClientPart() {
        ConsumerGroup other = new ConsumerGroup("g", DELAY_MS); // the same group id again, as after a restart
        List<JoinResult> first = new ArrayList<>();
        List<JoinResult> second = new ArrayList<>();
        group.join("", null, "c", "h", "consumer", protocols("range"), SESSION_MS, REBALANCE_MS, now, first::add);
        other.join("", null, "c", "h", "consumer", protocols("range"), SESSION_MS, REBALANCE_MS, now, second::add);
        now += DELAY_MS;
        group.tick(now);
        other.tick(now);

        assertThat(first.get(0).memberId()).startsWith("c-").isNotEqualTo(second.get(0).memberId());
        String longClient = "x".repeat(ConsumerGroup.MEMBER_ID_CLIENT_CHARS - 1) + "\uD83D\uDE00" + "y".repeat(40_000);
        String id = ConsumerGroup.newMemberId(longClient);
        assertThat(id).startsWith("x".repeat(ConsumerGroup.MEMBER_ID_CLIENT_CHARS - 1) + "-")
            .hasSize(ConsumerGroup.MEMBER_ID_CLIENT_CHARS - 1 + 1 + 36);
        assertThat(ConsumerGroup.newMemberId("")).startsWith("member-");
    }

    /** A follower waiting for the leader's assignment is kept alive, as Kafka keeps it, until the sync answers. */
    @Test
    void shouldKeepAMemberWaitingForItsAssignmentAliveAndRestartItsSessionWhenAnswered() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        sync(ids.get(1), 1, Map.of(), m.get(1));
        sync(ids.get(2), 1, Map.of(), m.get(2));
        now += SESSION_MS + 1; // the leader is slow, still within the rebalance timeout
        group.heartbeat(ids.get(0), null, 1, now);
        group.tick(now);
        assertThat(group.memberIds()).as("nobody expired while waiting for us").hasSize(3);

        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        assertThat(m.get(1).syncs).extracting(SyncResult::error).containsExactly(ErrorCode.NONE);
        now += SESSION_MS - 1;
        group.tick(now);
        assertThat(group.memberIds()).as("sessions restarted when the syncs were answered").hasSize(3);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
    }

    /** Every sync request gets one answer: a connection counts its requests in flight until they are answered. */
    @Test
    void shouldAnswerASyncThatTheSameMemberSendsAgainBeforeItsAnswer() {
        List<Answers> m = threeMembers();
        List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
        Answers older = new Answers();
        sync(ids.get(1), 1, Map.of(), older);
        sync(ids.get(1), 1, Map.of(), m.get(1));
        assertThat(older.syncs).extracting(SyncResult::error).containsExactly(ErrorCode.REBALANCE_IN_PROGRESS);

        sync(ids.get(0), 1, assignEach(ids), m.get(0));
        assertThat(new String(m.get(1).syncs.get(0).assignment(), StandardCharsets.UTF_8))
            .isEqualTo("for-" + ids.get(1));
        assertThat(older.syncs).hasSize(1);
    }

    @Test
    void shouldTakeACommitFromOutsideTheProtocolOnlyWithGenerationMinusOne() {
        assertThat(group.validateCommit("", null, ConsumerGroup.NO_GENERATION)).isEqualTo(ErrorCode.NONE);
        assertThat(group.validateCommit("", null, -2)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(group.validateCommit("", null, 0)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldLogWhyARebalanceStartsEachGenerationAndEachExpiryAtInfo() {
        try (CapturedLogs logs = new CapturedLogs(ConsumerGroup.class)) {
            List<Answers> m = threeMembers();
            List<String> ids = m.stream().map(a -> a.lastJoin().memberId()).toList();
            sync(ids.get(0), 1, assignEach(ids), m.get(0));
            now += SESSION_MS / 2;
            group.heartbeat(ids.get(0), null, 1, now);
            group.heartbeat(ids.get(1), null, 1, now);
            now += SESSION_MS / 2 + 1;
            group.tick(now);

            assertThat(logs.at(Level.INFO))
                .anySatisfy(l -> assertThat(l).contains("group g rebalancing", "member " + ids.get(0) + " joined",
                    "waiting " + DELAY_MS + " ms"))
                .anySatisfy(l -> assertThat(l).contains("group g generation 1 formed", "3 member(s)",
                    "protocol range", "leader " + ids.get(0)))
                .anySatisfy(l -> assertThat(l).contains("member " + ids.get(2) + " removed",
                    "session timeout " + SESSION_MS + " ms"))
                .anySatisfy(l -> assertThat(l).contains("group g rebalancing after generation 1",
                    ids.get(2) + "'s session expired"));
        }
    }

    @Test
    void shouldEscapeWhatPeersSentInItsLogLines() {
        ConsumerGroup evil = new ConsumerGroup("g\nFAKE ERROR", DELAY_MS);
        try (CapturedLogs logs = new CapturedLogs(ConsumerGroup.class)) {
            evil.join("", null, "c\rX", "h", "consumer", protocols("r\nY"), SESSION_MS, REBALANCE_MS, now, j -> { });
            now += DELAY_MS;
            evil.tick(now);

            assertThat(logs.at(Level.INFO)).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(l -> assertThat(l).doesNotContain("\n").doesNotContain("\r"));
        }
    }
}
