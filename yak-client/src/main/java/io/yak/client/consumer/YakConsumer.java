package io.yak.client.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.internal.ClientNetwork;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.NetworkClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records from YaK partitions. {@link #subscribe} takes the topics' partitions (creating missing topics when
 * the coordinator allows it): all of them, or with a {@code group.id} the share the consumer group assigns this
 * member; {@link #assign} takes the given partitions. A partition without a
 * position starts at the group's committed offset ({@code group.id}) or else per {@code auto.offset.reset}
 * (earliest, latest, none); {@link #seek}, {@link #seekToBeginning}, {@link #seekToEnd} and
 * {@link #seekToTimestamp} move it ({@link #offsetsForTimes} looks up offsets by record time). {@link #poll}
 * keeps one CONSUME request in flight per partition (pipelined across partitions and across polls), returns up to
 * {@code max.poll.records} records, in offset order per partition, and advances the positions. Only records
 * below a partition's high watermark are returned: those every in-sync replica has, which survive the leader's loss.
 * Leader changes are followed (LEADER_INFO pushes, NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH,
 * PARTITION_OFFLINE, lost connections): the metadata is refreshed and the fetch retried at the new leader from the
 * same position, so no offset is skipped or read twice. {@link #currentLag} tells how far a partition is behind its
 * high watermark.
 *
 * <p>Inside: a {@link SubscriptionState} holds what is read and where each partition stands, a {@link Fetcher}
 * sends the CONSUME requests and hands out their records, a {@link ConsumerCoordinator} keeps the membership in a
 * consumer group (with its {@link GroupHeartbeat} thread), an {@link OffsetCommitter} commits and looks up offsets,
 * {@link OffsetsForTimes} looks offsets up by time, and {@link ConsumerEvents} brings work from other threads to the
 * consumer's; this class resolves positions (committed offsets, offset resets) and runs the poll loop.
 *
 * <p>Metrics: given a Micrometer {@link MeterRegistry} ({@link #YakConsumer(Properties, MeterRegistry)}) the
 * consumer registers its {@code yak.consumer.*} meters there, tagged {@code client.id} (see {@code METRICS.md}): a
 * lag gauge per assigned partition from its assignment until it is revoked, the rest until the consumer closes.
 *
 * <p>Not thread-safe, like Kafka's consumer: one thread uses it (others get a
 * {@link ConcurrentModificationException}). Answers arrive on the event loop and are queued to that thread,
 * which does all the work. Fetched buffers are released when returned, on seek and on close. The one exception is
 * {@link #wakeup()}, which any thread may call to end a blocked poll; the usual shutdown:
 *
 * <pre>{@code
 * // polling thread                                  // another thread, to stop it
 * try (YakConsumer c = new YakConsumer(props)) {     running = false;
 *     c.subscribe(List.of("orders"));                 consumer.wakeup();
 *     while (running) {
 *         process(c.poll(Duration.ofSeconds(1)));
 *     }
 * } catch (WakeupException e) {
 *     // asked to stop; try-with-resources closes the consumer on this thread
 * }
 * }</pre>
 */
public final class YakConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(YakConsumer.class);

    private final ConsumerConfig config;
    /** The client id escaped for log lines ({@link LogText}): the application may take it from anywhere. */
    private final String shownClientId;
    private final LongSupplier nanoClock;
    private final NetworkClient network;
    private final MetadataCache metadata;
    private final long backoffNs;
    private final ConsumerEvents events;
    private final ConsumerMetrics metrics;
    private final SubscriptionState subscriptions;
    private final Fetcher fetcher;
    private final ConsumerCoordinator coordinator;
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    private final Supplier<List<String>> topicsOfInterest;
    /** Set by the metadata listener (any thread); the owner thread then moves fetches to new leaders. */
    private final AtomicBoolean metadataChanged = new AtomicBoolean();
    /** Nesting of public calls by the owner thread; owner-thread only. */
    private int depth;
    private boolean topicFetchInFlight;
    private long topicFetchRetryNs;
    private long topicFetchBackoffNs;
    private YakException pendingError;
    private final OffsetCommitter committer;
    private volatile boolean closed;

    /**
     * Creates a consumer from the keys listed in {@link ConsumerConfig}; unknown keys throw
     * {@link IllegalArgumentException}. It registers no meters.
     */
    public YakConsumer(Properties props) {
        this(props, null, System::nanoTime);
    }

    /**
     * Creates a consumer as {@link #YakConsumer(Properties)} that records its meters ({@code yak.consumer.*}, tagged
     * with its {@code client.id}) in {@code registry} until it closes; a null registry records nothing.
     */
    public YakConsumer(Properties props, MeterRegistry registry) {
        this(props, registry, System::nanoTime);
    }

    YakConsumer(Properties props, MeterRegistry registry, LongSupplier nanoClock) {
        this.config = ConsumerConfig.from(props);
        this.shownClientId = LogText.safe(config.common().clientId());
        this.nanoClock = nanoClock;
        this.events = new ConsumerEvents(nanoClock, config.common().clientId());
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(config.common().retryBackoffMs());
        this.network = ClientNetwork.create(config.common());
        this.metadata = new MetadataCache(network, config.common().coordinator(), MetadataCache.Role.CONSUMER,
            config.common().clientId(), config.groupId(), config.common().retryBackoffMs(), nanoClock);
        // registered once the network exists, so a constructor failing there leaves no meters behind
        this.metrics = registry == null ? ConsumerMetrics.NONE
            : new ConsumerMetrics(registry, config.common().clientId());
        this.subscriptions = new SubscriptionState(metrics);
        this.topicsOfInterest = subscriptions::topicsOfInterest;
        this.fetcher = new Fetcher(config, subscriptions, metadata, network, events::add, nanoClock,
            e -> pendingError = e, metrics);
        this.coordinator = new ConsumerCoordinator(config, subscriptions, metadata, nanoClock, events::signal,
            this::commitBeforeRevoke, e -> pendingError = e);
        metadata.addListener(() -> {
            metadataChanged.set(true);
            events.signal();
        });
        this.committer = new OffsetCommitter(config, metadata, coordinator, events, nanoClock);
        LOG.debug("consumer {} started: coordinator {}, group {}, auto.offset.reset {}", shownClientId,
            config.common().coordinator(), LogText.safe(config.groupId()), config.autoOffsetReset());
    }

    public String clientId() {
        return config.common().clientId();
    }

    /**
     * Reads these topics from now on, replacing any earlier subscription or assignment. With a {@code group.id} the
     * consumer joins its group, which shares the topics' partitions among its members; without one it reads every
     * partition.
     */
    public void subscribe(Collection<String> topics) {
        subscribe(topics, null);
    }

    /** As {@link #subscribe(Collection)}; {@code listener} (may be null) is told when a rebalance moves partitions. */
    public void subscribe(Collection<String> topics, ConsumerRebalanceListener listener) {
        acquire();
        try {
            for (String t : topics) {
                if (t == null || t.isEmpty()) {
                    throw new IllegalArgumentException("empty topic name in " + topics);
                }
            }
            resubscribe(topics, null, listener);
        } finally {
            release();
        }
    }

    /** As {@link #subscribe(Pattern, ConsumerRebalanceListener)} without a listener. */
    public void subscribe(Pattern pattern) {
        subscribe(pattern, null);
    }

    /**
     * Reads every topic whose whole name matches {@code pattern}, now and as topics are created; needs a
     * {@code group.id}. {@code listener} may be null.
     */
    public void subscribe(Pattern pattern, ConsumerRebalanceListener listener) {
        acquire();
        try {
            Objects.requireNonNull(pattern, "pattern");
            requireGroup("subscribe(Pattern)");
            resubscribe(List.of(), pattern, listener);
        } finally {
            release();
        }
    }

    private void resubscribe(Collection<String> topics, Pattern pattern, ConsumerRebalanceListener listener) {
        if (coordinator.active()) {
            if (coordinator.keepsSubscription(topics, pattern, listener)) {
                return; // the same subscription again: nothing moves, as in Kafka
            }
            coordinator.revokeAll();
        }
        subscriptions.subscribe(topics);
        coordinator.subscribed(pattern, listener);
        topicFetchRetryNs = nanoClock.getAsLong();
    }

    /**
     * Reads exactly these partitions from now on, replacing any subscription (a group member leaves its group);
     * kept partitions keep positions.
     */
    public void assign(Collection<TopicPartition> partitions) {
        acquire();
        try {
            if (coordinator.active()) {
                coordinator.leave("the consumer assigns its partitions itself", config.common().requestTimeoutMs());
            }
            subscriptions.assign(partitions);
            topicFetchRetryNs = nanoClock.getAsLong(); // check the new partitions against the metadata at once
        } finally {
            release();
        }
    }

    /** The partitions read now (with subscribe: those known from metadata so far). */
    public Set<TopicPartition> assignment() {
        acquire();
        try {
            return Collections.unmodifiableSet(subscriptions.assignment());
        } finally {
            release();
        }
    }

    /** The next poll returns records of {@code tp} from {@code offset} on. */
    public void seek(TopicPartition tp, long offset) {
        acquire();
        try {
            if (offset < 0) {
                throw new IllegalArgumentException("offset " + offset + " < 0");
            }
            state(tp).moveTo(offset, null);
        } finally {
            release();
        }
    }

    /** Moves the partitions (all assigned ones when empty) to their first offset, looked up on the next poll. */
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        seekTo(partitions, ConsumerConfig.OffsetReset.EARLIEST);
    }

    /** Moves the partitions (all assigned ones when empty) to their log end, looked up on the next poll. */
    public void seekToEnd(Collection<TopicPartition> partitions) {
        seekTo(partitions, ConsumerConfig.OffsetReset.LATEST);
    }

    private void seekTo(Collection<TopicPartition> partitions, ConsumerConfig.OffsetReset reset) {
        acquire();
        try {
            Collection<TopicPartition> tps = partitions.isEmpty() ? subscriptions.assignment() : partitions;
            for (TopicPartition tp : tps) {
                PartitionState s = state(tp);
                s.moveTo(-1, reset);
                s.retryAtNs = nanoClock.getAsLong();
            }
        } finally {
            release();
        }
    }

    /**
     * Moves the partitions (all assigned ones when empty) to the first record at or after {@code timestampMs}, as
     * {@link #offsetsForTimes} finds it: partitions with no record that recent move to their log end. Looks the
     * offsets up now, waiting up to {@code request.timeout.ms}; positions change only when every lookup succeeded.
     *
     * @param timestampMs milliseconds since the epoch, {@code >= 0}
     * @throws IllegalStateException when a partition is not assigned
     * @throws YakException as {@link #offsetsForTimes}
     */
    public void seekToTimestamp(Collection<TopicPartition> partitions, long timestampMs) {
        acquire();
        try {
            Collection<TopicPartition> tps = partitions.isEmpty() ? subscriptions.assignment() : partitions;
            Map<TopicPartition, Long> timestamps = new LinkedHashMap<>();
            for (TopicPartition tp : tps) {
                state(tp);
                timestamps.put(tp, timestampMs);
            }
            Map<TopicPartition, Long> offsets = offsetsForTimes(timestamps);
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                state(e.getKey()).moveTo(e.getValue(), null);
                LOG.debug("{}: {}-{} seeks to offset {} for timestamp {}", shownClientId,
                    LogText.safe(e.getKey().topic()), e.getKey().partition(), e.getValue(), timestampMs);
            }
        } finally {
            release();
        }
    }

    /**
     * For each partition, the earliest offset whose record timestamp is at or after the given time, at batch
     * granularity: the first offset of the first batch (in offset order) whose largest timestamp reaches it, so a
     * few records just before that time may follow it. A partition with no record that recent maps to its log end
     * offset, where a consumer reads only records appended later. Timestamps are the producers' create times.
     *
     * <p>Sends LIST_OFFSETS with each timestamp to each partition's leader (all at once), following leader changes
     * and retrying retriable errors with {@code retry.backoff.ms}, and waits up to {@code request.timeout.ms} in
     * all. The partitions need not be assigned; no position changes (see {@link #seekToTimestamp}).
     *
     * @param timestamps milliseconds since the epoch per partition, each {@code >= 0}
     * @return the offset of every requested partition, in the argument's iteration order
     * @throws IllegalArgumentException for a negative or null timestamp
     * @throws YakException UNKNOWN_TOPIC, UNKNOWN_PARTITION, INVALID_REQUEST (a broker without timestamp lookups),
     *     REQUEST_TIMED_OUT (with the last retriable error as cause) or a connection error
     * @throws WakeupException when {@link #wakeup()} was called before or during the lookup (a wait for an
     *     unknown topic's metadata ends first)
     */
    public Map<TopicPartition, Long> offsetsForTimes(Map<TopicPartition, Long> timestamps) {
        acquire();
        try {
            events.throwIfWokenUp("offsetsForTimes");
            for (Map.Entry<TopicPartition, Long> e : timestamps.entrySet()) {
                if (e.getValue() == null || e.getValue() < 0) {
                    throw new IllegalArgumentException("timestamp " + e.getValue() + " of " + e.getKey()
                        + " must be >= 0 (ms since the epoch); use seekToBeginning/seekToEnd for the log ends");
                }
            }
            return new OffsetsForTimes(timestamps, config, metadata, network, events, nanoClock).run();
        } finally {
            release();
        }
    }

    /**
     * The offset of the next record poll returns for {@code tp}, looking it up (committed offset or
     * auto.offset.reset) when unknown, waiting up to {@code request.timeout.ms}.
     */
    public long position(TopicPartition tp) {
        return position(tp, Duration.ofMillis(config.common().requestTimeoutMs()));
    }

    /**
     * As {@link #position(TopicPartition)}, waiting at most {@code timeout} for the lookup (a partition without a
     * leader cannot be looked up).
     *
     * @throws YakException {@code REQUEST_TIMED_OUT} when the position is still unknown after the timeout
     */
    public long position(TopicPartition tp, Duration timeout) {
        acquire();
        try {
            PartitionState s = state(tp);
            long timeoutMs = timeout.toMillis();
            long deadline = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (s.position < 0) {
                long now = nanoClock.getAsLong();
                events.runAll();
                events.throwIfWokenUp("position");
                throwPendingError();
                if (s.position >= 0) {
                    break;
                }
                if (now - deadline >= 0) {
                    throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "position of " + tp + " unknown after "
                        + timeoutMs + " ms");
                }
                updateTopics(now);
                metadata.maybeRefresh(topicsOfInterest, subscriptions.subscribed());
                resolvePositions(now);
                events.waitForEvent(Math.min(deadline - now, ConsumerEvents.MAX_WAIT_SLICE_NS), "position");
            }
            return s.position;
        } finally {
            release();
        }
    }

    /**
     * How many records of {@code tp} are readable but not yet returned: the partition's high watermark, as its
     * leader last answered a fetch, minus the position (Kafka's {@code currentLag}). The high watermark, not the
     * leader's log end, since consumers read only records every in-sync replica has. No request is sent.
     *
     * @return empty until a fetch of the partition was answered or while the position is unknown
     * @throws IllegalStateException when the partition is not assigned
     */
    public java.util.OptionalLong currentLag(TopicPartition tp) {
        acquire();
        try {
            PartitionState s = state(tp);
            if (s.highWatermark < 0 || s.position < 0) {
                return java.util.OptionalLong.empty();
            }
            return java.util.OptionalLong.of(Math.max(0, s.highWatermark - s.position));
        } finally {
            release();
        }
    }

    /**
     * Returns the records available now, or waits up to {@code timeout} for some. Returns an empty list when
     * none arrived in time.
     *
     * @throws YakException on non-retriable errors: unknown topic (auto-creation off; with {@link #assign} as
     *     with {@link #subscribe}), an assigned partition the topic does not have (UNKNOWN_PARTITION), no offset
     *     with auto.offset.reset=none, corrupt batches
     * @throws WakeupException when {@link #wakeup()} was called before or during the poll
     */
    public List<ConsumerRecord> poll(Duration timeout) {
        List<ConsumerRecord> out = new ArrayList<>();
        poll(timeout, r -> out.add(r.toRecord()));
        return out;
    }

    /**
     * Like {@link #poll(Duration)}, but hands each record to {@code handler} as a {@link RecordView} over the
     * fetched bytes instead of building a list: nothing is allocated or copied per record. Up to
     * {@code max.poll.records} records; a record's position advances once the handler returned for it.
     *
     * @return the number of records handed out, 0 when none arrived in time
     * @throws YakException as {@link #poll(Duration)}; whatever the handler throws
     * @throws WakeupException as {@link #poll(Duration)}
     */
    public int poll(Duration timeout, RecordHandler handler) {
        Objects.requireNonNull(handler, "handler");
        acquire();
        try {
            if (subscriptions.isEmpty()) {
                throw new IllegalStateException("consumer " + clientId() + " has no subscription or assignment");
            }
            long start = nanoClock.getAsLong();
            long timeoutNs = Math.max(0, timeout.toNanos());
            maybeAutoCommit(start);
            while (true) {
                long now = nanoClock.getAsLong();
                events.runAll();
                coordinator.poll(now, true);
                events.throwIfWokenUp("poll");
                throwPendingError();
                updateTopics(now);
                metadata.maybeRefresh(topicsOfInterest, subscriptions.subscribed());
                resolvePositions(now);
                int n = fetcher.collect(handler);
                long remainingNs = timeoutNs - (now - start);
                if (metadataChanged.getAndSet(false)) {
                    fetcher.abandonFetchesToFormerLeaders();
                }
                fetcher.sendFetches(now, remainingNs);
                if (n > 0 || remainingNs <= 0) {
                    return n;
                }
                events.waitForEvent(Math.min(remainingNs, ConsumerEvents.MAX_WAIT_SLICE_NS), "poll");
            }
        } finally {
            release();
        }
    }

    /**
     * Commits the current position of every assigned partition for {@code group.id}, waiting for the answers.
     * Retriable failures (a lost or refused coordinator connection, a timed-out attempt, a retriable error code)
     * are retried every {@code retry.backoff.ms} until {@code request.timeout.ms} has passed since the call.
     *
     * @throws YakException a non-retriable error at once; the last retriable one (same type and code, the
     *     message saying how long it was retried) or REQUEST_TIMED_OUT after {@code request.timeout.ms}
     * @throws WakeupException when {@link #wakeup()} was called before or during the commit
     */
    public void commitSync() {
        acquire();
        try {
            commit(subscriptions.positions());
        } finally {
            release();
        }
    }

    /** Commits the current position of every assigned partition without waiting; failures are logged. */
    public void commitAsync() {
        commitAsync(null);
    }

    /** As {@link #commitAsync()}; {@code callback} (may be null) is told the outcome from a later poll. */
    public void commitAsync(OffsetCommitCallback callback) {
        acquire();
        try {
            committer.commitAsync(requireGroup("commitAsync"), subscriptions.positions(), callback);
        } finally {
            release();
        }
    }

    /**
     * Commits the given next-offsets-to-read without waiting and without retries (a later commit supersedes a
     * failed one); {@code callback} (may be null) runs on this consumer's thread from a later poll, commitSync or
     * close.
     */
    public void commitAsync(Map<TopicPartition, Long> offsets, OffsetCommitCallback callback) {
        acquire();
        try {
            committer.commitAsync(requireGroup("commitAsync"), new LinkedHashMap<>(offsets), callback);
        } finally {
            release();
        }
    }

    /** Commits the given next-offsets-to-read for {@code group.id}, retrying as {@link #commitSync()}. */
    public void commitSync(Map<TopicPartition, Long> offsets) {
        acquire();
        try {
            commit(offsets);
        } finally {
            release();
        }
    }

    private void commit(Map<TopicPartition, Long> offsets) {
        String group = requireGroup("commitSync");
        events.throwIfWokenUp("commitSync");
        committer.commitSync(group, offsets);
    }

    /** The committed offsets of {@code group.id} for these partitions; partitions without one are left out. */
    public Map<TopicPartition, Long> committed(Collection<TopicPartition> partitions) {
        acquire();
        try {
            String group = requireGroup("committed");
            events.throwIfWokenUp("committed");
            return committer.committed(group, partitions);
        } finally {
            release();
        }
    }

    /**
     * Makes the blocking call in progress on the consumer's thread ({@code poll}, {@code position},
     * {@code commitSync}, {@code committed}, {@code offsetsForTimes}, {@code seekToTimestamp}), or else the next
     * one, throw {@link WakeupException} promptly; once, however many times this was called before. The one
     * method any thread may call; close ignores it.
     */
    public void wakeup() {
        events.wakeup();
    }

    /** Commits when auto-commit is on, releases buffered data and closes the connections. */
    @Override
    public void close() {
        acquire(true);
        try {
            if (closed) {
                return;
            }
            events.ignoreWakeups(); // as Kafka's close: the final commit and the cleanup run whatever wakeup() said
            if (config.enableAutoCommit()) {
                try {
                    commitSyncQuietly();
                } catch (RuntimeException e) {
                    LOG.warn("{}: final auto-commit failed: {}", shownClientId, LogText.safe(e.getMessage()));
                }
            }
            try {
                coordinator.close(Math.min(config.common().requestTimeoutMs(), 5000)); // a listener may throw
            } finally {
                closed = true;
                metrics.close();
                fetcher.close();
                subscriptions.clearBuffers();
                network.close();
                // The event loop has stopped: every answer still queued is in events now; their handlers release.
                events.runAll();
            }
            LOG.debug("consumer {} closed", shownClientId);
        } finally {
            release();
        }
    }

    // ---------------------------------------------------------------- assignment

    private PartitionState state(TopicPartition tp) {
        return subscriptions.state(tp);
    }

    /** Checks the subscribed topics or the assigned partitions against the metadata. */
    private void updateTopics(long now) {
        if (subscriptions.subscribed()) {
            updateSubscription(now);
        } else {
            checkAssignedPartitions(now);
        }
    }

    /** With a subscription: assigns partitions the metadata lists; asks for (and creates) missing topics. */
    private void updateSubscription(long now) {
        List<String> missing = null;
        for (String topic : subscriptions.subscription()) {
            TopicInfo t = metadata.topic(topic);
            if (t == null) {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(topic);
                continue;
            }
            if (!coordinator.active()) { // with a group, the group's assignment decides
                for (int p = 0; p < t.partitionCount(); p++) {
                    subscriptions.add(new TopicPartition(topic, p)).known = true;
                }
            }
        }
        if (missing != null) {
            maybeFetchTopics(missing, now);
        }
    }

    /**
     * With {@link #assign}: a partition the metadata does not list yet is asked for, its topic created as with
     * {@link #subscribe} (when the coordinator auto-creates); the answer makes a topic that stays unknown, or a
     * partition beyond the topic's count, fail poll (onTopicFetch), instead of polling empty forever. Once every
     * partition was seen this is a scan of flags, allocation-free.
     */
    private void checkAssignedPartitions(long now) {
        List<String> missing = null;
        for (PartitionState s : subscriptions.partitions()) {
            if (s.known) {
                continue;
            }
            TopicInfo t = metadata.topic(s.tp.topic());
            if (t != null && t.partition(s.tp.partition()) != null) {
                s.known = true;
                continue;
            }
            if (topicFetchInFlight || now - topicFetchRetryNs < 0) {
                return;
            }
            if (missing == null) {
                missing = new ArrayList<>();
            }
            if (!missing.contains(s.tp.topic())) {
                missing.add(s.tp.topic());
            }
        }
        if (missing != null) {
            maybeFetchTopics(missing, now);
        }
    }

    private void maybeFetchTopics(List<String> missing, long now) {
        if (!topicFetchInFlight && now - topicFetchRetryNs >= 0) {
            topicFetchInFlight = true;
            metadata.fetch(missing, true).whenComplete((r, e) -> events.add(() -> onTopicFetch(missing, r, e)));
        }
    }

    private void onTopicFetch(List<String> asked, MetadataResponse r, Throwable e) {
        topicFetchInFlight = false;
        // doubles while the coordinator cannot answer, up to 1 s
        topicFetchBackoffNs = e == null ? backoffNs
            : Math.min(Math.max(backoffNs, topicFetchBackoffNs * 2), TimeUnit.SECONDS.toNanos(1));
        topicFetchRetryNs = nanoClock.getAsLong() + topicFetchBackoffNs;
        if (closed) {
            return;
        }
        if (e != null) {
            YakException ye = asYak(e);
            if (!ye.retriable()) {
                pendingError = ye;
            }
            LOG.debug("{}: metadata for {} failed: {}", shownClientId, LogText.safe(asked.toString()),
                LogText.safe(ye.getMessage()));
            return;
        }
        for (String topic : asked) {
            if (!subscriptions.wanted(topic)) {
                continue;
            }
            TopicInfo t = r.metadata().topic(topic);
            if (t == null) {
                t = metadata.topic(topic);
            }
            if (t == null) {
                ErrorCode code = r.error() == ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC : r.error();
                if (code == ErrorCode.UNKNOWN_TOPIC || !code.retriable()) {
                    pendingError = new YakException(code, "unknown topic '" + topic + "'"
                        + (r.message() == null ? "" : ": " + r.message()));
                    return;
                }
            } else if (!subscriptions.subscribed()) {
                PartitionState s = subscriptions.missingPartition(t);
                if (s != null) {
                    pendingError = new YakException(ErrorCode.UNKNOWN_PARTITION, "topic " + topic + " has "
                        + t.partitionCount() + " partition(s); there is no partition " + s.tp.partition()
                        + " (assigned " + s.tp + ")");
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- positions

    private void resolvePositions(long now) {
        for (PartitionState s : subscriptions.partitions()) {
            if (s.position >= 0 || s.positionRequestInFlight || now - s.retryAtNs < 0) {
                continue;
            }
            if (s.pendingReset != null) {
                listOffsets(s, s.pendingReset, now);
            } else if (config.groupId() != null && !s.committedChecked) {
                fetchCommitted(s);
            } else if (config.autoOffsetReset() == ConsumerConfig.OffsetReset.NONE) {
                pendingError = new YakException(ErrorCode.OFFSET_OUT_OF_RANGE,
                    "no committed offset for " + s.tp + " and auto.offset.reset=none");
                return;
            } else {
                listOffsets(s, config.autoOffsetReset(), now);
            }
        }
    }

    private void fetchCommitted(PartitionState s) {
        s.positionRequestInFlight = true;
        int gen = s.generation;
        metadata.coordinator().send(new FetchOffsetRequest(config.groupId(), s.tp.topic(), s.tp.partition()))
            .whenComplete((m, e) -> events.add(() -> onCommitted(s, gen, m, e)));
    }

    private void onCommitted(PartitionState s, int gen, Message m, Throwable e) {
        s.positionRequestInFlight = false;
        if (closed || !s.assigned || gen != s.generation || s.position >= 0) {
            return;
        }
        ErrorCode code = e == null ? ((FetchOffsetResponse) m).error() : null;
        if (e != null || code != ErrorCode.NONE) {
            YakException ye = e != null ? asYak(e)
                : new YakException(code, "fetching the committed offset of " + s.tp + " failed: " + code);
            fetcher.retryLater(s, ye, "committed offset");
            return;
        }
        long offset = ((FetchOffsetResponse) m).offset();
        s.committedChecked = true;
        if (offset >= 0) {
            s.position = offset;
            LOG.debug("{}: {}-{} starts at committed offset {}", shownClientId, LogText.safe(s.tp.topic()),
                s.tp.partition(), offset);
        }
    }

    /**
     * Looks up the reset position at the leader, naming the leader epoch of the same metadata; a retriable answer
     * (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER, ...) refreshes the metadata and asks again.
     */
    private void listOffsets(PartitionState s, ConsumerConfig.OffsetReset reset, long now) {
        PartitionInfo info = metadata.partition(s.tp.topic(), s.tp.partition());
        HostPort leader = metadata.leaderAddress(info);
        if (leader == null) {
            metadata.requestRefresh();
            s.retryAtNs = now + backoffNs;
            return;
        }
        s.positionRequestInFlight = true;
        int gen = s.generation;
        network.connection(leader).send(new ListOffsetsRequest(s.tp.topic(), s.tp.partition(), info.leaderEpoch(),
                reset.timestamp))
            .whenComplete((m, e) -> events.add(() -> onListOffsets(s, gen, reset, m, e)));
    }

    private void onListOffsets(PartitionState s, int gen, ConsumerConfig.OffsetReset reset, Message m, Throwable e) {
        s.positionRequestInFlight = false;
        if (closed || !s.assigned || gen != s.generation || s.position >= 0) {
            return;
        }
        ErrorCode code = e == null ? ((ListOffsetsResponse) m).error() : null;
        if (e != null || code != ErrorCode.NONE) {
            YakException ye = e != null ? asYak(e)
                : new YakException(code, "listing the " + reset + " offset of " + s.tp + " failed: " + code);
            fetcher.retryLater(s, ye, "list offsets");
            return;
        }
        s.position = ((ListOffsetsResponse) m).offset();
        s.pendingReset = null;
        LOG.debug("{}: {}-{} reset to {} offset {}", shownClientId, LogText.safe(s.tp.topic()), s.tp.partition(),
            reset, s.position);
    }

    // ---------------------------------------------------------------- plumbing

    private void maybeAutoCommit(long now) {
        committer.maybeAutoCommit(now, subscriptions);
    }

    private void commitSyncQuietly() {
        commit(subscriptions.positions());
    }

    /** Auto-commit before a rebalance takes partitions away: a failure is logged, the rebalance goes on. */
    private void commitBeforeRevoke() {
        try {
            commit(subscriptions.positions());
        } catch (WakeupException e) {
            throw e; // the application asked to stop: poll throws it, after the partitions were given up
        } catch (RuntimeException e) {
            LOG.warn("{}: commit before giving partitions up failed: {}", shownClientId, LogText.safe(e.getMessage()));
        }
    }

    private void throwPendingError() {
        YakException e = pendingError;
        if (e != null) {
            pendingError = null;
            throw e;
        }
    }

    private String requireGroup(String op) {
        if (config.groupId() == null) {
            throw new IllegalStateException(op + " needs a group.id");
        }
        return config.groupId();
    }

    /** Enters a public method on the caller's thread; every one but {@link #close()} refuses a closed consumer. */
    private void acquire() {
        acquire(false);
    }

    private void acquire(boolean evenIfClosed) {
        if (closed && !evenIfClosed) {
            throw new IllegalStateException("consumer " + clientId() + " is closed");
        }
        if (fetcher.inHandler()) {
            throw new IllegalStateException("a RecordHandler must not call the consumer that handed it the record");
        }
        Thread me = Thread.currentThread();
        Thread current = owner.get();
        if (current != me && !owner.compareAndSet(null, me)) {
            throw new ConcurrentModificationException("YakConsumer " + clientId() + " is in use by thread "
                + owner.get() + "; it is not safe for multi-threaded access");
        }
        depth++;
    }

    private void release() {
        if (--depth == 0) {
            owner.set(null);
        }
    }

    static YakException asYak(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof YakException ye) {
            return ye;
        }
        return new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, c.toString(), c);
    }
}
