package io.yak.client.consumer;

import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.consumer.assignor.PartitionAssignor;
import io.yak.client.consumer.assignor.Subscription;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.message.GroupAssignment;
import io.yak.wire.message.GroupHeartbeatRequest;
import io.yak.wire.message.GroupHeartbeatResponse;
import io.yak.wire.message.GroupProtocol;
import io.yak.wire.message.JoinGroupMember;
import io.yak.wire.message.JoinGroupRequest;
import io.yak.wire.message.JoinGroupResponse;
import io.yak.wire.message.LeaveGroupRequest;
import io.yak.wire.message.Message;
import io.yak.wire.message.SyncGroupRequest;
import io.yak.wire.message.SyncGroupResponse;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's membership in its group (Kafka's {@code ConsumerCoordinator}): joins when it subscribes, computes
 * the assignment when it is the leader, applies what the group hands out (telling the
 * {@link ConsumerRebalanceListener}), rejoins when the group rebalances, the subscription or a subscribed topic's
 * partition count changes, and leaves on close. A {@link GroupHeartbeat} thread keeps the member alive between
 * polls and makes it leave when the application stops polling for {@code max.poll.interval.ms}.
 *
 * <p>Answers to group requests are queued and handled in {@link #poll}, on the thread that polls, so rebalance
 * listeners run only inside {@code poll} (and {@code close}), as Kafka's do. The member's identity (member id,
 * generation) is shared with the heartbeat thread under this object's lock.
 */
final class ConsumerCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerCoordinator.class);
    private static final ConsumerRebalanceListener NO_LISTENER = new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }
    };

    /** What a commit names so the coordinator can fence it: generation -1 and no member outside the protocol. */
    record Identity(int generation, String memberId, String instanceId) {
        static final Identity NONE = new Identity(-1, "", null);
    }

    private final ConsumerConfig config;
    private final String groupId;
    private final String shownClientId;
    private final SubscriptionState subscriptions;
    private final MetadataCache metadata;
    private final LongSupplier nanoClock;
    private final long backoffNs;
    private final Runnable wakeOwner;
    /** Commits the current positions before partitions are given up (auto-commit); owner thread. */
    private final Runnable commitBeforeRevoke;
    private final Consumer<YakException> fail;
    private final ConcurrentLinkedQueue<Runnable> answers = new ConcurrentLinkedQueue<>();
    private final GroupHeartbeat heartbeat;

    // owner thread only
    private ConsumerRebalanceListener listener = NO_LISTENER;
    private Pattern pattern;
    private boolean requestInFlight;
    private boolean prepared;
    /** Whether this member computed the current generation's assignment. */
    private boolean leader;
    private long retryAtNs;
    private long checkedEpoch = -1;
    /** Partition counts of the topics whose change calls for a rebalance (the leader watches every member's). */
    private Map<String, Integer> watchedTopics = Map.of();

    // shared with the heartbeat thread, guarded by this
    private String memberId = "";
    private int generation = -1;
    private boolean stable;
    private final AtomicBoolean rejoinRequested = new AtomicBoolean();
    /** The group moved on without this member (timeouts, fencing): its partitions are lost, not revoked. */
    private final AtomicBoolean memberLost = new AtomicBoolean();
    private volatile long lastPollNs;
    private volatile boolean closed;
    /** Set once another consumer took this one's group.instance.id: every later poll throws it, as in Kafka. */
    private volatile YakException fatal;

    ConsumerCoordinator(ConsumerConfig config, SubscriptionState subscriptions, MetadataCache metadata,
                        LongSupplier nanoClock, Runnable wakeOwner, Runnable commitBeforeRevoke,
                        Consumer<YakException> fail) {
        this.config = config;
        this.groupId = config.groupId();
        this.shownClientId = LogText.safe(config.common().clientId());
        this.subscriptions = subscriptions;
        this.metadata = metadata;
        this.nanoClock = nanoClock;
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(config.common().retryBackoffMs());
        this.wakeOwner = wakeOwner;
        this.commitBeforeRevoke = commitBeforeRevoke;
        this.fail = fail;
        this.lastPollNs = nanoClock.getAsLong();
        this.heartbeat = new GroupHeartbeat(this, config, nanoClock);
    }

    /** Whether the group protocol decides the partitions: a group.id and a subscription. */
    boolean active() {
        return groupId != null && subscriptions.subscribed();
    }

    /** A new subscription by name (or by pattern, when non-null); any earlier assignment is gone. */
    void subscribed(Pattern pattern, ConsumerRebalanceListener listener) {
        this.pattern = pattern;
        this.listener = listener == null ? NO_LISTENER : listener;
        this.checkedEpoch = -1;
        rejoinRequested.set(true);
    }

    /**
     * Before a new subscription replaces this one: the owned partitions are given up, their positions committed
     * first with auto-commit. Owner thread.
     */
    void revokeAll() {
        Set<TopicPartition> owned = subscriptions.assignment();
        if (owned.isEmpty()) {
            return;
        }
        if (memberLost.get()) {
            listener.onPartitionsLost(List.copyOf(owned));
            return;
        }
        if (config.enableAutoCommit()) {
            commitBeforeRevoke.run();
        }
        listener.onPartitionsRevoked(List.copyOf(owned));
    }

    /**
     * Whether a new subscription is the current one again (same topics, or the same pattern): then only the
     * listener changes and the member keeps its partitions. Owner thread.
     */
    boolean keepsSubscription(Collection<String> topics, Pattern newPattern, ConsumerRebalanceListener newListener) {
        boolean same = newPattern == null ? pattern == null && new java.util.HashSet<>(topics).equals(
            new java.util.HashSet<>(subscriptions.subscription()))
            : pattern != null && pattern.pattern().equals(newPattern.pattern()) && pattern.flags() == newPattern.flags();
        if (same) {
            listener = newListener == null ? NO_LISTENER : newListener;
        }
        return same;
    }

    /** The identity a commit of the current positions names. */
    synchronized Identity identity() {
        return active() && !memberId.isEmpty() ? new Identity(generation, memberId, config.groupInstanceId())
            : Identity.NONE;
    }

    /** A join or sync is in flight: the member's generation is about to change, commits would be refused. */
    boolean rebalancing() {
        return active() && requestInFlight;
    }

    /** A commit sent as {@code used} was refused with {@code code}: the member rejoins, or knows it is lost. */
    void commitRefused(Identity used, ErrorCode code) {
        if (requestInFlight || used.memberId().isEmpty()) {
            return; // refused because the rebalance under way moved the generation on; the member is rejoining
        }
        synchronized (this) {
            if (used.generation() != generation || !used.memberId().equals(memberId)) {
                return;
            }
        }
        if (code == ErrorCode.UNKNOWN_MEMBER_ID || code == ErrorCode.ILLEGAL_GENERATION) {
            memberLost.set(true);
        } else if (code == ErrorCode.REBALANCE_IN_PROGRESS) {
            rejoinRequested.set(true);
        }
    }

    /**
     * Advances the membership: handles group answers, notices lost membership and topic changes, starts a join
     * when one is due. Owner thread, from every poll.
     */
    void poll(long nowNs, boolean fromPoll) {
        if (fromPoll) {
            lastPollNs = nowNs;
        }
        Runnable r;
        while ((r = answers.poll()) != null) {
            r.run();
        }
        if (!active() || closed) {
            return;
        }
        if (memberLost.getAndSet(false)) {
            losePartitions();
        }
        if (fatal != null) {
            throw fatal;
        }
        checkMetadata();
        if (!requestInFlight && nowNs - retryAtNs >= 0 && needsJoin()) {
            startJoin();
        }
    }

    /** Leaves the group (a clean close, or a switch to manual assignment), revoking what it owns. Owner thread. */
    void leave(String why, long timeoutMs) {
        String id;
        synchronized (this) {
            id = memberId;
            stable = false;
        }
        try {
            Set<TopicPartition> owned = subscriptions.assignment();
            if (!id.isEmpty() && !owned.isEmpty()) {
                if (memberLost.get() || fatal != null) {
                    listener.onPartitionsLost(List.copyOf(owned));
                } else {
                    listener.onPartitionsRevoked(List.copyOf(owned));
                }
            }
        } finally {
            // a static member keeps its place until its session times out; a fenced one has no place to leave
            if (!id.isEmpty() && config.groupInstanceId() == null && fatal == null) {
                sendLeave(id, why, timeoutMs);
            }
            synchronized (this) {
                memberId = "";
                generation = -1;
            }
        }
    }

    /**
     * Leaves the group. A join answered but not yet handled is handled first, so its member id is known and left;
     * one still in flight is left when its answer arrives.
     */
    void close(long timeoutMs) {
        try {
            // A first join in flight has no member id yet: wait (bounded) for it, so the member can leave, or the
            // group would wait for it until its rebalance timeout.
            long deadlineNs = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                Runnable r;
                while ((r = answers.poll()) != null) {
                    r.run();
                }
                boolean idUnknown;
                synchronized (this) {
                    idUnknown = memberId.isEmpty();
                }
                if (!(active() && requestInFlight && idUnknown) || nanoClock.getAsLong() - deadlineNs >= 0) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            if (active()) {
                leave("the consumer closes", timeoutMs);
            }
        } finally {
            closed = true;
            heartbeat.stop();
        }
    }

    // ---------------------------------------------------------------- called by the heartbeat thread

    /** The identity to heartbeat with, or null when the member has no stable generation. */
    synchronized Identity heartbeatIdentity() {
        return stable && !closed && !memberLost.get() ? new Identity(generation, memberId, config.groupInstanceId())
            : null;
    }

    long lastPollNs() {
        return lastPollNs;
    }

    CompletableFuture<Message> sendHeartbeat(Identity id) {
        return metadata.coordinator().send(new GroupHeartbeatRequest(groupId, id.generation(), id.memberId(),
            id.instanceId()), config.sessionTimeoutMs());
    }

    /** A heartbeat answer (event loop). */
    void onHeartbeat(Identity id, Message m, Throwable e) {
        if (e != null) {
            LOG.debug("{}: heartbeat to group {} failed: {}", shownClientId, LogText.safe(groupId),
                LogText.safe(e.toString()));
            return;
        }
        ErrorCode code = ((GroupHeartbeatResponse) m).error();
        synchronized (this) {
            // an answer to a heartbeat sent before a rebalance this member already started says nothing new
            if (!stable || id.generation() != generation || !id.memberId().equals(memberId)) {
                return;
            }
        }
        switch (code) {
            case NONE -> { }
            case REBALANCE_IN_PROGRESS -> {
                LOG.debug("{}: group {} is rebalancing; rejoining", shownClientId, LogText.safe(groupId));
                rejoinRequested.set(true);
                wakeOwner.run();
            }
            case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
                LOG.info("{}: group {} no longer has member {} of generation {} ({}); its partitions are lost",
                    shownClientId, LogText.safe(groupId), LogText.safe(id.memberId()), id.generation(), code);
                memberLost.set(true);
                wakeOwner.run();
            }
            case FENCED_INSTANCE_ID -> {
                fatal = fenced();
                memberLost.set(true);
                wakeOwner.run();
            }
            default -> LOG.debug("{}: heartbeat to group {} answered {}", shownClientId, LogText.safe(groupId), code);
        }
    }

    /** {@code max.poll.interval.ms} passed without a poll: leave so the others take the partitions. */
    void pollTimedOut(Identity id, long sinceMs) {
        LOG.warn("{}: no poll for {} ms (max.poll.interval.ms {}): leaving group {}, whose other members take its "
                + "partitions; the next poll rejoins. Process records faster or raise max.poll.interval.ms or lower "
                + "max.poll.records", shownClientId, sinceMs, config.maxPollIntervalMs(), LogText.safe(groupId));
        memberLost.set(true);
        if (config.groupInstanceId() == null) {
            metadata.coordinator().send(new LeaveGroupRequest(groupId, id.memberId(), null));
        }
        wakeOwner.run();
    }

    // ---------------------------------------------------------------- joining

    private synchronized boolean needsJoin() {
        return memberId.isEmpty() || !stable || rejoinRequested.get();
    }

    private void startJoin() {
        synchronized (this) {
            stable = false; // from here heartbeats stop and their late answers are ignored
        }
        if (!prepared) {
            try {
                prepareJoin();
            } finally {
                prepared = true; // a listener that threw still gave its partitions up: the join goes on next poll
            }
        }
        rejoinRequested.set(false);
        String id;
        int gen;
        synchronized (this) {
            id = memberId;
            gen = generation;
        }
        List<String> topics = new ArrayList<>(subscriptions.subscription());
        List<TopicPartition> owned = new ArrayList<>(subscriptions.assignment());
        byte[] subscription = ConsumerProtocol.encodeSubscription(new Subscription(topics, owned, gen));
        List<GroupProtocol> protocols = new ArrayList<>();
        for (PartitionAssignor a : config.assignors()) {
            protocols.add(new GroupProtocol(a.name(), subscription));
        }
        requestInFlight = true;
        LOG.debug("{}: joining group {} as {} (topics {})", shownClientId, LogText.safe(groupId),
            id.isEmpty() ? "a new member" : LogText.safe(id), LogText.safe(topics.toString()));
        metadata.coordinator().send(new JoinGroupRequest(groupId, config.sessionTimeoutMs(),
                config.maxPollIntervalMs(), id, config.groupInstanceId(), config.common().clientId(),
                ConsumerProtocol.PROTOCOL_TYPE, protocols), joinTimeoutMs())
            .whenComplete((m, e) -> {
                if (closed && e == null && ((JoinGroupResponse) m).error() == ErrorCode.NONE
                    && config.groupInstanceId() == null) {
                    // closed while this join was in flight: leave now, or the group waits a session for the member
                    metadata.coordinator().send(new LeaveGroupRequest(groupId, ((JoinGroupResponse) m).memberId(),
                        null));
                    return;
                }
                answer(() -> onJoin((JoinGroupResponse) m, e));
            });
    }

    /** Eager assignors give everything up before a rebalance; cooperative ones keep consuming throughout. */
    private void prepareJoin() {
        Set<TopicPartition> owned = subscriptions.assignment();
        if (config.cooperative()) {
            // only what the member no longer subscribes to is given up before the join (as Kafka): the rest it keeps
            owned.removeIf(tp -> subscriptions.subscription().contains(tp.topic()));
        }
        revoke(owned);
    }

    /**
     * Gives {@code partitions} up: commits their positions first with auto-commit, tells the listener, drops them.
     * Whatever fails (the commit, a wakeup, the listener), they are dropped, and the first failure is thrown after.
     */
    private void revoke(Set<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        RuntimeException failure = null;
        try {
            if (config.enableAutoCommit()) {
                commitBeforeRevoke.run();
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            listener.onPartitionsRevoked(List.copyOf(partitions));
        } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
        } finally {
            subscriptions.removeAssigned(partitions);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void onJoin(JoinGroupResponse r, Throwable e) {
        requestInFlight = false;
        if (closed || !active()) {
            return;
        }
        if (e != null) {
            retryLater("join", YakConsumer.asYak(e).getMessage());
            return;
        }
        switch (r.error()) {
            case NONE -> {
                synchronized (this) {
                    memberId = r.memberId();
                    generation = r.generation();
                }
                leader = r.memberId().equals(r.leader());
                if (leader) {
                    lead(r, true);
                } else {
                    sync(r.generation(), r.memberId(), List.of());
                }
            }
            case UNKNOWN_MEMBER_ID -> {
                // the group no longer has this member (its session expired): what it owns now belongs to others
                memberLost.set(true);
                losePartitions();
            }
            case REBALANCE_IN_PROGRESS -> rejoinRequested.set(true);
            case FENCED_INSTANCE_ID -> {
                fatal = fenced();
                losePartitions();
            }
            default -> {
                retryLater("join", r.error().toString());
                if (!r.error().retriable()) {
                    fail.accept(new YakException(r.error(), "joining group " + groupId + " failed: " + r.error()));
                }
            }
        }
    }

    /** The leader computes every member's partitions, after looking up topics its own metadata lacks. */
    private void lead(JoinGroupResponse r, boolean mayFetch) {
        PartitionAssignor assignor = config.assignors().stream().filter(a -> a.name().equals(r.protocol()))
            .findFirst().orElse(null);
        if (assignor == null) {
            fail.accept(new YakException(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, "group " + groupId
                + " chose assignor '" + r.protocol() + "', which this consumer does not have"));
            return;
        }
        Map<String, Subscription> subs = new LinkedHashMap<>();
        Set<String> topics = new TreeSet<>();
        for (JoinGroupMember m : r.members()) {
            Subscription s;
            try {
                s = ConsumerProtocol.decodeSubscription(m.metadata());
            } catch (RuntimeException ex) {
                LOG.warn("{}: member {} of group {} sent a subscription this consumer cannot read ({}); it gets no "
                    + "partitions", shownClientId, LogText.safe(m.memberId()), LogText.safe(groupId),
                    LogText.safe(ex.getMessage()));
                s = Subscription.of(List.of());
            }
            subs.put(m.memberId(), s);
            topics.addAll(s.topics());
        }
        List<String> missing = topics.stream().filter(t -> metadata.topic(t) == null).toList();
        if (!missing.isEmpty() && mayFetch) {
            requestInFlight = true;
            metadata.fetch(missing, false).whenComplete((x, ex) -> answer(() -> {
                requestInFlight = false;
                if (!closed && active()) {
                    lead(r, false);
                }
            }));
            return;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String t : topics) {
            TopicInfo info = metadata.topic(t);
            counts.put(t, info == null ? 0 : info.partitionCount());
        }
        Map<String, Integer> existing = new HashMap<>(counts);
        existing.values().removeIf(n -> n == 0);
        Map<String, List<TopicPartition>> assignment = assignor.assign(existing, subs);
        List<GroupAssignment> out = new ArrayList<>();
        for (Map.Entry<String, List<TopicPartition>> a : assignment.entrySet()) {
            out.add(new GroupAssignment(a.getKey(), ConsumerProtocol.encodeAssignment(a.getValue())));
        }
        LOG.info("{}: leader of group {} generation {}: assigned {} member(s) with {}: {}", shownClientId,
            LogText.safe(groupId), r.generation(), subs.size(), assignor.name(), LogText.safe(assignment.toString()));
        watchedTopics = counts;
        sync(r.generation(), r.memberId(), out);
    }

    private void sync(int gen, String id, List<GroupAssignment> assignments) {
        requestInFlight = true;
        metadata.coordinator().send(new SyncGroupRequest(groupId, gen, id, config.groupInstanceId(), assignments),
                joinTimeoutMs())
            .whenComplete((m, e) -> answer(() -> onSync(gen, (SyncGroupResponse) m, e)));
    }

    private void onSync(int gen, SyncGroupResponse r, Throwable e) {
        requestInFlight = false;
        if (closed || !active()) {
            return;
        }
        if (e != null) {
            retryLater("sync", YakConsumer.asYak(e).getMessage());
            return;
        }
        switch (r.error()) {
            case NONE -> applyAssignment(gen, r.assignment());
            case REBALANCE_IN_PROGRESS -> rejoinRequested.set(true);
            case UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION -> {
                memberLost.set(true);
                rejoinRequested.set(true);
            }
            case FENCED_INSTANCE_ID -> {
                fatal = fenced();
                losePartitions();
            }
            default -> retryLater("sync", r.error().toString());
        }
    }

    private void applyAssignment(int gen, byte[] bytes) {
        List<TopicPartition> assigned;
        try {
            assigned = ConsumerProtocol.decodeAssignment(bytes);
        } catch (RuntimeException ex) {
            fail.accept(new YakException(ErrorCode.INVALID_REQUEST, "group " + groupId + " handed out an "
                + "assignment this consumer cannot read: " + ex.getMessage()));
            rejoinRequested.set(true);
            return;
        }
        Set<TopicPartition> owned = subscriptions.assignment();
        Set<TopicPartition> revoked = new LinkedHashSet<>(owned);
        assigned.forEach(revoked::remove);
        Set<TopicPartition> added = new LinkedHashSet<>(assigned);
        added.removeAll(owned);
        // Partitions of topics this member does not subscribe to (the subscription changed while it joined, or a
        // static member came back with another one) are not taken: the member rejoins with what it subscribes to.
        if (added.removeIf(tp -> !subscriptions.subscription().contains(tp.topic()))) {
            rejoinRequested.set(true);
        }
        synchronized (this) {
            stable = true;
        }
        prepared = false;
        heartbeat.start();
        LOG.info("{}: member {} of group {}, generation {}: assigned {}", shownClientId, LogText.safe(memberId),
            LogText.safe(groupId), gen, LogText.safe(assigned.toString()));
        if (!leader) {
            Map<String, Integer> counts = new HashMap<>();
            for (String t : subscriptions.subscription()) {
                TopicInfo info = metadata.topic(t);
                counts.put(t, info == null ? 0 : info.partitionCount());
            }
            watchedTopics = counts;
        }
        RuntimeException listenerFailure = null;
        if (!revoked.isEmpty()) {
            // cooperative: what moves is given up now, and a follow-up rebalance hands it to its new owner
            rejoinRequested.set(true);
            try {
                revoke(revoked);
            } catch (RuntimeException ex) {
                listenerFailure = ex;
            }
        }
        subscriptions.addAssigned(added);
        try {
            listener.onPartitionsAssigned(List.copyOf(added));
        } catch (RuntimeException ex) {
            listenerFailure = listenerFailure == null ? ex : listenerFailure;
        }
        if (listenerFailure != null) {
            throw listenerFailure;
        }
    }

    /** The group moved on: the partitions are lost (no commit: it would be refused), and the member rejoins. */
    private void losePartitions() {
        Set<TopicPartition> owned = subscriptions.assignment();
        synchronized (this) {
            stable = false;
        }
        prepared = false;
        rejoinRequested.set(true);
        try {
            if (!owned.isEmpty()) {
                // the identity is still the old one: a listener's commit here is fenced, not taken as outside-group
                listener.onPartitionsLost(List.copyOf(owned));
            }
        } finally {
            subscriptions.removeAssigned(owned);
            synchronized (this) {
                memberId = ""; // a static member joins again under its instance id, which takes its place back
                generation = -1;
            }
        }
    }

    /** A pattern subscription follows the topics; a partition count change of a watched topic rebalances. */
    private void checkMetadata() {
        long epoch = metadata.epoch();
        if (epoch == checkedEpoch) {
            return;
        }
        checkedEpoch = epoch;
        if (pattern != null) {
            Set<String> matching = new TreeSet<>();
            for (TopicInfo t : metadata.cluster().topics()) {
                if (pattern.matcher(t.name()).matches()) {
                    matching.add(t.name());
                }
            }
            if (!matching.equals(new TreeSet<>(subscriptions.subscription()))) {
                LOG.info("{}: pattern {} now matches {}; rejoining group {}", shownClientId,
                    LogText.safe(pattern.pattern()), LogText.safe(matching.toString()), LogText.safe(groupId));
                subscriptions.changeSubscription(matching);
                rejoinRequested.set(true);
            }
        }
        for (Map.Entry<String, Integer> w : watchedTopics.entrySet()) {
            TopicInfo info = metadata.topic(w.getKey());
            int now = info == null ? 0 : info.partitionCount();
            if (now != w.getValue()) {
                LOG.info("{}: topic {} has {} partition(s), was {}; rejoining group {}", shownClientId,
                    LogText.safe(w.getKey()), now, w.getValue(), LogText.safe(groupId));
                rejoinRequested.set(true);
                watchedTopics = Map.of();
                break;
            }
        }
    }

    private void sendLeave(String id, String why, long timeoutMs) {
        LOG.info("{}: member {} leaves group {}: {}", shownClientId, LogText.safe(id), LogText.safe(groupId), why);
        try {
            metadata.coordinator().send(new LeaveGroupRequest(groupId, id, null), timeoutMs)
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("{}: leave of group {} not confirmed: {}", shownClientId, LogText.safe(groupId),
                LogText.safe(e.toString()));
        }
    }

    private void answer(Runnable r) {
        answers.add(r);
        wakeOwner.run();
    }

    private void retryLater(String what, String why) {
        LOG.debug("{}: {} of group {} failed ({}); retrying", shownClientId, what, LogText.safe(groupId),
            LogText.safe(why));
        retryAtNs = nanoClock.getAsLong() + backoffNs;
        rejoinRequested.set(true);
    }

    private YakException fenced() {
        return new YakException(ErrorCode.FENCED_INSTANCE_ID, "group.instance.id " + config.groupInstanceId()
            + " of group " + groupId + " was taken over by another consumer; this one must stop");
    }

    /** A join waits for every member to rejoin, up to the rebalance timeout (max.poll.interval.ms). */
    private long joinTimeoutMs() {
        return (long) config.maxPollIntervalMs() + config.common().requestTimeoutMs();
    }
}
