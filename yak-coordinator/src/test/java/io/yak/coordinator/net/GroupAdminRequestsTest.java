package io.yak.coordinator.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.group.GroupCoordinator;
import io.yak.coordinator.group.GroupSettings;
import io.yak.coordinator.group.JoinResult;
import io.yak.coordinator.group.SyncResult;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.DescribeGroupResponse;
import io.yak.wire.message.GroupOffset;
import io.yak.wire.message.ListedGroup;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LIST_GROUPS, DESCRIBE_GROUP and DELETE_GROUP over a group's two halves: members in memory, durable offsets. */
class GroupAdminRequestsTest {
    private static final GroupSettings SETTINGS = new GroupSettings(100, 6_000, 60_000);

    private final ClusterState state = new ClusterState(1000, 3, false);
    private final GroupCoordinator groups = new GroupCoordinator(SETTINGS);
    private final GroupAdminRequests admin = new GroupAdminRequests(groups, state);
    private long now = 1_000_000;

    @BeforeEach
    void topicWithOffsets() {
        state.registerBroker(1, "h1", 9001, 11, 11, new InetSocketAddress("127.0.0.1", 4000), now);
        state.heartbeat(1, 11, List.of(), now);
        assertThat(state.createTopic("t", 2, 1, Map.of(), now).error()).isEqualTo(ErrorCode.NONE);
        state.recordChanges();
        assertThat(state.commitOffset("offsets-only", "t", 1, 7)).isEqualTo(ErrorCode.NONE);
        assertThat(state.commitOffset("offsets-only", "t", 0, 4)).isEqualTo(ErrorCode.NONE);
        assertThat(state.commitOffset("live", "t", 0, 2)).isEqualTo(ErrorCode.NONE);
        state.drainChanges();
    }

    /** One member joins "live" and syncs with assignment bytes {1, 2}: the group is Stable. */
    private String stableMember() {
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        protocols.put("range", new byte[] {9});
        List<JoinResult> joined = new ArrayList<>();
        groups.join("live", "", null, "client-a", "10.0.0.7", "consumer", protocols, 10_000, 30_000, now,
            joined::add);
        now += SETTINGS.initialRebalanceDelayMs();
        groups.tick(now);
        JoinResult j = joined.get(0);
        List<SyncResult> synced = new ArrayList<>();
        groups.sync("live", j.memberId(), null, j.generation(), Map.of(j.memberId(), new byte[] {1, 2}), now,
            synced::add);
        assertThat(synced).extracting(SyncResult::error).containsExactly(ErrorCode.NONE);
        return j.memberId();
    }

    @Test
    void shouldListGroupsWithMembersAndGroupsWithOnlyOffsetsSortedAndFiltered() {
        stableMember();

        assertThat(admin.list(List.of()).groups()).containsExactly(new ListedGroup("live", "Stable", 1),
            new ListedGroup("offsets-only", "Empty", 0));
        assertThat(admin.list(List.of("Empty")).groups()).extracting(ListedGroup::group)
            .containsExactly("offsets-only");
        assertThat(admin.list(List.of("Dead")).groups()).isEmpty();
    }

    @Test
    void shouldDescribeMembersAssignmentsAndOffsets() {
        String member = stableMember();

        DescribeGroupResponse d = admin.describe("live");

        assertThat(d.error()).isEqualTo(ErrorCode.NONE);
        assertThat(d.state()).isEqualTo("Stable");
        assertThat(d.protocolType()).isEqualTo("consumer");
        assertThat(d.protocol()).isEqualTo("range");
        assertThat(d.generation()).isEqualTo(1);
        assertThat(d.leader()).isEqualTo(member);
        assertThat(d.members()).singleElement().satisfies(m -> {
            assertThat(m.memberId()).isEqualTo(member);
            assertThat(m.clientId()).isEqualTo("client-a");
            assertThat(m.host()).isEqualTo("10.0.0.7");
            assertThat(m.assignment()).containsExactly(1, 2);
        });
        assertThat(d.offsets()).containsExactly(new GroupOffset("t", 0, 2));

        DescribeGroupResponse empty = admin.describe("offsets-only");
        assertThat(empty.state()).isEqualTo("Empty");
        assertThat(empty.members()).isEmpty();
        assertThat(empty.offsets()).containsExactly(new GroupOffset("t", 0, 4), new GroupOffset("t", 1, 7));
    }

    @Test
    void shouldAnswerGroupIdNotFoundForAnUnknownGroup() {
        assertThat(admin.describe("nope").error()).isEqualTo(ErrorCode.GROUP_ID_NOT_FOUND);
        assertThat(admin.describe("nope").state()).isEqualTo("Dead");
        assertThat(admin.delete("nope").error()).isEqualTo(ErrorCode.GROUP_ID_NOT_FOUND);
    }

    @Test
    void shouldRefuseToDeleteAGroupWithMembersAndDeleteOneWithout() {
        stableMember();

        assertThat(admin.delete("live").error()).isEqualTo(ErrorCode.NON_EMPTY_GROUP);
        assertThat(admin.delete("live").message()).contains("1 member");
        assertThat(state.committedOffsets("live")).hasSize(1);
        assertThat(state.drainChanges().records()).isEmpty();

        assertThat(admin.delete("offsets-only").error()).isEqualTo(ErrorCode.NONE);
        assertThat(state.committedOffsets("offsets-only")).isEmpty();
        assertThat(state.drainChanges().records()).hasSize(1);
        assertThat(admin.list(List.of()).groups()).extracting(ListedGroup::group).containsExactly("live");
    }
}
