package io.yak.client.consumer;

import io.yak.client.TopicPartition;
import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's offset commits and lookups at the coordinator: synchronous commits with retries, auto-commit, and
 * committed-offset lookups. Commits name the member's identity ({@link ConsumerCoordinator#identity()}), so the
 * coordinator refuses those of a member the group moved on from. Runs on the consumer's thread; its waits go through
 * {@link ConsumerEvents}, so {@code wakeup()} ends them.
 */
final class OffsetCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetCommitter.class);

    private final ConsumerConfig config;
    private final MetadataCache metadata;
    private final ConsumerCoordinator coordinator;
    private final ConsumerEvents events;
    private final LongSupplier nanoClock;
    private final long backoffNs;
    private final String shownClientId;
    private long nextAutoCommitNs;

    OffsetCommitter(ConsumerConfig config, MetadataCache metadata, ConsumerCoordinator coordinator,
                    ConsumerEvents events, LongSupplier nanoClock) {
        this.config = config;
        this.metadata = metadata;
        this.coordinator = coordinator;
        this.events = events;
        this.nanoClock = nanoClock;
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(config.common().retryBackoffMs());
        this.shownClientId = LogText.safe(config.common().clientId());
        this.nextAutoCommitNs = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
    }

    /**
     * Commits {@code offsets} for {@code group}, retrying retriable failures every {@code retry.backoff.ms} until
     * {@code request.timeout.ms} has passed. A group member names its generation; refused while it rebalances.
     */
    void commitSync(String group, Map<TopicPartition, Long> offsets) {
        long timeoutMs = config.common().requestTimeoutMs();
        long deadlineNs = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Map<TopicPartition, Long> pending = new LinkedHashMap<>(offsets);
        YakException last = null;
        ConsumerCoordinator.Identity id = coordinator.identity();
        if (coordinator.rebalancing()) {
            // As Kafka's RebalanceInProgressException: the positions are committed once the rebalance is over (the
            // next poll), or when a partition is given up.
            throw new YakException(ErrorCode.REBALANCE_IN_PROGRESS, "commit in group " + group + " refused: the "
                + "group is rebalancing; commit again after the next poll");
        }
        while (!pending.isEmpty()) {
            Map<TopicPartition, CompletableFuture<Message>> sent = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, Long> e : pending.entrySet()) {
                TopicPartition tp = e.getKey();
                // Bounded by what is left of the call: with more partitions than the connection's in-flight
                // requests, a send waits for a slot, and those waits must not add up past request.timeout.ms.
                long leftMs = events.remainingMs(deadlineNs);
                if (leftMs <= 0) {
                    throw commitTimedOut(pending.keySet(), group, timeoutMs, last);
                }
                sent.put(tp, metadata.coordinator().send(
                    new CommitOffsetRequest(group, tp.topic(), tp.partition(), e.getValue(), id.generation(),
                        id.memberId(), id.instanceId()), leftMs));
            }
            for (Map.Entry<TopicPartition, CompletableFuture<Message>> e : sent.entrySet()) {
                TopicPartition tp = e.getKey();
                if (!events.awaitDone(e.getValue(), deadlineNs, "commitSync")) {
                    throw commitTimedOut(pending.keySet(), group, timeoutMs, last);
                }
                YakException error = commitError(e.getValue(), group, tp, pending.get(tp));
                if (error == null) {
                    pending.remove(tp);
                } else if (!error.retriable()) {
                    coordinator.commitRefused(id, error.errorCode());
                    throw error;
                } else {
                    last = error;
                }
            }
            if (!pending.isEmpty()) {
                long remainingNs = deadlineNs - nanoClock.getAsLong();
                if (remainingNs <= 0) {
                    throw commitTimedOut(pending.keySet(), group, timeoutMs, last);
                }
                LOG.debug("{}: commit of {} partition(s) in group {} failed, retrying: {}", shownClientId,
                    pending.size(), LogText.safe(group), LogText.safe(last.getMessage()));
                events.sleep(Math.min(backoffNs, remainingNs), "commitSync");
            }
        }
    }

    /** The error of a completed commit attempt, null when it succeeded. */
    private static YakException commitError(CompletableFuture<Message> f, String group, TopicPartition tp,
                                            long offset) {
        try {
            return commitError(f.join(), group, tp, offset);
        } catch (CompletionException | CancellationException e) {
            return YakConsumer.asYak(e);
        }
    }

    /**
     * After {@code request.timeout.ms}: the last retriable error, of its own type and code so callers can tell a
     * connection problem, with how long it was retried; REQUEST_TIMED_OUT when no attempt failed in that time.
     */
    private static YakException commitTimedOut(Collection<TopicPartition> pending, String group, long timeoutMs,
                                               YakException last) {
        String msg = "commit of " + pending + " in group " + group + " not done within request.timeout.ms "
            + timeoutMs;
        if (last instanceof YakConnectionException ce) {
            return new YakConnectionException(ce.address(), ce.reason(), msg + ": " + ce.getMessage(), ce);
        }
        if (last != null) {
            return new YakException(last.errorCode(), msg + ": " + last.getMessage(), last);
        }
        return new YakException(ErrorCode.REQUEST_TIMED_OUT, msg);
    }

    /**
     * Sends the commits of {@code offsets} without waiting; {@code callback} (may be null: failures are logged) runs
     * on the consumer's thread once every answer is in. Not retried, as Kafka's commitAsync.
     */
    void commitAsync(String group, Map<TopicPartition, Long> offsets, OffsetCommitCallback callback) {
        ConsumerCoordinator.Identity id = coordinator.identity();
        if (coordinator.rebalancing() || offsets.isEmpty()) {
            YakException refused = offsets.isEmpty() ? null : new YakException(ErrorCode.REBALANCE_IN_PROGRESS,
                "commit in group " + group + " refused: the group is rebalancing; commit again after the next poll");
            events.add(() -> completed(offsets, refused, callback));
            events.signal();
            return;
        }
        int[] left = {offsets.size()};
        YakException[] first = {null};
        for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            TopicPartition tp = e.getKey();
            long offset = e.getValue();
            metadata.coordinator().send(new CommitOffsetRequest(group, tp.topic(), tp.partition(), offset,
                    id.generation(), id.memberId(), id.instanceId()))
                .whenComplete((m, t) -> events.add(() -> { // every answer is counted on the consumer's thread
                    YakException error = t != null ? YakConsumer.asYak(t) : commitError(m, group, tp, offset);
                    if (error != null && first[0] == null) {
                        first[0] = error;
                        if (!error.retriable()) {
                            coordinator.commitRefused(id, error.errorCode());
                        }
                    }
                    if (--left[0] == 0) {
                        completed(offsets, first[0], callback);
                    }
                }));
        }
    }

    private void completed(Map<TopicPartition, Long> offsets, YakException error, OffsetCommitCallback callback) {
        if (callback != null) {
            callback.onComplete(offsets, error);
        } else if (error != null) {
            LOG.warn("{}: asynchronous commit of {} failed: {}", shownClientId, LogText.safe(offsets.toString()),
                LogText.safe(error.getMessage()));
        }
    }

    private static YakException commitError(Message m, String group, TopicPartition tp, long offset) {
        ErrorCode code = ((CommitOffsetResponse) m).error();
        return code == ErrorCode.NONE ? null : new YakException(code, "commit of offset " + offset + " for " + tp
            + " in group " + group + " failed: " + code);
    }

    /** The committed offsets of {@code group} for these partitions; partitions without one are left out. */
    Map<TopicPartition, Long> committed(String group, Collection<TopicPartition> partitions) {
        long deadlineNs = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(
            config.common().requestTimeoutMs() + 1000L);
        List<CompletableFuture<Message>> futures = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            long leftMs = events.remainingMs(deadlineNs);
            if (leftMs <= 0) {
                throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "fetching the committed offsets of "
                    + partitions.size() + " partition(s) not done within request.timeout.ms "
                    + config.common().requestTimeoutMs());
            }
            futures.add(metadata.coordinator().send(new FetchOffsetRequest(group, tp.topic(), tp.partition()),
                leftMs));
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        int i = 0;
        for (TopicPartition tp : partitions) {
            FetchOffsetResponse r =
                (FetchOffsetResponse) events.await(futures.get(i++), deadlineNs, "committed");
            if (r.error() != ErrorCode.NONE) {
                throw new YakException(r.error(),
                    "fetching the committed offset of " + tp + " failed: " + r.error());
            }
            if (r.offset() >= 0) {
                out.put(tp, r.offset());
            }
        }
        return out;
    }

    /**
     * With {@code enable.auto.commit}, every {@code auto.commit.interval.ms}: commits the positions of what poll
     * returned, without waiting; a failure is logged (the next one commits newer positions).
     */
    void maybeAutoCommit(long now, SubscriptionState subscriptions) {
        if (!config.enableAutoCommit() || now - nextAutoCommitNs < 0 || coordinator.rebalancing()) {
            return;
        }
        nextAutoCommitNs = now + TimeUnit.MILLISECONDS.toNanos(config.autoCommitIntervalMs());
        ConsumerCoordinator.Identity id = coordinator.identity();
        for (PartitionState s : subscriptions.partitions()) {
            if (s.position >= 0) {
                long offset = s.position;
                TopicPartition tp = s.tp;
                metadata.coordinator()
                    .send(new CommitOffsetRequest(config.groupId(), tp.topic(), tp.partition(), offset,
                        id.generation(), id.memberId(), id.instanceId()))
                    .whenComplete((m, e) -> {
                        if (e != null || ((CommitOffsetResponse) m).error() != ErrorCode.NONE) {
                            LOG.warn("{}: auto-commit of {}-{} at {} failed: {}", shownClientId,
                                LogText.safe(tp.topic()), tp.partition(), offset,
                                e != null ? LogText.safe(e.getMessage()) : ((CommitOffsetResponse) m).error());
                        }
                    });
            }
        }
    }
}
