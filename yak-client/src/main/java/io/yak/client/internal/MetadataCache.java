package io.yak.client.internal;

import io.netty.util.collection.IntObjectHashMap;
import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.RegisterConsumerRequest;
import io.yak.wire.message.RegisterConsumerResponse;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.Connection;
import io.yak.wire.net.ConnectionListener;
import io.yak.wire.net.NetworkClient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's view of the cluster: the newest {@link ClusterMetadata} seen, from METADATA responses,
 * registration answers and LEADER_INFO pushes on the coordinator connection. A view with a lower epoch than the
 * current one is ignored; views of the same or a higher epoch replace the brokers and merge the topics (a METADATA
 * answer may list only the topics asked for). The coordinator connection registers the client (producer or
 * consumer) again on every reconnect, so pushes keep coming.
 *
 * <p>LEADER_INFO_DELTA pushes apply to the last whole view (all topics), kept apart from the merged one because a
 * partial METADATA answer cannot serve as a delta's base. A delta that does not apply (a push was missed) makes the
 * cache ask for the whole view: a METADATA request listing no topics, which means all of them.
 *
 * <p>Thread-safe: readers see an immutable snapshot through a volatile field; updates are serialized.
 * Listeners run on whichever thread applied the update (often the event loop) and must be quick.
 */
public final class MetadataCache implements ConnectionListener {
    /** What the coordinator connection registers as. */
    public enum Role { PRODUCER, CONSUMER, ADMIN }

    private static final Logger LOG = LoggerFactory.getLogger(MetadataCache.class);
    private static final long MAX_REFRESH_BACKOFF_NS = TimeUnit.SECONDS.toNanos(1);

    private final Connection coordinator;
    private final Role role;
    private final String clientId;
    /** {@link #clientId} escaped for log lines ({@link LogText}): the application may take it from anywhere. */
    private final String shownClientId;
    private final String groupId;
    /** See {@link #producerId()}; written by the coordinator connection's event loop. */
    private volatile long producerId = -1;
    private final long backoffNs;
    private final LongSupplier nanoClock;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot snapshot = Snapshot.EMPTY;

    /** The last whole cluster view seen, which deltas apply to; null before the first. Guarded by this. */
    private ClusterMetadata wholeView;
    /** Asking for the whole view after a delta that did not apply, so a run of them asks once. Guarded by this. */
    private boolean wholeViewInFlight;

    // Refresh coalescing; guarded by this.
    private boolean refreshNeeded;
    private boolean refreshInFlight;
    private long lastRefreshNs;
    private long currentBackoffNs;

    public MetadataCache(NetworkClient net, HostPort coordinatorAddress, Role role, String clientId, String groupId,
                         long retryBackoffMs, LongSupplier nanoClock) {
        this.coordinator = net.connection(coordinatorAddress);
        this.role = role;
        this.clientId = clientId;
        this.shownClientId = LogText.safe(clientId);
        this.groupId = groupId;
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(retryBackoffMs);
        this.currentBackoffNs = backoffNs;
        this.nanoClock = nanoClock;
        this.lastRefreshNs = nanoClock.getAsLong() - MAX_REFRESH_BACKOFF_NS;
        coordinator.listener(this);
    }

    public Connection coordinator() {
        return coordinator;
    }

    /** Called (on any thread, quickly) after every applied update and every coordinator disconnect. */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    /** The current view: brokers, epoch and every topic known so far. */
    public ClusterMetadata cluster() {
        return snapshot.cluster;
    }

    public long epoch() {
        return snapshot.cluster.epoch();
    }

    /** The topic, or null when it is not known yet. */
    public TopicInfo topic(String name) {
        return snapshot.topics.get(name);
    }

    /** Id of the partition's leader, or -1 when unknown or offline. */
    public int leaderId(String topic, int partition) {
        TopicInfo t = snapshot.topics.get(topic);
        PartitionInfo p = t == null ? null : t.partition(partition);
        return p == null ? PartitionInfo.NO_LEADER : p.leader();
    }

    /** The partition as the current view has it (leader, leader epoch, replicas), or null when it is unknown. */
    public PartitionInfo partition(String topic, int partition) {
        TopicInfo t = snapshot.topics.get(topic);
        return t == null ? null : t.partition(partition);
    }

    /**
     * Address of {@code p}'s leader, or null when {@code p} is null or offline or its leader is not listed. With
     * {@link #partition} a request goes to the leader whose leader epoch it names, both from one partition state.
     */
    public HostPort leaderAddress(PartitionInfo p) {
        return p == null || !p.online() ? null : snapshot.addresses.get(p.leader());
    }

    /** Address of the partition's leader, or null when unknown, offline or the broker is not listed. */
    public HostPort leaderAddress(String topic, int partition) {
        Snapshot s = snapshot;
        TopicInfo t = s.topics.get(topic);
        PartitionInfo p = t == null ? null : t.partition(partition);
        if (p == null || !p.online()) {
            return null;
        }
        return s.addresses.get(p.leader());
    }

