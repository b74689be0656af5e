package io.yak.coordinator.group;

import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every consumer group the coordinator serves, by group id: creates a group at its first join, checks a join's
 * parameters before it reaches the group, ticks every group, and forgets a group once it has no member (nothing
 * of it is worth keeping: membership lives in memory only, and committed offsets are stored elsewhere). At most
 * {@value #DEFAULT_MAX_GROUPS} groups exist at once; a join that would create one more is refused with
 * {@code INVALID_REQUEST}, so peers cannot make the coordinator hold an unbounded map.
 *
 * <p>Pure logic: no threads, no I/O; callers pass the time and call {@link #tick} regularly. Not thread-safe: owned
 * by the coordinator's state thread, which also runs every answer callback.
 */
public final class GroupCoordinator {
    /** Groups held at once: far more than one cluster's applications use, and a bound on the memory peers fill. */
    public static final int DEFAULT_MAX_GROUPS = 10_000;
    /** Longest group id, in chars, as for committed offsets (and Kafka's topic names). */
    public static final int MAX_GROUP_LENGTH = 249;

    private static final Logger LOG = LoggerFactory.getLogger(GroupCoordinator.class);

    private final GroupSettings settings;
    private final int maxGroups;
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    /** Groups and members as of the last {@link #tick}, and generations formed: for meters, read by any thread. */
    private volatile int groupsSeen;
    private volatile int membersSeen;
    private final LongAdder generationsFormed = new LongAdder();

    public GroupCoordinator(GroupSettings settings) {
        this(settings, DEFAULT_MAX_GROUPS);
    }

    GroupCoordinator(GroupSettings settings, int maxGroups) {
        this.settings = settings;
        this.maxGroups = maxGroups;
    }

    /**
     * A member joins or rejoins group {@code groupId} (see {@link ConsumerGroup#join}); {@code answer} is called
     * exactly once, now or when the generation forms (from a later join or {@link #tick}).
     *
     * @return null when the join reached its group (which may still refuse it, e.g. {@code UNKNOWN_MEMBER_ID}),
     *         else why it was refused before (for the log, peer-sent text escaped); {@code answer} then got the error
     */
    public String join(String groupId, String memberId, String instanceId, String clientId, String host,
                       String protocolType, Map<String, byte[]> protocols, int sessionTimeoutMs,
                       int rebalanceTimeoutMs, long nowMs, Consumer<JoinResult> answer) {
        ErrorCode error = ErrorCode.NONE;
        String refusal = null;
        if (groupId.isEmpty() || groupId.length() > MAX_GROUP_LENGTH) {
            error = ErrorCode.INVALID_REQUEST;
            refusal = "a group id has 1.." + MAX_GROUP_LENGTH + " chars, not " + groupId.length();
        } else if (sessionTimeoutMs < settings.minSessionTimeoutMs()
                || sessionTimeoutMs > settings.maxSessionTimeoutMs()) {
            error = ErrorCode.INVALID_SESSION_TIMEOUT;
            refusal = "session timeout " + sessionTimeoutMs + " ms outside " + GroupSettings.MIN_SESSION_TIMEOUT_MS
                + ".." + GroupSettings.MAX_SESSION_TIMEOUT_MS + " = " + settings.minSessionTimeoutMs() + ".."
                + settings.maxSessionTimeoutMs();
        } else if (rebalanceTimeoutMs < 1) {
            error = ErrorCode.INVALID_REQUEST;
            refusal = "rebalance timeout " + rebalanceTimeoutMs + " ms < 1";
        } else if (protocols.isEmpty()) {
            error = ErrorCode.INVALID_REQUEST;
            refusal = "no assignor named";
        } else if (!groups.containsKey(groupId) && groups.size() >= maxGroups) {
            error = ErrorCode.INVALID_REQUEST;
            refusal = groups.size() + " consumer groups exist (at most " + maxGroups + "): no new one is created";
        }
        if (error != ErrorCode.NONE) {
            answer.accept(JoinResult.failed(error, memberId));
            return refusal;
        }
        ConsumerGroup group = groups.computeIfAbsent(groupId,
            id -> new ConsumerGroup(id, settings.initialRebalanceDelayMs(), settings.maxSize(),
                generationsFormed::increment));
        group.join(memberId, instanceId, clientId, host, protocolType, protocols, sessionTimeoutMs,
            rebalanceTimeoutMs, nowMs, answer);
        forgetIfEmpty(group); // a refused join of a new group leaves nothing behind
        return null;
    }

    /** See {@link ConsumerGroup#sync}; {@code UNKNOWN_MEMBER_ID} for a group that does not exist. */
    public void sync(String groupId, String memberId, String instanceId, int generation,
                     Map<String, byte[]> assignments, long nowMs, Consumer<SyncResult> answer) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            answer.accept(SyncResult.failed(ErrorCode.UNKNOWN_MEMBER_ID));
            return;
        }
        group.sync(memberId, instanceId, generation, assignments, nowMs, answer);
    }

    /** See {@link ConsumerGroup#heartbeat}; {@code UNKNOWN_MEMBER_ID} for a group that does not exist. */
    public ErrorCode heartbeat(String groupId, String memberId, String instanceId, int generation, long nowMs) {
        ConsumerGroup group = groups.get(groupId);
        return group == null ? ErrorCode.UNKNOWN_MEMBER_ID : group.heartbeat(memberId, instanceId, generation, nowMs);
    }

    /** See {@link ConsumerGroup#leave}; {@code UNKNOWN_MEMBER_ID} for a group that does not exist. */
    public ErrorCode leave(String groupId, String memberId, String instanceId, long nowMs) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            return ErrorCode.UNKNOWN_MEMBER_ID;
        }
        ErrorCode error = group.leave(memberId, instanceId, nowMs);
        forgetIfEmpty(group);
        return error;
    }

    /**
     * Whether an offset commit from this member and generation may change group {@code groupId}'s offsets. A group
     * the coordinator does not hold has no members: only a commit from outside the group protocol (generation -1,
     * empty member id) is taken; any other names a member it does not know (after a coordinator restart, say),
     * which is told {@code UNKNOWN_MEMBER_ID} and joins again. Changes nothing.
     */
    public ErrorCode validateCommit(String groupId, String memberId, String instanceId, int generation) {
        ConsumerGroup group = groups.get(groupId);
        if (group == null) {
            boolean outsideProtocol = generation == ConsumerGroup.NO_GENERATION && memberId.isEmpty();
            return outsideProtocol ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
        }
        return group.validateCommit(memberId, instanceId, generation);
    }

    /** Ticks every group (expiring silent members, finishing joins and syncs whose time is up); forgets empty ones. */
    public void tick(long nowMs) {
        int members = 0;
        for (Iterator<ConsumerGroup> it = groups.values().iterator(); it.hasNext(); ) {
            ConsumerGroup group = it.next();
            group.tick(nowMs);
            if (group.isEmpty()) {
                it.remove();
                LOG.debug("group {} forgotten: it has no member", LogText.safe(group.groupId()));
            } else {
                members += group.memberCount();
            }
        }
        groupsSeen = groups.size();
        membersSeen = members;
    }

    /** Groups held at the last tick; any thread. */
    public int groupsSeen() {
        return groupsSeen;
    }

    /** Members of all groups at the last tick; any thread. */
    public int membersSeen() {
        return membersSeen;
    }

    /** Generations formed (rebalances completed) since start; any thread. */
    public long generationsFormed() {
        return generationsFormed.sum();
    }

    /** Every group held now (each has members), sorted by id. */
    public java.util.List<ConsumerGroup> groups() {
        java.util.List<ConsumerGroup> out = new java.util.ArrayList<>(groups.values());
        out.sort(java.util.Comparator.comparing(ConsumerGroup::groupId));
        return out;
    }

    /** Groups held now. */
    public int groupCount() {
        return groups.size();
    }

    /** The group, or null when the coordinator holds none of that id (tests, diagnostics). */
    public ConsumerGroup group(String groupId) {
        return groups.get(groupId);
    }

    private void forgetIfEmpty(ConsumerGroup group) {
        if (group.isEmpty()) {
            groups.remove(group.groupId());
            LOG.debug("group {} forgotten: it has no member", LogText.safe(group.groupId()));
        }
    }
}
