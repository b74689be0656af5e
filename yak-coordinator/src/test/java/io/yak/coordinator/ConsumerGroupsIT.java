package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.group.ConsumerGroup;
import io.yak.coordinator.group.GroupSettings;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.RejectReason;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.GroupAssignment;
import io.yak.wire.message.GroupHeartbeatRequest;
import io.yak.wire.message.GroupHeartbeatResponse;
import io.yak.wire.message.GroupProtocol;
import io.yak.wire.message.JoinGroupMember;
import io.yak.wire.message.JoinGroupRequest;
import io.yak.wire.message.JoinGroupResponse;
import io.yak.wire.message.LeaveGroupRequest;
import io.yak.wire.message.LeaveGroupResponse;
import io.yak.wire.message.SyncGroupRequest;
import io.yak.wire.message.SyncGroupResponse;
import io.yak.wire.testing.CapturedLogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's classic consumer group protocol served by a real coordinator on 127.0.0.1, port 0, with a temp data.dir:
 * raw wire clients join, sync, heartbeat, leave and commit offsets fenced by generation, across a restart.
 */
@Timeout(60)
class ConsumerGroupsIT {
    private static final Duration AWAIT = Duration.ofSeconds(10);
    /** Low, so that a member with a short session can be seen expire. */
    private static final int MIN_SESSION_MS = 200;
    /** Members that must not expire while the test waits for something else. */
    private static final int LONG_SESSION_MS = 30_000;
    private static final int SHORT_SESSION_MS = 500;
    private static final int REBALANCE_MS = 10_000;

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
        GroupSettings groups = new GroupSettings(GroupSettings.DEFAULT_INITIAL_REBALANCE_DELAY_MS, MIN_SESSION_MS,
            GroupSettings.DEFAULT_MAX_SESSION_TIMEOUT_MS);
        CoordinatorServer server = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0), dataDir,
            6000, true, 3, FrameLayout.DEFAULT_MAX_FRAME_BYTES).withGroups(groups));
        resources.add(server);
        server.start();
        return server;
    }

    /** One consumer: its own connection (a pending join or sync must not share one with other calls), its ids. */
    private final class Member {
        final String name;
        final int sessionMs;
        WireTestClient client;
        String memberId = "";
        int generation = -1;
        JoinGroupResponse lastJoin;
        private int pending;

        Member(CoordinatorServer server, String name, int sessionMs) {
            this.name = name;
            this.sessionMs = sessionMs;
            connect(server);
        }

        void connect(CoordinatorServer server) {
            client = WireTestClient.connect(server.address());
            resources.add(client);
        }

        /** Sends a join; its answer may come only once the generation forms. */
        void sendJoin() {
            pending = client.send(new JoinGroupRequest("g", sessionMs, REBALANCE_MS, memberId, null, name, "consumer",
                List.of(new GroupProtocol("range", bytes("sub-" + name)))));
        }

        JoinGroupResponse awaitJoin() {
            lastJoin = (JoinGroupResponse) client.awaitResponse(pending).message();
            if (lastJoin.error() == ErrorCode.NONE) {
                memberId = lastJoin.memberId();
                generation = lastJoin.generation();
            }
            return lastJoin;
        }

        void sendSync(List<GroupAssignment> assignments) {
            pending = client.send(new SyncGroupRequest("g", generation, memberId, null, assignments));
        }

        SyncGroupResponse awaitSync() {
            return (SyncGroupResponse) client.awaitResponse(pending).message();
        }

        ErrorCode heartbeat() {
            return client.request(new GroupHeartbeatRequest("g", generation, memberId, null),
                GroupHeartbeatResponse.class).error();
        }

        ErrorCode commit(int commitGeneration, String commitMemberId, long offset) {
            return client.request(new CommitOffsetRequest("g", "t", 0, offset, commitGeneration, commitMemberId, null),
                CommitOffsetResponse.class).error();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Every member (re)joins at once; all answers carry one new generation. Returns the leader. */
    private static Member formGeneration(List<Member> members) {
        members.forEach(Member::sendJoin);
        members.forEach(Member::awaitJoin);
        JoinGroupResponse first = members.get(0).lastJoin;
        assertThat(members).allSatisfy(m -> {
            assertThat(m.lastJoin.error()).isEqualTo(ErrorCode.NONE);
            assertThat(m.lastJoin.generation()).isEqualTo(first.generation());
            assertThat(m.lastJoin.leader()).isEqualTo(first.leader());
            assertThat(m.lastJoin.protocol()).isEqualTo("range");
        });
        Member leader = members.stream().filter(m -> m.memberId.equals(first.leader())).findFirst().orElseThrow();
        assertThat(leader.lastJoin.members()).as("the leader sees every member's subscription")
            .extracting(JoinGroupMember::memberId).containsExactlyInAnyOrderElementsOf(
                members.stream().map(m -> m.memberId).toList());
        assertThat(leader.lastJoin.members()).allSatisfy(jm -> assertThat(text(jm.metadata())).isEqualTo("sub-"
            + members.stream().filter(m -> m.memberId.equals(jm.memberId())).findFirst().orElseThrow().name));
        assertThat(members).filteredOn(m -> m != leader).allSatisfy(m -> assertThat(m.lastJoin.members()).isEmpty());
        return leader;
    }

    /**
     * Waits until {@code m}'s heartbeat says a rebalance started: requests of different connections reach the state
     * thread in no promised order, so a join just sent by another member may not have been applied yet.
     */
    private static void awaitRebalance(Member m) {
        await().atMost(AWAIT).pollInterval(Duration.ofMillis(20))
            .until(() -> m.heartbeat() == ErrorCode.REBALANCE_IN_PROGRESS);
    }

    /** The followers sync first and wait; the leader's sync hands in everyone's assignment and answers them all. */
    private static void syncAll(List<Member> members, Member leader) {
        List<Member> followers = members.stream().filter(m -> m != leader).toList();
        followers.forEach(m -> m.sendSync(List.of()));
        List<GroupAssignment> assignments = members.stream()
            .map(m -> new GroupAssignment(m.memberId, bytes("for-" + m.name + "-" + m.generation))).toList();
        leader.sendSync(assignments);
        for (Member m : members) {
            SyncGroupResponse r = m.awaitSync();
            assertThat(r.error()).isEqualTo(ErrorCode.NONE);
            assertThat(text(r.assignment())).isEqualTo("for-" + m.name + "-" + m.generation);
        }
    }

    @Test
    void shouldFormGenerationsRebalanceOnJoinExpiryAndLeaveOverTheWire() {
        CoordinatorServer server = start();
        Member a = new Member(server, "a", LONG_SESSION_MS);
        Member b = new Member(server, "b", LONG_SESSION_MS);
        List<Member> ab = List.of(a, b);

        Member leader = formGeneration(ab);
        assertThat(a.generation).isEqualTo(1);
        assertThat(a.memberId).isNotEqualTo(b.memberId).startsWith("a-");
        syncAll(ab, leader);
        assertThat(a.heartbeat()).isEqualTo(ErrorCode.NONE);
        assertThat(b.heartbeat()).isEqualTo(ErrorCode.NONE);

        Member c = new Member(server, "c", SHORT_SESSION_MS);
        c.sendJoin();
        awaitRebalance(a); // told to rejoin
        assertThat(b.heartbeat()).isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS);
        a.sendJoin();
        b.sendJoin();
        List<Member> abc = List.of(a, b, c);
        abc.forEach(Member::awaitJoin);
        assertThat(abc).allSatisfy(m -> assertThat(m.lastJoin.generation()).isEqualTo(2));
        leader = abc.stream().filter(m -> m.memberId.equals(a.lastJoin.leader())).findFirst().orElseThrow();
        assertThat(leader.lastJoin.members()).hasSize(3);

        try (CapturedLogs logs = new CapturedLogs(ConsumerGroup.class)) {
            long syncedNs = System.nanoTime();
            syncAll(abc, leader); // c's session (500 ms) starts again when its sync is answered; then it goes quiet
            await().atMost(AWAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> a.heartbeat() == ErrorCode.REBALANCE_IN_PROGRESS);
            long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - syncedNs);
            assertThat(silentMs).as("removed after its session timeout, not before").isGreaterThanOrEqualTo(
                SHORT_SESSION_MS);
            assertThat(c.heartbeat()).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
            assertThat(logs.at(Level.INFO)).anySatisfy(l -> assertThat(l).contains("group g: member " + c.memberId
                + " removed: not heard from", "session timeout " + SHORT_SESSION_MS + " ms"));
        }
        leader = formGeneration(ab);
        assertThat(a.generation).isEqualTo(3);
        syncAll(ab, leader);

        assertThat(b.client.request(new LeaveGroupRequest("g", b.memberId, null), LeaveGroupResponse.class).error())
            .isEqualTo(ErrorCode.NONE);
        assertThat(a.heartbeat()).isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS);
        assertThat(b.client.request(new LeaveGroupRequest("g", b.memberId, null), LeaveGroupResponse.class).error())
            .as("already gone").isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        a.sendJoin();
        assertThat(a.awaitJoin().generation()).as("alone now, at once").isEqualTo(4);
        assertThat(a.lastJoin.members()).hasSize(1);
    }

    @Test
    void shouldRefuseJoinsWithASessionTimeoutOutsideTheCoordinatorsBounds() {
        CoordinatorServer server = start();
        Member tooShort = new Member(server, "short", MIN_SESSION_MS - 1);
        long refusedBefore = server.rejections().count(RejectReason.REQUEST_REFUSED);

        tooShort.sendJoin();

        JoinGroupResponse r = tooShort.awaitJoin();
        assertThat(r.error()).isEqualTo(ErrorCode.INVALID_SESSION_TIMEOUT);
        assertThat(r.generation()).isEqualTo(-1);
        assertThat(server.rejections().count(RejectReason.REQUEST_REFUSED)).isEqualTo(refusedBefore + 1);
    }

    @Test
    void shouldFenceOffsetCommitsByGenerationAndMemberAndForgetMembersAcrossARestart() {
        CoordinatorServer first = start();
        WireTestClient broker = WireTestClient.connect(first.address());
        resources.add(broker);
        CoordinatorServerIT.keepAlive(broker, 1);
        CoordinatorServerIT.registerBroker(broker, 1);
        assertThat(broker.request(new CreateTopicRequest("t", 1), CreateTopicResponse.class).error())
            .isEqualTo(ErrorCode.NONE);
        Member a = new Member(first, "a", LONG_SESSION_MS);
        Member b = new Member(first, "b", LONG_SESSION_MS);
        assertThat(a.commit(-1, "", 5)).as("no group yet: a consumer outside the group protocol commits")
            .isEqualTo(ErrorCode.NONE);

        List<Member> ab = List.of(a, b);
        syncAll(ab, formGeneration(ab));
        long refusedBefore = first.rejections().count(RejectReason.REQUEST_REFUSED);
        assertThat(a.commit(1, a.memberId, 10)).isEqualTo(ErrorCode.NONE);
        assertThat(a.commit(-1, "", 11)).as("outside the protocol while the group has members")
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(a.commit(1, "nobody", 12)).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);

        Member c = new Member(first, "c", LONG_SESSION_MS);
        c.sendJoin();
        awaitRebalance(a);
        a.sendJoin();
        b.sendJoin();
        List.of(a, b, c).forEach(Member::awaitJoin);
        assertThat(a.generation).isEqualTo(2);
        assertThat(b.commit(1, b.memberId, 13)).as("a zombie of generation 1").isEqualTo(ErrorCode.ILLEGAL_GENERATION);
        assertThat(b.commit(2, b.memberId, 14)).as("before the new assignment is out")
            .isEqualTo(ErrorCode.REBALANCE_IN_PROGRESS);
        assertThat(first.rejections().count(RejectReason.REQUEST_REFUSED)).as("every refusal counted")
            .isEqualTo(refusedBefore + 4);
        assertThat(a.client.request(new FetchOffsetRequest("g", "t", 0), FetchOffsetResponse.class))
            .isEqualTo(new FetchOffsetResponse(ErrorCode.NONE, 10));
        String oldMember = a.memberId;
        first.close();

        CoordinatorServer second = start();
        a.connect(second);
        assertThat(a.client.request(new FetchOffsetRequest("g", "t", 0), FetchOffsetResponse.class))
            .as("offsets are durable").isEqualTo(new FetchOffsetResponse(ErrorCode.NONE, 10));
        assertThat(a.commit(2, oldMember, 20)).as("membership is not: join again")
            .isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(a.heartbeat()).isEqualTo(ErrorCode.UNKNOWN_MEMBER_ID);
        assertThat(a.client.request(new FetchOffsetRequest("g", "t", 0), FetchOffsetResponse.class).offset())
            .isEqualTo(10);
        assertThat(a.commit(-1, "", 21)).as("no members now").isEqualTo(ErrorCode.NONE);
    }

    @Test
    void shouldKeepCommitsOutsideTheGroupProtocolWorkingForAGroupWithoutMembers() {
        CoordinatorServer server = start();
        WireTestClient broker = WireTestClient.connect(server.address());
        resources.add(broker);
        CoordinatorServerIT.keepAlive(broker, 1);
        CoordinatorServerIT.registerBroker(broker, 1);
        broker.request(new CreateTopicRequest("t", 1), CreateTopicResponse.class);

        CommitOffsetResponse committed = broker.request(new CommitOffsetRequest("g", "t", 0, 7),
            CommitOffsetResponse.class);

        assertThat(committed.error()).isEqualTo(ErrorCode.NONE);
        assertThat(broker.request(new FetchOffsetRequest("g", "t", 0), FetchOffsetResponse.class).offset())
            .isEqualTo(7);
    }
}