    /**
     * Applies a view if its epoch is not older than the current one.
     *
     * @return whether it was applied
     */
    public boolean update(ClusterMetadata m) {
        synchronized (this) {
            Snapshot cur = snapshot;
            if (m.epoch() < cur.cluster.epoch()) {
                return false;
            }
            Map<String, TopicInfo> topics = new HashMap<>(cur.topics);
            for (TopicInfo t : m.topics()) {
                topics.put(t.name(), t);
            }
            Snapshot next = new Snapshot(m.brokers(), m.epoch(), topics);
            snapshot = next;
            if (m.epoch() > cur.cluster.epoch()) {
                LOG.debug("{}: cluster metadata epoch {} -> {}", shownClientId, cur.cluster.epoch(), m.epoch());
            }
        }
        fire();
        return true;
    }

    /** Applies a view known to hold every topic, and keeps it as the base for deltas when it is the newest. */
    private void updateWhole(ClusterMetadata m) {
        synchronized (this) {
            if (wholeView == null || m.epoch() >= wholeView.epoch()) {
                wholeView = m;
            }
        }
        update(m);
    }

    /**
     * A delta older than the whole view is stale; one based on it gives the next whole view; any other (a push was
     * missed, or it changes a partition the view lacks) is dropped and the whole view asked for.
     */
    private void apply(LeaderInfoDelta delta) {
        ClusterMetadata next;
        long base;
        synchronized (this) {
            base = wholeView == null ? -1 : wholeView.epoch();
            if (wholeView != null && delta.epoch() <= base) {
                LOG.debug("{}: ignoring the stale cluster delta {} -> {}, the view is at epoch {}", shownClientId,
                    delta.baseEpoch(), delta.epoch(), base);
                return;
            }
            next = wholeView == null ? null : wholeView.apply(delta);
            if (next != null) {
                wholeView = next;
            } else if (wholeViewInFlight) {
                return;
            } else {
                wholeViewInFlight = true;
            }
        }
        if (next != null) {
            update(next);
            return;
        }
        LOG.debug("{}: cluster delta {} -> {} does not apply to the view at epoch {}; asking for the whole view",
            shownClientId, delta.baseEpoch(), delta.epoch(), base);
        fetch(List.of(), false).whenComplete((r, e) -> {
            synchronized (this) {
                wholeViewInFlight = false;
            }
            if (e != null) {
                // The next delta asks again; until then the usual refresh keeps the client's own topics current.
                LOG.debug("{}: asking for the whole cluster view failed: {}", shownClientId,
                    LogText.safe(e.toString()));
                requestRefresh();
            }
        });
    }

