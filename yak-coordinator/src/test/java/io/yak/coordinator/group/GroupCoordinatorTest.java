package io.yak.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The map of groups: join validation, the group bound, commits to groups it does not hold, forgetting empty ones. */
class GroupCoordinatorTest {
    private static final GroupSettings SETTINGS = new GroupSettings(100, 6_000, 60_000);
    private static final int SESSION_MS = 10_000;
    private static final int REBALANCE_MS = 30_000;

    private final GroupCoordinator groups = new GroupCoordinator(SETTINGS, 3);
    private long now = 1_000;

    private static Map<String, byte[]> range() {
        Map<String, byte[]> p = new LinkedHashMap<>();
        p.put("range", "sub".getBytes(StandardCharsets.UTF_8));
        return p;
    }

    private List<JoinResult> join(String group, String memberId, int sessionMs, int rebalanceMs,
                                  Map<String, byte[]> protocols) {
        List<JoinResult> answers = new ArrayList<>();
        String refusal = groups.join(group, memberId, null, "c", "127.0.0.1", "consumer", protocols, sessionMs,
            rebalanceMs, now, answers::add);
        if (refusal != null) {
            assertThat(answers).as("a refused join is answered at once: %s", refusal).hasSize(1);
        }
        return answers;
    }

    private List<JoinResult> join(String group) {
        return join(group, "", SESSION_MS, REBALANCE_MS, range());
    }

    /** A one-member group, formed and stable; returns the member's join answer. */
    private JoinResult stableMember(String group) {
        List<JoinResult> answers = join(group);
        now += SETTINGS.initialRebalanceDelayMs();
        groups.tick(now);
        JoinResult joined = answers.get(0);
        List<SyncResult> synced = new ArrayList<>();
        groups.sync(group, joined.memberId(), null, joined.generation(), Map.of(joined.memberId(), new byte[] {1}),
            now, synced::add);
        assertThat(synced).extracting(SyncResult::error).containsExactly(ErrorCode.NONE);
        return joined;
    }

    private ErrorCode refusalOf(String group, int sessionMs, int rebalanceMs, Map<String, byte[]> protocols) {
        List<JoinResult> answers = new ArrayList<>();
        String refusal = groups.join(group, "", null, "c", "127.0.0.1", "consumer", protocols, sessionMs,
            rebalanceMs, now, answers::add);
        assertThat(refusal).as("a reason for the log").isNotBlank();
        assertThat(answers).hasSize(1);
        assertThat(answers.get(0).generation()).isEqualTo(-1);
        return answers.get(0).error();
    }

    @Test
    void shouldRefuseJoinsWithParametersOutsideTheirRulesAndCreateNoGroup() {
        assertThat(refusalOf("", SESSION_MS, REBALANCE_MS, range())).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(refusalOf("g".repeat(GroupCoordinator.MAX_GROUP_LENGTH + 1), SESSION_MS, REBALANCE_MS, range()))
            .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(refusalOf("g", 5_999, REBALANCE_MS, range())).isEqualTo(ErrorCode.INVALID_SESSION_TIMEOUT);
        assertThat(refusalOf("g", 60_001, REBALANCE_MS, range())).isEqualTo(ErrorCode.INVALID_SESSION_TIMEOUT);
        assertThat(refusalOf("g", SESSION_MS, 0, range())).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(refusalOf("g", SESSION_MS, -5, range())).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(refusalOf("g", SESSION_MS, REBALANCE_MS, Map.of())).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(groups.groupCount()).isZero();

        assertThat(join("g".repeat(GroupCoordinator.MAX_GROUP_LENGTH), "", 6_000, 1, range())).as("bounds included")
            .isEmpty();
        assertThat(join("h", "", 60_000, REBALANCE_MS, range())).isEmpty();
        assertThat(groups.groupCount()).isEqualTo(2);
    }

    @Test
    void shouldLeaveNoGroupBehindAJoinTheGroupRefuses() {
        List<JoinResult> unknown = join("g", "gone-member", SESSION_MS, REBALANCE_MS, range());

        assertThat(unknown).extracting(JoinResult::error).containsExactly(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.groupCount()).isZero();
        assertThat(groups.group("g")).isNull();
    }

    @Test
    void shouldRefuseToCreateMoreGroupsThanItsBoundButServeTheExistingOnes() {
        join("a");
        join("b");
        join("c");

        assertThat(refusalOf("d", SESSION_MS, REBALANCE_MS, range())).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(groups.groupCount()).isEqualTo(3);
        assertThat(join("a")).as("a second member of an existing group").isEmpty();
        assertThat(groups.group("a").memberIds()).hasSize(2);
        assertThat(GroupCoordinator.DEFAULT_MAX_GROUPS).isEqualTo(10_000);
    }

