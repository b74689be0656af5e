package io.yak.coordinator.group;

import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer group's membership, Kafka's classic group protocol: members join, the coordinator waits until every
 * known member has rejoined (or the rebalance timeout passes), starts a new generation, picks an assignor every
 * member supports, and names a leader, which computes the assignment and hands it in with its sync; every member's
 * sync then gets its share. Heartbeats keep members alive within their session timeout, and tell them to rejoin
 * while a rebalance runs. Static members ({@code group.instance.id}) that come back under a new member id take
 * over the old one's place without a rebalance, and fence it.
 *
 * <p>Every join and sync is answered exactly once: at once, when its generation forms or its assignment arrives,
 * or with an error when its member is removed, fenced, or sends the same request again. Rebalances, generations and
 * removals are logged at INFO.
 *
 * <p>Pure logic: no threads, no I/O; callers pass the time and call {@link #tick} regularly. Not thread-safe: owned
 * by the coordinator's state thread, as is every answer callback it calls.
 */
public final class ConsumerGroup {
    /** Kafka's group states. */
    public enum State { EMPTY, PREPARING_REBALANCE, COMPLETING_REBALANCE, STABLE }

    /**
     * Chars of the client id a member id starts with: member ids are echoed in every group request and log line,
     * and a whole client id (up to 32767 bytes) would not even fit the wire's string once the suffix is added.
     */
    static final int MEMBER_ID_CLIENT_CHARS = 64;

    /** The generation a commit from outside the group protocol names (with an empty member id). */
    public static final int NO_GENERATION = -1;

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroup.class);

    private final String groupId;
    /** A new group waits this long for more members before its first generation (Kafka's initial delay). */
    private final long initialRebalanceDelayMs;
    private final Map<String, GroupMember> members = new LinkedHashMap<>();
    private final Map<String, String> memberByInstance = new HashMap<>();
    private State state = State.EMPTY;
    private int generation;
    private String protocolType;
    private String protocol;
    private String leaderId;
    private long joinDeadlineMs;
    private long joinNotBeforeMs;
    /** The group was empty when this rebalance started: new members extend the initial delay. */
    private boolean firstGenerationPending;
    private long syncDeadlineMs;

    /** Told of every generation formed (for the coordinator's meters). */
    private final Runnable onGeneration;

    /** Members the group takes ({@code group.max.size}); a new one beyond is refused. */
    private final int maxSize;

    public ConsumerGroup(String groupId, long initialRebalanceDelayMs) {
        this(groupId, initialRebalanceDelayMs, Integer.MAX_VALUE, () -> { });
    }

    ConsumerGroup(String groupId, long initialRebalanceDelayMs, int maxSize, Runnable onGeneration) {
        this.groupId = groupId;
        this.initialRebalanceDelayMs = initialRebalanceDelayMs;
        this.maxSize = maxSize;
        this.onGeneration = onGeneration;
    }

    /** Members now, including ones between their join answer and their sync. */
    public int memberCount() {
        return members.size();
    }

    public State state() {
        return state;
    }

    public int generation() {
        return generation;
    }

    public String leaderId() {
        return leaderId;
    }

    public String protocol() {
        return protocol;
    }

    public List<String> memberIds() {
        return List.copyOf(members.keySet());
    }

    public String groupId() {
        return groupId;
    }

    /** The members' protocol type ({@code consumer}), or null while the group has no member. */
    public String protocolType() {
        return members.isEmpty() ? null : protocolType;
    }

    /** One member as {@code DESCRIBE_GROUP} shows it; {@code assignment} is a copy. */
    public record MemberView(String memberId, String instanceId, String clientId, String host, byte[] assignment) {
    }

    /** Every member, in join order, with its current assignment (empty before its first sync). */
    public List<MemberView> members() {
        List<MemberView> out = new ArrayList<>(members.size());
        for (GroupMember m : members.values()) {
            out.add(new MemberView(m.memberId, m.instanceId, m.clientId, m.host, m.assignment.clone()));
        }
        return out;
    }

    /** Kafka's name of a state, as LIST_GROUPS and DESCRIBE_GROUP carry it: {@code Empty}, {@code Stable}, ... */
    public static String stateName(State state) {
        return switch (state) {
            case EMPTY -> "Empty";
            case PREPARING_REBALANCE -> "PreparingRebalance";
            case COMPLETING_REBALANCE -> "CompletingRebalance";
            case STABLE -> "Stable";
        };
    }

    /** No member, and so no join or sync waiting for an answer: the group holds nothing worth keeping. */
    public boolean isEmpty() {
        return members.isEmpty();
    }

    /**
     * A member joins (an empty {@code memberId}: a new one, given an id here) or rejoins; {@code answer} is called
     * once the generation is formed, or at once on an error or for a static member taking its place back.
     */
    public void join(String memberId, String instanceId, String clientId, String host, String type,
                     Map<String, byte[]> protocols, int sessionTimeoutMs, int rebalanceTimeoutMs, long nowMs,
                     Consumer<JoinResult> answer) {
        if (protocols.isEmpty() || (protocolType != null && !members.isEmpty() && !protocolType.equals(type))
            || !commonProtocolWith(protocols)) {
            answer.accept(JoinResult.failed(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
            return;
        }
        GroupMember member;
        String reason;
        if (memberId.isEmpty()) {
            String previous = instanceId == null ? null : memberByInstance.get(instanceId);
            if (previous == null && members.size() >= maxSize) {
                LOG.debug("group {}: join of a new member from {} refused: the group has {} members "
                    + "(group.max.size)", safe(groupId), safe(host), members.size());
                answer.accept(JoinResult.failed(ErrorCode.GROUP_MAX_SIZE_REACHED, memberId));
                return;
            }
            String id = newMemberId(clientId);
            member = new GroupMember(id, instanceId, clientId, host, sessionTimeoutMs, rebalanceTimeoutMs, protocols,
                nowMs);
            if (previous != null) {
                GroupMember old = members.remove(previous);
                fence(old);
                members.put(id, member);
                memberByInstance.put(instanceId, id);
                member.assignment = old.assignment;
                if (previous.equals(leaderId)) {
                    leaderId = id;
                }
                if (state == State.STABLE && old.sameAssignors(protocols)) {
                    // A restarted static member: its partitions wait for it, no rebalance. Its subscription bytes
                    // differ from its last ones (a fresh process owns nothing yet), so only the assignors count.
                    LOG.info("group {}: static member {} is back as {}, keeping generation {} without a rebalance",
                        safe(groupId), safe(instanceId), safe(id), generation);
                    answer.accept(joined(member));
                    return;
                }
                reason = "static member " + safe(instanceId) + " is back as " + safe(id) + " (was " + safe(previous)
                    + ")";
            } else {
                members.put(id, member);
                if (instanceId != null) {
                    memberByInstance.put(instanceId, id);
                }
                reason = "member " + safe(id) + " joined";
            }
        } else {
            member = members.get(memberId);
            if (member == null) {
                // a static member's old incarnation, replaced by a newer one, is told it was fenced, so it stops
                // instead of joining afresh and taking the place back
                answer.accept(JoinResult.failed(check(null, instanceId, generation), memberId));
                return;
            }
            if (fenced(member, instanceId)) {
                answer.accept(JoinResult.failed(ErrorCode.FENCED_INSTANCE_ID, memberId));
                return;
            }
            member.lastSeenMs = nowMs;
            if (state == State.STABLE && !memberId.equals(leaderId) && member.sameProtocols(protocols)) {
                answer.accept(joined(member)); // nothing changed: the current generation stands
                return;
            }
            reason = (memberId.equals(leaderId) ? "leader " : "member ") + safe(memberId) + " rejoined"
                + (member.sameProtocols(protocols) ? "" : " with a new subscription");
            member.protocols = new LinkedHashMap<>(protocols);
        }
        protocolType = type;
        if (member.awaitingJoin != null) { // the same member joins again before its answer: the newer one counts
            member.awaitingJoin.accept(JoinResult.failed(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
        }
        member.awaitingJoin = answer;
        if (state != State.PREPARING_REBALANCE) {
            prepareRebalance(nowMs, reason);
        } else if (firstGenerationPending && memberId.isEmpty()) {
            // as Kafka: each new member during a new group's initial delay extends it, up to the rebalance timeout,
            // so consumers starting together land in one generation however many there are
            joinNotBeforeMs = Math.min(nowMs + initialRebalanceDelayMs, joinDeadlineMs);
        }
        tryCompleteJoin(nowMs);
    }

    /**
     * A member asks for its assignment of {@code generationId}; the leader hands in everyone's
     * ({@code assignments}, by member id; ignored from others).
     */
    public void sync(String memberId, String instanceId, int generationId, Map<String, byte[]> assignments,
                     long nowMs, Consumer<SyncResult> answer) {
        GroupMember member = members.get(memberId);
        ErrorCode error = check(member, instanceId, generationId);
        if (error == ErrorCode.NONE && state == State.PREPARING_REBALANCE) {
            error = ErrorCode.REBALANCE_IN_PROGRESS;
        }
        if (error != ErrorCode.NONE) {
            answer.accept(SyncResult.failed(error));
            return;
        }
        member.lastSeenMs = nowMs;
        if (state == State.STABLE) {
            answer.accept(new SyncResult(ErrorCode.NONE, member.assignment));
            return;
        }
        if (member.awaitingSync != null) {
            // the same member syncs again before its answer: the newer request counts, the older is still answered
            Consumer<SyncResult> older = member.awaitingSync;
            member.awaitingSync = null;
            older.accept(SyncResult.failed(ErrorCode.REBALANCE_IN_PROGRESS));
        }
        member.awaitingSync = answer;
        if (memberId.equals(leaderId)) {
            for (GroupMember m : members.values()) {
                byte[] a = assignments.get(m.memberId);
                m.assignment = a == null ? new byte[0] : a;
            }
            state = State.STABLE;
            LOG.info("group {} generation {} is stable: leader {} handed in the assignment of {} member(s)",
                safe(groupId), generation, safe(leaderId), members.size());
            for (GroupMember m : members.values()) {
                if (m.awaitingSync != null) {
                    Consumer<SyncResult> cb = m.awaitingSync;
                    m.awaitingSync = null;
                    m.lastSeenMs = nowMs; // its session restarts when its wait ends, as Kafka's does
                    cb.accept(new SyncResult(ErrorCode.NONE, m.assignment));
                }
            }
        }
    }

    /** A member's heartbeat: NONE, or why it must rejoin or stop. */
    public ErrorCode heartbeat(String memberId, String instanceId, int generationId, long nowMs) {
        GroupMember member = members.get(memberId);
        ErrorCode error = check(member, instanceId, generationId);
        if (error != ErrorCode.NONE) {
            return error;
        }
        member.lastSeenMs = nowMs;
        return state == State.PREPARING_REBALANCE ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
    }

    /** A member leaves at once (a clean close); the others rebalance. */
    public ErrorCode leave(String memberId, String instanceId, long nowMs) {
        GroupMember member = members.get(memberId);
        if (member == null || fenced(member, instanceId)) {
            return check(member, instanceId, generation);
        }
        remove(member, ErrorCode.UNKNOWN_MEMBER_ID, nowMs, "member " + safe(memberId) + " left");
        return ErrorCode.NONE;
    }

    /**
     * Whether an offset commit from this member and generation may change the group's offsets. A commit without a
     * member id and generation -1 (a consumer that assigns its partitions itself) only while the group is empty;
     * a member of an old generation (a zombie) is refused, as Kafka refuses it.
     */
    public ErrorCode validateCommit(String memberId, String instanceId, int generationId) {
        if (memberId.isEmpty() && generationId == NO_GENERATION) {
            return members.isEmpty() ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
        }
        GroupMember member = members.get(memberId);
        ErrorCode error = check(member, instanceId, generationId);
        if (error == ErrorCode.NONE && state == State.COMPLETING_REBALANCE) {
            return ErrorCode.REBALANCE_IN_PROGRESS;
        }
        return error;
    }

    /** Expires silent members and finishes joins and syncs whose time is up. */
    public void tick(long nowMs) {
        List<GroupMember> expired = null; // the tick runs often: nothing allocated when nothing expired
        for (GroupMember m : members.values()) {
            // a member waiting for our answer (its join, or its sync until the leader's assignment) is kept alive,
            // as Kafka keeps it: the rebalance timeout bounds that wait, not its session
            // and so is every member between the generation forming and its sync: the sync deadline bounds that
            boolean waiting = (state == State.PREPARING_REBALANCE && m.awaitingJoin != null) || m.awaitingSync != null
                || state == State.COMPLETING_REBALANCE;
            if (!waiting && nowMs - m.lastSeenMs > m.sessionTimeoutMs) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(m);
            }
        }
        for (GroupMember m : expired == null ? List.<GroupMember>of() : expired) {
            LOG.info("group {}: member {} removed: not heard from for {} ms (session timeout {} ms)", safe(groupId),
                safe(m.memberId), nowMs - m.lastSeenMs, m.sessionTimeoutMs);
            remove(m, ErrorCode.UNKNOWN_MEMBER_ID, nowMs, "member " + safe(m.memberId) + "'s session expired");
        }
        if (state == State.COMPLETING_REBALANCE && nowMs >= syncDeadlineMs) {
            // the leader never handed in an assignment: whoever did not sync is gone, the rest rejoin
            List<GroupMember> silent = new ArrayList<>();
            for (GroupMember m : members.values()) {
                if (m.awaitingSync == null) {
                    silent.add(m);
                }
            }
            String reason = "leader " + safe(leaderId) + " did not hand in an assignment within the rebalance timeout";
            LOG.info("group {} generation {}: {}; removing the {} member(s) that did not sync", safe(groupId),
                generation, reason, silent.size());
            for (GroupMember m : silent) { // the first removal starts a rebalance, which answers the others' syncs
                remove(m, ErrorCode.UNKNOWN_MEMBER_ID, nowMs, reason);
            }
            if (state == State.COMPLETING_REBALANCE) {
                prepareRebalance(nowMs, reason);
            }
        }
        tryCompleteJoin(nowMs);
    }

    private ErrorCode check(GroupMember member, String instanceId, int generationId) {
        if (member == null) {
            // a static member's old incarnation, replaced by a newer one, is told it was fenced
            return instanceId != null && memberByInstance.containsKey(instanceId) ? ErrorCode.FENCED_INSTANCE_ID
                : ErrorCode.UNKNOWN_MEMBER_ID;
        }
        if (fenced(member, instanceId)) {
            return ErrorCode.FENCED_INSTANCE_ID;
        }
        return generationId != generation ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.NONE;
    }

    private boolean fenced(GroupMember member, String instanceId) {
        return instanceId != null && !member.memberId.equals(memberByInstance.get(instanceId));
    }

    private void fence(GroupMember old) {
        if (old.awaitingJoin != null) {
            old.awaitingJoin.accept(JoinResult.failed(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
        }
        if (old.awaitingSync != null) {
            old.awaitingSync.accept(SyncResult.failed(ErrorCode.FENCED_INSTANCE_ID));
        }
    }

    private boolean commonProtocolWith(Map<String, byte[]> protocols) {
        for (GroupMember m : members.values()) {
            if (m.protocols.keySet().stream().noneMatch(protocols::containsKey)) {
                return false;
            }
        }
        return true;
    }

    private void remove(GroupMember m, ErrorCode why, long nowMs, String reason) {
        members.remove(m.memberId);
        if (m.instanceId != null && m.memberId.equals(memberByInstance.get(m.instanceId))) {
            memberByInstance.remove(m.instanceId);
        }
        if (m.awaitingJoin != null) {
            m.awaitingJoin.accept(JoinResult.failed(why, m.memberId));
        }
        if (m.awaitingSync != null) {
            m.awaitingSync.accept(SyncResult.failed(why));
        }
        if (members.isEmpty()) {
            if (state != State.EMPTY) {
                LOG.info("group {} is empty after generation {}: {}", safe(groupId), generation, reason);
            }
            becomeEmpty();
        } else if (state != State.PREPARING_REBALANCE) {
            prepareRebalance(nowMs, reason);
        }
    }

    /** The last member is gone: a new generation with nobody in it, so no old member's commit is taken. */
    private void becomeEmpty() {
        state = State.EMPTY;
        generation++;
        leaderId = null;
        protocol = null;
    }

    /** Starts a rebalance; {@code reason} is logged, with peer-sent text already {@link #safe escaped}. */
    private void prepareRebalance(long nowMs, String reason) {
        for (GroupMember m : members.values()) {
            if (m.awaitingSync != null) {
                Consumer<SyncResult> cb = m.awaitingSync;
                m.awaitingSync = null;
                m.lastSeenMs = nowMs; // kept alive while it waited: its session restarts now
                cb.accept(SyncResult.failed(ErrorCode.REBALANCE_IN_PROGRESS));
            }
        }
        int rebalanceTimeoutMs = members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
        joinDeadlineMs = nowMs + rebalanceTimeoutMs;
        joinNotBeforeMs = state == State.EMPTY ? nowMs + initialRebalanceDelayMs : nowMs;
        firstGenerationPending = state == State.EMPTY;
        if (state == State.EMPTY) {
            LOG.info("group {} rebalancing: {}; waiting {} ms for more members", safe(groupId), reason,
                Math.min(initialRebalanceDelayMs, rebalanceTimeoutMs));
        } else {
            LOG.info("group {} rebalancing after generation {} ({} member(s)): {}", safe(groupId), generation,
                members.size(), reason);
        }
        state = State.PREPARING_REBALANCE;
    }

    private void tryCompleteJoin(long nowMs) {
        if (state != State.PREPARING_REBALANCE) {
            return;
        }
        boolean allJoined = members.values().stream().allMatch(m -> m.awaitingJoin != null);
        if (!(allJoined && nowMs >= joinNotBeforeMs) && nowMs < joinDeadlineMs) {
            return;
        }
        List<String> dropped = new ArrayList<>();
        for (Iterator<GroupMember> it = members.values().iterator(); it.hasNext(); ) {
            GroupMember m = it.next();
            if (m.awaitingJoin == null) { // did not rejoin within the rebalance timeout
                it.remove();
                if (m.instanceId != null) {
                    memberByInstance.remove(m.instanceId);
                }
                dropped.add(safe(m.memberId));
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info("group {}: member(s) {} removed: did not rejoin within the rebalance timeout", safe(groupId),
                dropped);
        }
        if (members.isEmpty()) {
            becomeEmpty();
            return;
        }
        generation++;
        if (leaderId == null || !members.containsKey(leaderId)) {
            leaderId = members.keySet().iterator().next();
        }
        protocol = selectProtocol();
        state = State.COMPLETING_REBALANCE;
        LOG.info("group {} generation {} formed: {} member(s), protocol {}, leader {}", safe(groupId), generation,
            members.size(), safe(protocol), safe(leaderId));
        onGeneration.run();
        syncDeadlineMs = nowMs + members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(0);
        for (GroupMember m : members.values()) {
            Consumer<JoinResult> cb = m.awaitingJoin;
            m.awaitingJoin = null;
            m.lastSeenMs = nowMs;
            cb.accept(joined(m));
        }
    }

    /** Every member votes for its most preferred assignor among those all support; the most votes win. */
    private String selectProtocol() {
        List<String> candidates = new ArrayList<>(members.get(leaderId).protocols.keySet());
        for (GroupMember m : members.values()) {
            candidates.retainAll(m.protocols.keySet());
        }
        Map<String, Integer> votes = new HashMap<>();
        for (GroupMember m : members.values()) {
            for (String p : m.protocols.keySet()) {
                if (candidates.contains(p)) {
                    votes.merge(p, 1, Integer::sum);
                    break;
                }
            }
        }
        String best = candidates.get(0);
        for (String c : candidates) { // ties go to the leader's preference
            if (votes.getOrDefault(c, 0) > votes.getOrDefault(best, 0)) {
                best = c;
            }
        }
        return best;
    }

    private JoinResult joined(GroupMember m) {
        List<JoinResult.MemberSubscription> list = new ArrayList<>();
        if (m.memberId.equals(leaderId)) {
            for (GroupMember other : members.values()) {
                list.add(new JoinResult.MemberSubscription(other.memberId, other.instanceId,
                    other.protocols.get(protocol)));
            }
        }
        return new JoinResult(ErrorCode.NONE, generation, protocol, leaderId, m.memberId, list);
    }

    /** {@code clientId}'s first chars (never half a surrogate pair, which would not survive UTF-8), then a UUID. */
    static String newMemberId(String clientId) {
        if (clientId.isEmpty()) {
            return "member-" + UUID.randomUUID();
        }
        int end = Math.min(clientId.length(), MEMBER_ID_CLIENT_CHARS);
        if (end < clientId.length() && Character.isHighSurrogate(clientId.charAt(end - 1))) {
            end--;
        }
        return clientId.substring(0, end) + "-" + UUID.randomUUID();
    }

    private static String safe(String peerText) {
        return LogText.safe(peerText);
    }

    @Override
    public String toString() {
        return "group " + safe(groupId) + " " + state + " generation " + generation + ", " + members.size()
            + " member(s), leader " + leaderId;
    }
}