    private void fire() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("{}: metadata listener failed", shownClientId, e);
            }
        }
    }

    /** Sends METADATA for {@code topics} (empty = all) and applies the answer. */
    public CompletableFuture<MetadataResponse> fetch(List<String> topics, boolean autoCreate) {
        boolean whole = topics.isEmpty();
        return coordinator.send(new MetadataRequest(autoCreate, topics)).thenApply(m -> {
            MetadataResponse r = (MetadataResponse) m;
            if (whole) {
                updateWhole(r.metadata());
            } else {
                update(r.metadata());
            }
            return r;
        });
    }

    /** Marks the view stale; the next {@link #maybeRefresh} sends a request. */
    public void requestRefresh() {
        synchronized (this) {
            refreshNeeded = true;
        }
    }

    /**
     * Sends a METADATA request if one was asked for, none is in flight and the backoff since the last attempt
     * passed (it doubles after each failure up to 1 s). Never blocks.
     */
    public void maybeRefresh(Supplier<? extends Collection<String>> topics, boolean autoCreate) {
        long now = nanoClock.getAsLong();
        synchronized (this) {
            if (!refreshNeeded || refreshInFlight || now - lastRefreshNs < currentBackoffNs) {
                return;
            }
            refreshInFlight = true;
            lastRefreshNs = now;
        }
        fetch(new ArrayList<>(topics.get()), autoCreate).whenComplete((r, e) -> {
            synchronized (this) {
                refreshInFlight = false;
                if (e == null) {
                    refreshNeeded = false;
                    currentBackoffNs = backoffNs;
                } else {
                    currentBackoffNs = Math.min(Math.max(currentBackoffNs * 2, backoffNs), MAX_REFRESH_BACKOFF_NS);
                    LOG.debug("{}: metadata refresh failed: {}", shownClientId, LogText.safe(e.toString()));
                }
            }
            if (e != null) {
                fire();
            }
        });
    }

    /**
     * Blocks until {@code topic} is known (asking the coordinator, creating it when {@code autoCreate}), retrying
     * retriable errors with backoff. Call only from a user thread.
     *
     * @throws YakException UNKNOWN_TOPIC or INVALID_TOPIC when the coordinator will not have it, REQUEST_TIMED_OUT
     *     (with the last error as cause) when {@code timeoutMs} passes first
     */
    public TopicInfo awaitTopic(String topic, boolean autoCreate, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Throwable last = null;
        while (true) {
            TopicInfo t = topic(topic);
            if (t != null) {
                return t;
            }
            long remainingNs = deadline - System.nanoTime();
            if (remainingNs <= 0) {
                throw timeout(topic, timeoutMs, last);
            }
            try {
                MetadataResponse r = fetch(List.of(topic), autoCreate).get(remainingNs, TimeUnit.NANOSECONDS);
                t = r.metadata().topic(topic);
                if (t != null) {
                    return topic(topic) != null ? topic(topic) : t;
                }
                ErrorCode code = r.error() == ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC : r.error();
                String msg = "unknown topic '" + topic + "'" + (r.message() == null ? "" : ": " + r.message());
                if (code == ErrorCode.UNKNOWN_TOPIC || !code.retriable()) {
                    throw new YakException(code, msg);
                }
                last = new YakException(code, msg);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof YakException ye && !ye.retriable()) {
                    throw ye;
                }
                last = cause;
            } catch (TimeoutException e) {
                throw timeout(topic, timeoutMs, last);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "interrupted while waiting for topic "
                    + LogText.safe(topic), e);
            }
            LockSupport.parkNanos(Math.min(backoffNs, Math.max(0, deadline - System.nanoTime())));
        }
    }

    private static YakException timeout(String topic, long timeoutMs, Throwable last) {
        String why = last == null ? "" : ": " + LogText.safe(last.getMessage());
        if (last instanceof io.yak.client.YakConnectionException ce) {
            return new io.yak.client.YakConnectionException(ce.address(), ce.reason(),
                "topic '" + LogText.safe(topic) + "' not available after " + timeoutMs + " ms" + why, last);
        }
        return new YakException(ErrorCode.REQUEST_TIMED_OUT,
            "topic '" + LogText.safe(topic) + "' not available after " + timeoutMs + " ms" + why, last);
    }

    /**
     * The producer id the coordinator gave at the first registration ({@code REGISTER_PRODUCER_RESPONSE}), kept for
     * the producer's life; -1 until then, and for other roles.
     */
    public long producerId() {
        return producerId;
    }

    @Override
    public Message handshake() {
        return switch (role) {
            case PRODUCER -> new RegisterProducerRequest(clientId);
            case CONSUMER -> new RegisterConsumerRequest(clientId, groupId);
            case ADMIN -> null;
        };
    }

    @Override
    public void handshakeDone(Message response, Throwable error) {
        if (error != null) {
            LOG.debug("{}: registration with {} failed: {}", shownClientId, coordinator.shownAddress(),
                LogText.safe(error.toString()));
            return;
        }
        if (response instanceof RegisterProducerResponse r) {
            if (r.error() == ErrorCode.NONE && producerId < 0 && r.producerId() >= 0) {
                // the first id for the producer's life: its batches are numbered under it
                producerId = r.producerId();
            }
            registered(r.error(), r.metadata());
        } else if (response instanceof RegisterConsumerResponse r) {
            registered(r.error(), r.metadata());
        }
    }

    private void registered(ErrorCode error, ClusterMetadata m) {
        if (error != ErrorCode.NONE) {
            LOG.warn("{}: coordinator {} refused registration: {}", shownClientId, coordinator.shownAddress(), error);
            return;
        }
        updateWhole(m);
    }

    @Override
    public void push(Message message) {
        if (message instanceof LeaderInfo li) {
            updateWhole(li.metadata());
        } else if (message instanceof LeaderInfoDelta delta) {
            apply(delta);
        }
    }

    @Override
    public void disconnected() {
        LOG.debug("{}: connection to coordinator {} closed", shownClientId, coordinator.shownAddress());
        requestRefresh();
        fire();
    }

    /** Immutable view; {@code addresses} maps broker id to address for the hot path (no allocation). */
    private static final class Snapshot {
        static final Snapshot EMPTY = new Snapshot(List.of(), ClusterMetadata.EMPTY.epoch(), Map.of());

        final ClusterMetadata cluster;
        final Map<String, TopicInfo> topics;
        final IntObjectHashMap<HostPort> addresses;

        Snapshot(List<BrokerInfo> brokers, long epoch, Map<String, TopicInfo> topics) {
            List<TopicInfo> sorted = new ArrayList<>(topics.values());
            sorted.sort(java.util.Comparator.comparing(TopicInfo::name));
            this.cluster = new ClusterMetadata(epoch, brokers, sorted);
            this.topics = Map.copyOf(topics);
            this.addresses = new IntObjectHashMap<>(Math.max(4, brokers.size() * 2));
            for (BrokerInfo b : brokers) {
                addresses.put(b.id(), new HostPort(b.host(), b.port()));
            }
        }
    }
}