    @Test
    void shouldForgetAGroupOnceItHasNoMemberAndMakeRoomForAnother() {
        JoinResult a = stableMember("a");
        join("b");
        join("c");

        assertThat(groups.leave("a", a.memberId(), null, now)).isEqualTo(ErrorCode.NONE);
        assertThat(groups.group("a")).as("forgotten at once").isNull();

        JoinResult d = stableMember("d");
        assertThat(groups.groupCount()).isEqualTo(3);
        // Nobody heartbeats: d's session expires; b and c never synced, which the rebalance timeout bounds (a member
        // between its join answer and its sync is not expired by its session, as it does not heartbeat meanwhile).
        now += Math.max(SESSION_MS, REBALANCE_MS) + 1;
        groups.tick(now);
        groups.tick(now);
        assertThat(groups.groupCount()).as("every member expired, every group forgotten").isZero();
        assertThat(groups.heartbeat("d", d.memberId(), null, d.generation(), now))
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldKeepAGroupWhoseMembersWaitInTheirJoin() {
        join("g");
        now += SETTINGS.initialRebalanceDelayMs() / 2;
        groups.tick(now);

        assertThat(groups.group("g")).isNotNull();
        assertThat(groups.group("g").state()).isEqualTo(ConsumerGroup.State.PREPARING_REBALANCE);
    }

    @Test
    void shouldTakeCommitsForAGroupItDoesNotHoldOnlyFromOutsideTheGroupProtocol() {
        assertThat(groups.validateCommit("g", "", null, -1)).isEqualTo(ErrorCode.NONE);
        assertThat(groups.validateCommit("g", "member-1", null, 3)).as("after a coordinator restart")
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.validateCommit("g", "member-1", "instance-1", -1)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.validateCommit("g", "", null, 0)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.validateCommit("g", "", null, -2)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.groupCount()).as("validating creates nothing").isZero();
    }

    @Test
    void shouldFenceCommitsOfAGroupItHoldsByMemberAndGeneration() {
        JoinResult m = stableMember("g");

        assertThat(groups.validateCommit("g", m.memberId(), null, m.generation())).isEqualTo(ErrorCode.NONE);
        assertThat(groups.validateCommit("g", m.memberId(), null, m.generation() - 1))
            .isEqualTo(ErrorCode.ILLEGAL_GENERATION);
        assertThat(groups.validateCommit("g", "someone-else", null, m.generation()))
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.validateCommit("g", "", null, -1)).as("the group has a member")
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
    }

    @Test
    void shouldAnswerSyncHeartbeatAndLeaveForAGroupItDoesNotHoldWithUnknownMemberId() {
        List<SyncResult> synced = new ArrayList<>();
        groups.sync("g", "m", null, 1, Map.of(), now, synced::add);

        assertThat(synced).extracting(SyncResult::error).containsExactly(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.heartbeat("g", "m", null, 1, now)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.leave("g", "m", null, now)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(groups.groupCount()).isZero();
    }

    @Test
    void shouldFormTheFirstGenerationFromTheTickAfterTheInitialDelay() {
        List<JoinResult> first = join("g");
        List<JoinResult> second = join("g");
        groups.tick(now + SETTINGS.initialRebalanceDelayMs() - 1);
        assertThat(first).isEmpty();

        groups.tick(now + SETTINGS.initialRebalanceDelayMs());

        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1);
        assertThat(first.get(0).generation()).isEqualTo(1).isEqualTo(second.get(0).generation());
        assertThat(first.get(0).members()).hasSize(2);
    }

    @Test
    void shouldRefuseANewMemberOfAFullGroupButLetMembersRejoinAndStaticOnesComeBack() {
        GroupCoordinator small = new GroupCoordinator(new GroupSettings(100, 6_000, 60_000, 2), 3);
        List<JoinResult> answers = new ArrayList<>();
        small.join("g", "", null, "c1", "h", "consumer", range(), SESSION_MS, REBALANCE_MS, now, answers::add);
        small.join("g", "", "static-b", "c2", "h", "consumer", range(), SESSION_MS, REBALANCE_MS, now, answers::add);
        now += 100; // the initial rebalance delay: both are in the first generation
        small.tick(now);
        assertThat(answers).extracting(JoinResult::error).containsOnly(ErrorCode.NONE).hasSize(2);
        assertThat(small.group("g").memberCount()).isEqualTo(2);

        List<JoinResult> third = new ArrayList<>();
        small.join("g", "", null, "c3", "h", "consumer", range(), SESSION_MS, REBALANCE_MS, now, third::add);
        assertThat(third).extracting(JoinResult::error).containsExactly(ErrorCode.GROUP_MAX_SIZE_REACHED);
        assertThat(small.group("g").memberCount()).isEqualTo(2);

        // a member of the group rejoins, and a static member's new process takes its place: neither is new
        List<JoinResult> again = new ArrayList<>();
        small.join("g", answers.get(0).memberId(), null, "c1", "h", "consumer", range(), SESSION_MS, REBALANCE_MS,
            now, again::add);
        small.join("g", "", "static-b", "c2", "h", "consumer", range(), SESSION_MS, REBALANCE_MS, now, again::add);
        small.tick(now);
        assertThat(again).extracting(JoinResult::error).containsExactly(ErrorCode.NONE, ErrorCode.NONE);
        assertThat(small.group("g").memberCount()).isEqualTo(2);
    }
}
