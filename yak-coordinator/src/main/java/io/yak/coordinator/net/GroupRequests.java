package io.yak.coordinator.net;

import io.yak.coordinator.group.GroupCoordinator;
import io.yak.coordinator.group.JoinResult;
import io.yak.coordinator.group.SyncResult;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.GroupAssignment;
import io.yak.wire.message.GroupHeartbeatRequest;
import io.yak.wire.message.GroupHeartbeatResponse;
import io.yak.wire.message.GroupProtocol;
import io.yak.wire.message.JoinGroupMember;
import io.yak.wire.message.JoinGroupRequest;
import io.yak.wire.message.JoinGroupResponse;
import io.yak.wire.message.LeaveGroupRequest;
import io.yak.wire.message.LeaveGroupResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.SyncGroupRequest;
import io.yak.wire.message.SyncGroupResponse;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the consumer group requests (JOIN_GROUP, SYNC_GROUP, GROUP_HEARTBEAT, LEAVE_GROUP) and the group fencing of
 * COMMIT_OFFSET: translates between the wire messages and the {@link GroupCoordinator}, and answers. Runs on the
 * state thread ({@value RequestProcessor#STATE_THREAD_NAME}), like every use of the coordinator's state.
 *
 * <p>A join or sync may be answered later than its request is handled: when its generation forms or its leader
 * hands in the assignment (from another member's request, or from {@link #tick}). Every answer, now or later, goes
 * out through the {@link Replier}, the path of every other answer, so it queues behind the durable writes submitted
 * before it. Group membership writes no change records: it lives in memory only (see {@code WIRE.md}, "Consumer
 * groups").
 */
final class GroupRequests {
    private static final Logger LOG = LoggerFactory.getLogger(GroupRequests.class);

    /** Sends an answer after everything submitted before it is durable. State thread. */
    @FunctionalInterface
    interface Replier {
        void reply(Responder r, int correlationId, Message answer);
    }

    private final GroupCoordinator groups;
    private final Replier replier;
    private final Clock clock;
    private final RejectionLog rejections;

    /**
     * @param groups     owned by the state thread from now on
     * @param clock      only {@link Clock#millis()} is used, as a monotonic millisecond count
     * @param rejections refused requests are counted and logged through it, rate-limited
     */
    GroupRequests(GroupCoordinator groups, Replier replier, Clock clock, RejectionLog rejections) {
        this.groups = groups;
        this.replier = replier;
        this.clock = clock;
        this.rejections = rejections;
    }

    void join(Responder r, int correlationId, JoinGroupRequest m) {
        Map<String, byte[]> protocols = new LinkedHashMap<>();
        for (GroupProtocol p : m.protocols()) {
            protocols.putIfAbsent(p.name(), p.metadata()); // a name listed twice: its first, most preferred, place
        }
        SocketAddress remote = r.channel().remoteAddress();
        String refusal = groups.join(m.group(), m.memberId(), m.groupInstanceId(), m.clientId(), host(remote),
            m.protocolType(), protocols, m.sessionTimeoutMs(), m.rebalanceTimeoutMs(), clock.millis(),
            result -> joined(r, correlationId, m, result));
        if (refusal != null) {
            rejections.reject(remote, RejectReason.REQUEST_REFUSED, "JOIN_GROUP of group '" + LogText.safe(m.group())
                + "' by '" + LogText.safe(m.clientId()) + "' refused: " + refusal);
        }
    }

    private void joined(Responder r, int correlationId, JoinGroupRequest m, JoinResult result) {
        if (result.error() == ErrorCode.INCONSISTENT_GROUP_PROTOCOL) { // a misconfigured client: worth a WARN
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "JOIN_GROUP of group '"
                + LogText.safe(m.group()) + "' by '" + LogText.safe(m.clientId()) + "' with protocol type '"
                + LogText.safe(m.protocolType()) + "' and assignors " + LogText.safe(names(m.protocols()))
                + " answered INCONSISTENT_GROUP_PROTOCOL: the group's members use another type or no common assignor");
        } else if (result.error() != ErrorCode.NONE) {
            LOG.debug("JOIN_GROUP of group '{}' member '{}' from {} answered {}", LogText.safe(m.group()),
                LogText.safe(m.memberId()), r.channel().remoteAddress(), result.error());
        }
        List<JoinGroupMember> members = new ArrayList<>(result.members().size());
        for (JoinResult.MemberSubscription s : result.members()) {
            members.add(new JoinGroupMember(s.memberId(), s.instanceId(), s.metadata()));
        }
        replier.reply(r, correlationId, new JoinGroupResponse(result.error(), result.generation(), result.protocol(),
            result.leaderId(), result.memberId(), members));
    }

    void sync(Responder r, int correlationId, SyncGroupRequest m) {
        Map<String, byte[]> assignments = new HashMap<>();
        for (GroupAssignment a : m.assignments()) {
            assignments.put(a.memberId(), a.assignment());
        }
        groups.sync(m.group(), m.memberId(), m.groupInstanceId(), m.generation(), assignments, clock.millis(),
            result -> synced(r, correlationId, m, result));
    }

    private void synced(Responder r, int correlationId, SyncGroupRequest m, SyncResult result) {
        if (result.error() != ErrorCode.NONE) {
            LOG.debug("SYNC_GROUP of group '{}' member '{}' generation {} from {} answered {}",
                LogText.safe(m.group()), LogText.safe(m.memberId()), m.generation(), r.channel().remoteAddress(),
                result.error());
        }
        replier.reply(r, correlationId, new SyncGroupResponse(result.error(), result.assignment()));
    }

    void heartbeat(Responder r, int correlationId, GroupHeartbeatRequest m) {
        ErrorCode error = groups.heartbeat(m.group(), m.memberId(), m.groupInstanceId(), m.generation(),
            clock.millis());
        LOG.debug("GROUP_HEARTBEAT of group '{}' member '{}' generation {} answered {}", LogText.safe(m.group()),
            LogText.safe(m.memberId()), m.generation(), error);
        replier.reply(r, correlationId, new GroupHeartbeatResponse(error));
    }

    void leave(Responder r, int correlationId, LeaveGroupRequest m) {
        ErrorCode error = groups.leave(m.group(), m.memberId(), m.groupInstanceId(), clock.millis());
        LOG.debug("LEAVE_GROUP of group '{}' member '{}' from {} answered {}", LogText.safe(m.group()),
            LogText.safe(m.memberId()), r.channel().remoteAddress(), error);
        replier.reply(r, correlationId, new LeaveGroupResponse(error));
    }

    /**
     * Whether the commit's generation and member may move the group's offsets (see
     * {@link GroupCoordinator#validateCommit}); a refusal is counted and logged here. Changes nothing.
     */
    ErrorCode fenceCommit(Responder r, CommitOffsetRequest m) {
        ErrorCode error = groups.validateCommit(m.group(), m.memberId(), m.groupInstanceId(), m.generation());
        if (error != ErrorCode.NONE) {
            rejections.reject(r.channel().remoteAddress(), RejectReason.REQUEST_REFUSED, "COMMIT_OFFSET of group '"
                + LogText.safe(m.group()) + "' for " + LogText.safe(m.topic()) + "-" + m.partition() + " at "
                + m.offset() + " by member '" + LogText.safe(m.memberId()) + "' of generation " + m.generation()
                + " answered " + error);
        }
        return error;
    }

    /** Expires silent members and finishes joins and syncs whose time is up; their answers go out as any other. */
    void tick() {
        groups.tick(clock.millis());
    }

    private static String host(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a) {
            return a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        }
        return String.valueOf(remote);
    }

    private static String names(List<GroupProtocol> protocols) {
        return protocols.stream().map(GroupProtocol::name).toList().toString();
    }
}
