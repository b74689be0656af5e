package io.yak.coordinator.net;

import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.group.ConsumerGroup;
import io.yak.coordinator.group.GroupCoordinator;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.message.DeleteGroupResponse;
import io.yak.wire.message.DescribeGroupResponse;
import io.yak.wire.message.DescribedMember;
import io.yak.wire.message.GroupOffset;
import io.yak.wire.message.ListGroupsResponse;
import io.yak.wire.message.ListedGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the group administration requests (LIST_GROUPS, DESCRIBE_GROUP, DELETE_GROUP), which see both halves of
 * a group: its membership ({@link GroupCoordinator}, in memory) and its committed offsets ({@link ClusterState},
 * durable). A group the coordinator holds no members of but that has committed offsets is {@code Empty}, as in
 * Kafka. Runs on the state thread ({@value RequestProcessor#STATE_THREAD_NAME}).
 */
public final class GroupAdminRequests {
    private static final Logger LOG = LoggerFactory.getLogger(GroupAdminRequests.class);
    /** The state name of a group that does not exist, in an error answer (Kafka's {@code Dead}). */
    static final String DEAD = "Dead";

    private final GroupCoordinator groups;
    private final ClusterState state;

    public GroupAdminRequests(GroupCoordinator groups, ClusterState state) {
        this.groups = groups;
        this.state = state;
    }

    /** Every group with members or committed offsets, sorted by id, filtered by state name when any is given. */
    public ListGroupsResponse list(List<String> states) {
        Map<String, ListedGroup> all = new TreeMap<>();
        for (String g : state.groupsWithOffsets()) {
            all.put(g, new ListedGroup(g, ConsumerGroup.stateName(ConsumerGroup.State.EMPTY), 0));
        }
        for (ConsumerGroup g : groups.groups()) {
            all.put(g.groupId(), new ListedGroup(g.groupId(), ConsumerGroup.stateName(g.state()),
                g.memberIds().size()));
        }
        List<ListedGroup> out = new ArrayList<>(all.size());
        for (ListedGroup g : all.values()) {
            if (states.isEmpty() || states.contains(g.state())) {
                out.add(g);
            }
        }
        return new ListGroupsResponse(ErrorCode.NONE, out);
    }

    /** The group's state, members and committed offsets; GROUP_ID_NOT_FOUND when it has neither. */
    public DescribeGroupResponse describe(String groupId) {
        ConsumerGroup g = groups.group(groupId);
        List<CoordinatorSnapshot.CommittedOffset> committed = state.committedOffsets(groupId);
        if (g == null && committed.isEmpty()) {
            return new DescribeGroupResponse(ErrorCode.GROUP_ID_NOT_FOUND, groupId, DEAD, null, null,
                ConsumerGroup.NO_GENERATION, null, List.of(), List.of());
        }
        List<GroupOffset> offsets = new ArrayList<>(committed.size());
        for (CoordinatorSnapshot.CommittedOffset o : committed) {
            offsets.add(new GroupOffset(o.topic(), o.partition(), o.offset()));
        }
        if (g == null) {
            return new DescribeGroupResponse(ErrorCode.NONE, groupId,
                ConsumerGroup.stateName(ConsumerGroup.State.EMPTY), null, null, 0, null, List.of(), offsets);
        }
        List<DescribedMember> members = new ArrayList<>();
        for (ConsumerGroup.MemberView m : g.members()) {
            members.add(new DescribedMember(m.memberId(), m.instanceId(), m.clientId(), m.host(), m.assignment()));
        }
        return new DescribeGroupResponse(ErrorCode.NONE, groupId, ConsumerGroup.stateName(g.state()),
            g.protocolType(), g.protocol(), g.generation(), g.leaderId(), members, offsets);
    }

    /**
     * Deletes the group's committed offsets (a change record, durable before the answer); refused with
     * NON_EMPTY_GROUP while it has members, GROUP_ID_NOT_FOUND when it has neither members nor offsets.
     */
    DeleteGroupResponse delete(String groupId) {
        ConsumerGroup g = groups.group(groupId);
        if (g != null && !g.isEmpty()) {
            return new DeleteGroupResponse(ErrorCode.NON_EMPTY_GROUP, "group '" + groupId + "' has "
                + g.memberIds().size() + " member(s) (state " + ConsumerGroup.stateName(g.state())
                + "): stop its consumers first");
        }
        int removed = state.deleteGroupOffsets(groupId);
        if (removed == 0) {
            return new DeleteGroupResponse(ErrorCode.GROUP_ID_NOT_FOUND, "group '" + groupId + "' does not exist");
        }
        LOG.info("group {} deleted: {} committed offsets removed", LogText.safe(groupId), removed);
        return new DeleteGroupResponse(ErrorCode.NONE, null);
    }
}
