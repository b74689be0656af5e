package io.yak.client.consumer;

import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.NetworkClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link YakConsumer#offsetsForTimes} call: rounds of LIST_OFFSETS to the current leaders, naming their leader
 * epochs, until every partition has an answer or the deadline passes; a retriable error (FENCED_LEADER_EPOCH and
 * UNKNOWN_LEADER_EPOCH among them) is asked again after a metadata refresh. Runs on the owner thread and blocks
 * it.
 */
final class OffsetsForTimes {
    private static final Logger LOG = LoggerFactory.getLogger(OffsetsForTimes.class);

    private final Map<TopicPartition, Long> timestamps;
    /** Partitions still without an answer, and the timestamp to ask for next. */
    private final Map<TopicPartition, Long> pending;
    private final Map<TopicPartition, Long> found = new LinkedHashMap<>();
    private final MetadataCache metadata;
    private final NetworkClient network;
    private final ConsumerEvents events;
    private final LongSupplier nanoClock;
    private final long backoffNs;
    private final String shownClientId;
    private final long timeoutMs;
    private final long deadlineNs;
    private YakException lastRetriable;

    OffsetsForTimes(Map<TopicPartition, Long> timestamps, ConsumerConfig config, MetadataCache metadata,
                    NetworkClient network, ConsumerEvents events, LongSupplier nanoClock) {
        this.timestamps = timestamps;
        this.pending = new LinkedHashMap<>(timestamps);
        this.metadata = metadata;
        this.network = network;
        this.events = events;
        this.nanoClock = nanoClock;
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(config.common().retryBackoffMs());
        this.shownClientId = LogText.safe(config.common().clientId());
        this.timeoutMs = config.common().requestTimeoutMs();
        this.deadlineNs = nanoClock.getAsLong() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }

    Map<TopicPartition, Long> run() {
        while (!pending.isEmpty()) {
            awaitTopics();
            Map<TopicPartition, CompletableFuture<Message>> sent = new LinkedHashMap<>();
            for (Map.Entry<TopicPartition, Long> e : pending.entrySet()) {
                TopicPartition tp = e.getKey();
                PartitionInfo info = metadata.partition(tp.topic(), tp.partition());
                HostPort leader = metadata.leaderAddress(info);
                if (leader == null) {
                    lastRetriable = new YakException(ErrorCode.PARTITION_OFFLINE, tp + " has no live leader");
                    continue;
                }
                if (remainingNs() <= 0) {
                    throw timedOut();
                }
                sent.put(tp, network.connection(leader).send(new ListOffsetsRequest(tp.topic(), tp.partition(),
                    info.leaderEpoch(), e.getValue()), Math.max(1, remainingMs())));
            }
            for (Map.Entry<TopicPartition, CompletableFuture<Message>> e : sent.entrySet()) {
                answer(e.getKey(), e.getValue());
            }
            if (!pending.isEmpty()) {
                backOffAndRefresh();
            }
        }
        Map<TopicPartition, Long> out = new LinkedHashMap<>();
        for (TopicPartition tp : timestamps.keySet()) {
            out.put(tp, found.get(tp));
        }
        return out;
    }

    /** Makes sure every pending partition's topic and partition are known to the metadata. */
    private void awaitTopics() {
        for (TopicPartition tp : pending.keySet()) {
            TopicInfo t = metadata.topic(tp.topic());
            if (t == null) {
                t = metadata.awaitTopic(tp.topic(), false, Math.max(1, remainingMs()));
            }
            if (t.partition(tp.partition()) == null) {
                throw new YakException(ErrorCode.UNKNOWN_PARTITION, "topic " + tp.topic() + " has "
                    + t.partitionCount() + " partition(s); there is no partition " + tp.partition());
            }
        }
    }

    private void answer(TopicPartition tp, CompletableFuture<Message> f) {
        long asked = pending.get(tp);
        ListOffsetsResponse r;
        if (!events.awaitDone(f, deadlineNs, "offsetsForTimes")) {
            throw timedOut();
        }
        try {
            r = (ListOffsetsResponse) f.join();
        } catch (CompletionException | CancellationException e) {
            retriableOrThrow(YakConsumer.asYak(e));
            return;
        }
        if (r.error() != ErrorCode.NONE) {
            retriableOrThrow(new YakException(r.error(), "listing the offset of " + tp + " for timestamp "
                + asked + " failed: " + r.error()));
        } else if (r.offset() >= 0) {
            found.put(tp, r.offset());
            pending.remove(tp);
        } else if (asked != ListOffsetsRequest.LATEST) {
            // "no record that recent" answered as -1 rather than the log end: ask for the log end
            pending.put(tp, ListOffsetsRequest.LATEST);
        } else {
            throw new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, "the leader of " + tp
                + " answered offset " + r.offset() + " for the log end");
        }
    }

    private void retriableOrThrow(YakException e) {
        if (!e.retriable()) {
            throw e;
        }
        lastRetriable = e;
    }

    private void backOffAndRefresh() {
        if (remainingNs() <= 0) {
            throw timedOut();
        }
        LOG.debug("{}: offsetsForTimes retrying {} partition(s): {}", shownClientId, pending.size(),
            lastRetriable == null ? "" : LogText.safe(lastRetriable.getMessage()));
        events.sleep(Math.min(backoffNs, Math.max(0, remainingNs())), "offsetsForTimes");
        Set<String> topics = new LinkedHashSet<>();
        for (TopicPartition tp : pending.keySet()) {
            topics.add(tp.topic());
        }
        CompletableFuture<MetadataResponse> f = metadata.fetch(new ArrayList<>(topics), false);
        if (!events.awaitDone(f, deadlineNs, "offsetsForTimes")) {
            throw timedOut();
        }
        try {
            f.join();
        } catch (CompletionException | CancellationException e) {
            retriableOrThrow(YakConsumer.asYak(e));
        }
    }

    private long remainingNs() {
        return deadlineNs - nanoClock.getAsLong();
    }

    private long remainingMs() {
        return events.remainingMs(deadlineNs);
    }

    private YakException timedOut() {
        String why = lastRetriable == null ? "" : "; last error: " + lastRetriable.getMessage();
        return new YakException(ErrorCode.REQUEST_TIMED_OUT, "offsetsForTimes of " + pending.keySet()
            + " did not complete within request.timeout.ms " + timeoutMs + why, lastRetriable);
    }
}
