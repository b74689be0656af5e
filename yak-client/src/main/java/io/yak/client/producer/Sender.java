package io.yak.client.producer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.yak.client.YakException;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.Message;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.PublishResponse;
import io.yak.wire.net.Connection;
import io.yak.wire.net.NetworkClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's I/O thread ({@code yak-producer-sender}): takes ready batches from the accumulator, sends them to
 * the partition's leader, and settles the answers: tells every record its offset, or puts the batches back for a
 * retry until {@code retries} or {@code delivery.timeout.ms} run out.
 *
 * <p>Each PUBLISH carries {@code acks} and, as its {@code timeout_ms}, the producer's {@code request.timeout.ms}:
 * with {@code acks=all} the leader answers once every in-sync replica has the records, or {@code REQUEST_TIMED_OUT}
 * after that long; the client gives the answer as long.
 *
 * <p>Retries (as Kafka's producer): every retriable failure is retried after {@code retry.backoff.ms}, within
 * {@code delivery.timeout.ms} of the batch's creation: {@code NOT_LEADER}, {@code FENCED_LEADER_EPOCH},
 * {@code PARTITION_OFFLINE}, {@code UNKNOWN_TOPIC}, no answer at all (a lost connection, a client-side timeout) also
 * refresh the metadata first, since the leader may have moved; {@code NOT_ENOUGH_REPLICAS} (nothing stored),
 * {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} (stored by the leader: the retry may store it twice),
 * {@code UNKNOWN_LEADER_EPOCH}, {@code REQUEST_TIMED_OUT} answered by the leader and {@code STORAGE_ERROR} are retried
 * at the same leader (see {@link #leaderMayHaveMoved}). LEADER_INFO pushes move the leader too. A batch whose
 * partition has no known leader waits (asking for metadata) until it gets one or expires.
 *
 * <p>One PUBLISH carries every batch of a partition that is ready when it goes, up to {@code max.request.size}
 * bytes (the broker appends them back to back, so batch {@code i} starts at the response's base offset plus the
 * records of the batches before it). When the producer outruns the round trip, requests grow instead of queueing:
 * {@code max.in.flight.requests.per.connection} bounds requests, not batches, as its name says.
 *
 * <p>Ordering: up to {@code max.in.flight.requests.per.connection} requests of a partition are in flight at once,
 * all on the leader's one connection, which the broker appends in arrival order; requests go to a new leader only
 * once none is in flight to the old one. After a retriable failure the partition sends one batch per request, one
 * request at a time, failed batches first in creation order, until a retried batch succeeds and every request that
 * got no answer (timed out, connection lost) has its batches settled; a batch sent before never shares a request
 * with others.
 *
 * <p>Idempotence ({@code enable.idempotence}, on by default): each batch is numbered on its first send with the
 * producer id from the coordinator, the partition's producer epoch and the sequence of its first record, and keeps
 * them on every retry. The leader stores the next sequence only, answers a retry of a stored batch with its first
 * offset, and refuses a batch behind a missing one with {@code OUT_OF_ORDER_SEQUENCE}; such a batch is retried once
 * the ones before it are, so up to 5 requests in flight keep the partition's order. The leader remembers the last 5
 * requests of each producer, and a request whose answer was lost counts as in flight until its batches settle, so a
 * retry after a lost answer finds its batch there and stores nothing twice. When the lowest batch not yet acknowledged is refused as out of order (the leader lost what
 * it had not replicated, or an earlier batch failed for good), the partition starts a new producer epoch and numbers
 * its waiting batches again from 0. Without idempotence a request already in flight behind a failed one may still
 * be stored, so a retried batch can be stored after a later batch ({@code max.in.flight.requests.per.connection=1}
 * gives strict order), and a retry after a lost answer or {@code NOT_ENOUGH_REPLICAS_AFTER_APPEND} may store a batch
 * twice (at-least-once delivery).
 *
 * <p>Responses arrive on the event loop and are only queued there; all batch state changes and every record
 * future completion happen on this thread, so user callbacks never run on the event loop.
 */
final class Sender implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);
    /** Longest park when idle, so metadata refreshes and closing are noticed. */
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ProducerConfig config;
    /** The client id escaped for log lines ({@link LogText}): the application may take it from anywhere. */
    private final String shownClientId;
    private final RecordAccumulator accumulator;
    private final MetadataCache metadata;
    private final NetworkClient network;
    private final LongSupplier nanoClock;
    private final long backoffNs;
    private final long deliveryTimeoutNs;
    private final ConcurrentLinkedQueue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final Map<HostPort, int[]> inFlightPerBroker = new HashMap<>();
    private final List<ProducerBatch> ready = new ArrayList<>();
    private final List<ProducerBatch> expired = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean forceClose;
    private volatile Thread thread;
    private boolean metadataNeeded;
    private final java.util.function.Supplier<List<String>> topicNames;
    private final ProducerMetrics metrics;

    Sender(ProducerConfig config, RecordAccumulator accumulator, MetadataCache metadata, NetworkClient network,
           LongSupplier nanoClock, ProducerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.shownClientId = LogText.safe(config.common().clientId());
        this.accumulator = accumulator;
        this.metadata = metadata;
        this.network = network;
        this.nanoClock = nanoClock;
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(config.common().retryBackoffMs());
        this.deliveryTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.deliveryTimeoutMs());
        this.topicNames = accumulator::topicNames;
    }

    Thread start() {
        Thread t = new Thread(this, "yak-producer-sender");
        t.setDaemon(true);
        thread = t;
        t.start();
        return t;
    }

    boolean isSenderThread() {
        return Thread.currentThread() == thread;
    }

    void wakeup() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Stop after every batch is settled. */
    void initiateClose() {
        running = false;
        wakeup();
    }

    /** Stop now, failing what is left. */
    void forceClose() {
        forceClose = true;
        running = false;
        wakeup();
    }

    @Override
    public void run() {
        LOG.debug("{}: sender started", shownClientId);
        while (true) {
            try {
                if (!runOnce()) {
                    break;
                }
            } catch (RuntimeException | Error e) {
                LOG.error("{}: unexpected error in the sender; continuing", shownClientId, e);
                LockSupport.parkNanos(backoffNs);
            }
        }
        LOG.debug("{}: sender stopped", shownClientId);
    }

    /** One cycle; false when the sender is done. */
    boolean runOnce() {
        long now = nanoClock.getAsLong();
        settleCompletions(now);
        if (forceClose) {
            abortAll(new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, "producer closed before the record was sent"));
            return hasInFlight();
        }
        if (!running && !accumulator.hasIncomplete()) {
            return false;
        }
        accumulator.drain(now, this::claim, config.maxRequestSize(), ready, expired);
        for (ProducerBatch b : expired) {
            fail(b, new YakException(ErrorCode.REQUEST_TIMED_OUT, "expiring " + b.recordCount() + " record(s) for "
                + b.topic() + "-" + b.partition() + ": " + TimeUnit.NANOSECONDS.toMillis(now - b.createdNs)
                + " ms passed since the batch was created (delivery.timeout.ms " + config.deliveryTimeoutMs() + ")"));
        }
        expired.clear();
        try {
            for (int i = 0, n = ready.size(); i < n; ) {
                int end = i + 1;
                while (end < n && ready.get(end).joinsRequest) {
                    end++;
                }
                send(ready.subList(i, end).toArray(new ProducerBatch[0]));
                i = end;
            }
        } finally {
            ready.clear(); // never sent twice, even if a send threw
        }
        if (metadataNeeded) {
            metadataNeeded = false;
            metadata.requestRefresh();
        }
        metadata.maybeRefresh(topicNames, true);
        if (completions.isEmpty()) {
            long waitNs = Math.min(MAX_PARK_NS, accumulator.nextDeadlineNs() - nanoClock.getAsLong());
            if (waitNs > 0) {
                LockSupport.parkNanos(this, waitNs);
            }
        }
        return true;
    }

    private boolean hasInFlight() {
        for (int[] n : inFlightPerBroker.values()) {
            if (n[0] > 0) {
                return true;
            }
        }
        return false;
    }

    /** Drain predicate: can this partition's head batch go now? If so, claims the partition and a broker slot. */
    private boolean claim(RecordAccumulator.PartitionQueue q) {
        if (config.idempotence()) {
            if (metadata.producerId() < 0) {
                metadataNeeded = true; // registering with the coordinator gives the producer id
                return false;
            }
            if (q.sequenceResetNeeded) {
                if (q.inFlight > 0) {
                    return false;
                }
                q.sequenceResetNeeded = false;
                accumulator.resetSequences(q);
                LOG.info("{}: the leader of {}-{} refused the lowest unacknowledged sequence of producer {}; "
                    + "numbering the partition's waiting batches again from 0 in producer epoch {}", shownClientId,
                    LogText.safe(q.topic), q.partition, metadata.producerId(), q.producerEpoch);
            }
        }
        HostPort leader = metadata.leaderAddress(q.topic, q.partition);
        if (leader == null) {
            metadataNeeded = true;
            return false;
        }
        int[] n = inFlightPerBroker.get(leader);
        if (n == null) {
            n = new int[1];
            inFlightPerBroker.put(leader, n);
        }
        if (n[0] >= config.maxInFlightPerConnection()) {
            return false;
        }
        int partitionLimit = q.retrying ? 1 : config.maxInFlightPerConnection();
        if (q.inFlight >= partitionLimit || (q.inFlight > 0 && !leader.equals(q.leader))) {
            return false;
        }
        n[0]++;
        q.inFlight++;
        q.leader = leader;
        return true;
    }

    /** Sends one PUBLISH with the batches of one partition, in order; the first batch claimed the slot. */
    private void send(ProducerBatch[] batches) {
        ProducerBatch first = batches[0];
        HostPort leader = (HostPort) first.queue.leader;
        for (ProducerBatch b : batches) {
            b.sentTo = leader;
            b.attempts++;
            metrics.sent(b);
        }
        CompletableFuture<Message> f;
        ByteBuf payload = null;
        try {
            Connection c = network.connection(leader);
            if (batches.length == 1) {
                payload = first.buffer.retainedDuplicate();
            } else {
                CompositeByteBuf composite = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(batches.length);
                payload = composite;
                for (ProducerBatch b : batches) {
                    composite.addComponent(true, b.buffer.retainedDuplicate());
                }
            }
            PublishRequest request = new PublishRequest(first.topic(), first.partition(), config.acks(),
                config.common().requestTimeoutMs(), payload);
            payload = null; // the request owns it now, and releases it whatever becomes of the send
            f = config.acks() == 0 ? c.sendOneWay(request) : c.send(request);
        } catch (RuntimeException | OutOfMemoryError e) { // e.g. no direct memory for the request
            if (payload != null) {
                payload.release();
            }
            f = CompletableFuture.failedFuture(e);
        }
        long sentNs = nanoClock.getAsLong();
        f.whenComplete((response, error) -> {
            if (response != null) { // timed only when answered (acks=0 requests get no answer)
                metrics.answered(sentNs, nanoClock.getAsLong());
            }
            completions.add(new Completion(batches, response, error));
            wakeup();
        });
    }

    private void settleCompletions(long now) {
        Completion c;
        while ((c = completions.poll()) != null) {
            settle(c, now);
        }
    }

    private void settle(Completion c, long now) {
        ProducerBatch[] batches = c.batches;
        ProducerBatch first = batches[0];
        first.queue.inFlight--;
        int[] n = inFlightPerBroker.get((HostPort) first.sentTo);
        if (n != null) {
            n[0]--;
        }
        RuntimeException error = c.error == null ? null : unwrap(c.error);
        // No answer at all (lost connection, client-side timeout): the leader may be gone or paused, so ask.
        boolean leaderMayHaveMoved = error != null;
        if (error == null) {
            if (config.acks() == 0) {
                completeAll(batches, -1);
                return;
            }
            PublishResponse r = (PublishResponse) c.response;
            if (r.error() == ErrorCode.NONE) {
                // The broker appended the request's batches back to back from the base offset.
                completeAll(batches, r.baseOffset());
                // The partition leaves retry mode when a retry succeeded, or when no failed batch waits any more
                // (it expired); not when a batch sent before the failure succeeds while the failed one waits for its
                // retry, nor while a request without an answer may still hold stored batches. Checked only in retry
                // mode: the queue's lock is not taken for every response.
                RecordAccumulator.PartitionQueue q = first.queue;
                if (q.retrying && (first.attempts > 1 || !accumulator.retryQueued(q)) && !awaitsUnanswered(q)) {
                    q.retrying = false;
                }
                return;
            }
            leaderMayHaveMoved = leaderMayHaveMoved(r.error(), r.epoch());
            error = new YakException(r.error(), "publish of " + recordCount(batches) + " record(s) to "
                + first.topic() + "-" + first.partition() + " at " + LogText.safe(String.valueOf(first.sentTo))
                + " failed: " + r.error() + explain(r.error()) + " (broker epoch " + r.epoch() + ")");
        }
        if (c.error != null) {
            first.queue.unanswered.add(batches);
        }
        boolean retriable = error instanceof YakException ye && ye.retriable();
        if (error instanceof YakException ye && ye.errorCode() == ErrorCode.OUT_OF_ORDER_SEQUENCE) {
            // Behind a batch that is being retried: retry it after that one. The lowest batch not acknowledged:
            // the leader does not have the sequences before it, so the partition starts again (see the class comment).
            retriable = true;
            if (!accumulator.earlierSequenceQueued(first.queue, first.firstSequence)) {
                first.queue.sequenceResetNeeded = true;
            }
        }
        if (retriable && leaderMayHaveMoved) {
            metadata.requestRefresh();
        }
        for (ProducerBatch b : batches) {
            if (retriable && !forceClose && b.attempts <= config.retries()
                && now - b.createdNs < deliveryTimeoutNs) {
                LOG.debug("{}: retrying {} after {}", shownClientId, b, LogText.safe(error.getMessage()));
                b.retryAtNs = now + backoffNs;
                b.queue.retrying = true;
                accumulator.reenqueue(b);
            } else {
                fail(b, error);
            }
        }
    }

    /** Whether a request of the partition that got no answer still has a batch not settled; forgets settled ones. */
    private static boolean awaitsUnanswered(RecordAccumulator.PartitionQueue q) {
        q.unanswered.removeIf(Sender::settled);
        return !q.unanswered.isEmpty();
    }

    private static boolean settled(ProducerBatch[] batches) {
        for (ProducerBatch b : batches) {
            if (!b.done.isDone()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether an error answer means the producer's view of the partition's leader may be stale, so metadata is
     * refreshed before the retry (Kafka's "invalid metadata" errors): the broker does not lead it (any more), knows
     * a newer leader epoch, has no leader for it, or does not know the topic; also when the broker's cluster view
     * is newer than ours. {@code NOT_ENOUGH_REPLICAS*}, {@code UNKNOWN_LEADER_EPOCH} (the broker is behind, not
     * us), a broker-side {@code REQUEST_TIMED_OUT} or {@code STORAGE_ERROR} come from a leader that is still the
     * leader: they are retried after the backoff, without asking the coordinator.
     */
    private boolean leaderMayHaveMoved(ErrorCode code, long brokerEpoch) {
        switch (code) {
            case NOT_LEADER:
            case FENCED_LEADER_EPOCH:
            case PARTITION_OFFLINE:
            case UNKNOWN_TOPIC:
                return true;
            default:
                return brokerEpoch > metadata.epoch();
        }
    }

    private static String explain(ErrorCode code) {
        switch (code) {
            case INVALID_TIMESTAMP:
                return " (a record timestamp is further ahead of the broker's clock than its "
                    + "log.message.timestamp.after.max.ms)";
            case NOT_ENOUGH_REPLICAS:
                return " (fewer in-sync replicas than min.insync.replicas; nothing was stored)";
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
                return " (stored by the leader, but the in-sync replicas fell below min.insync.replicas before all "
                    + "had it)";
            default:
                return "";
        }
    }

    /** Tells every record its offset ({@code base} -1: none) and releases every batch, whatever a callback does. */
    private void completeAll(ProducerBatch[] batches, long base) {
        long next = base;
        for (ProducerBatch b : batches) {
            try {
                metrics.recordsSent(b);
                b.complete(next);
            } finally {
                accumulator.deallocate(b);
            }
            if (base >= 0) {
                next += b.recordCount();
            }
        }
    }

    private static int recordCount(ProducerBatch[] batches) {
        int n = 0;
        for (ProducerBatch b : batches) {
            n += b.recordCount();
        }
        return n;
    }

    private void fail(ProducerBatch b, RuntimeException e) {
        LOG.debug("{}: failing {}: {}", shownClientId, b, LogText.safe(e.getMessage()));
        metrics.failed(e, b.recordCount());
        try {
            b.fail(e);
        } finally {
            accumulator.deallocate(b);
        }
    }

    private void abortAll(RuntimeException e) {
        for (ProducerBatch b : accumulator.removeAll()) {
            fail(b, e);
        }
    }

    private static RuntimeException unwrap(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof RuntimeException re) {
            return re;
        }
        return new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, c.toString(), c);
    }

    private record Completion(ProducerBatch[] batches, Message response, Throwable error) {
    }
}
