package io.yak.client.consumer;

import io.netty.buffer.ByteBuf;
import io.yak.client.YakException;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ConsumeResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.record.RecordCursor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's fetch path (Kafka's {@code Fetcher}): keeps one CONSUME request in flight per partition with a
 * known position, at the partition's current leader and naming the leader epoch of the same metadata (so a leader
 * of another epoch fences it, Kafka's KIP-320), also while the previous answer is being returned (a prefetch);
 * keeps the answers' record batches; hands their records out in offset order, round-robin over partitions,
 * advancing the positions.
 *
 * <p>Leader changes: a retriable error answer ({@code NOT_LEADER}, {@code PARTITION_OFFLINE},
 * {@code FENCED_LEADER_EPOCH}: our view is older than the leader's, {@code UNKNOWN_LEADER_EPOCH}: the broker has not
 * learned our epoch yet, ...) or a lost connection asks for a metadata refresh and retries the same offset after
 * {@code retry.backoff.ms}, at whatever leader (and leader epoch) the metadata names then; a metadata change (a
 * LEADER_INFO push) abandons a fetch waiting at a broker that no longer leads the partition
 * ({@link #abandonFetchesToFormerLeaders}), so the next one goes to the new leader at once. Positions only move
 * when records are handed out, so no offset is skipped or repeated. The high watermark of each answer is kept
 * for {@link YakConsumer#currentLag}; a leader whose high watermark is still below a position reached at an earlier
 * leader is waited for (up to {@code request.timeout.ms}) instead of resetting the position as out of range.
 *
 * <p>Owned by the consumer's thread: network answers are queued to it ({@code events}) and handled there, so no
 * field needs a lock. Buffers: each {@link PartitionState} owns the responses it keeps; stale answers are released
 * here.
 */
final class Fetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);

    private final ConsumerConfig config;
    private final String shownClientId;
    private final SubscriptionState subscriptions;
    private final MetadataCache metadata;
    private final NetworkClient network;
    /** Hands an answer over to the consumer's thread. */
    private final Consumer<Runnable> events;
    private final LongSupplier nanoClock;
    /** Reports an error to surface from the next poll. */
    private final Consumer<YakException> errors;
    private final long backoffNs;
    private final long behindLeaderWaitNs;
    private final ConsumerMetrics metrics;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    /** Reads batch headers of a fresh response (its end offset), separate from {@link #batch} used by drain. */
    private final RecordBatchFlyweight headers = new RecordBatchFlyweight();
    private final RecordCursor cursor = new RecordCursor();
    private final RecordView view = new RecordView();
    /** Set while a {@link RecordHandler} runs: the consumer refuses calls from it. */
    private boolean inHandler;
    private int nextCollect;
    private boolean closed;

    Fetcher(ConsumerConfig config, SubscriptionState subscriptions, MetadataCache metadata, NetworkClient network,
            Consumer<Runnable> events, LongSupplier nanoClock, Consumer<YakException> errors, ConsumerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.shownClientId = LogText.safe(config.common().clientId());
        this.subscriptions = subscriptions;
        this.metadata = metadata;
        this.network = network;
        this.events = events;
        this.nanoClock = nanoClock;
        this.errors = errors;
        this.backoffNs = TimeUnit.MILLISECONDS.toNanos(config.common().retryBackoffMs());
        this.behindLeaderWaitNs = TimeUnit.MILLISECONDS.toNanos(config.common().requestTimeoutMs());
    }

    /** Whether a {@link RecordHandler} is running (called from it, the consumer refuses). */
    boolean inHandler() {
        return inHandler;
    }

    /** From now on answers are released unused. */
    void close() {
        closed = true;
    }

    /**
     * Sends a CONSUME for every partition with a known position, none in flight, past its backoff and with a
     * known leader (asking for metadata for those without one). Long-polls up to {@code fetch.max.wait.ms}, never
     * longer than {@code remainingNs}, what is left of the poll.
     */
    void sendFetches(long now, long remainingNs) {
        int maxWaitMs = (int) Math.min(config.fetchMaxWaitMs(),
            Math.max(0, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
        List<PartitionState> partitions = subscriptions.partitions();
        for (int i = 0, n = partitions.size(); i < n; i++) {
            PartitionState s = partitions.get(i);
            // One CONSUME in flight per partition, also while buffered records are returned (a prefetch), so the
            // network and the broker work while the application processes the previous response.
            long offset = s.position < 0 ? -1 : s.nextFetchOffset();
            if (offset < 0 || s.fetchInFlight() || now - s.retryAtNs < 0) {
                continue;
            }
            PartitionInfo info = metadata.partition(s.tp.topic(), s.tp.partition());
            HostPort leader = metadata.leaderAddress(info);
            if (leader == null) {
                metadata.requestRefresh();
                s.retryAtNs = now + backoffNs;
                continue;
            }
            s.fetchLeader = leader;
            int fetchId = ++s.fetchId;
            int gen = s.generation;
            long sentNs = nanoClock.getAsLong();
            network.connection(leader)
                .send(new ConsumeRequest(s.tp.topic(), s.tp.partition(), info.leaderEpoch(), offset,
                    config.fetchMaxBytes(), maxWaitMs), (long) config.common().requestTimeoutMs() + maxWaitMs)
                .whenComplete((m, e) -> {
                    if (m != null) { // timed here, on the event loop, not when the consumer's thread gets to it
                        metrics.answered(sentNs, nanoClock.getAsLong());
                    }
                    events.accept(() -> onFetch(s, gen, fetchId, offset, leader, m, e));
                });
        }
    }

    /**
     * After a metadata change: a partition whose CONSUME waits (long-polls) at a broker that no longer leads it
     * stops waiting for that answer (it is dropped when it comes), so the next poll fetches from the new leader at
     * once. The position is unchanged, so nothing is skipped or read twice.
     */
    void abandonFetchesToFormerLeaders() {
        List<PartitionState> partitions = subscriptions.partitions();
        for (int i = 0, n = partitions.size(); i < n; i++) {
            PartitionState s = partitions.get(i);
            if (!s.fetchInFlight()) {
                continue;
            }
            HostPort leader = metadata.leaderAddress(s.tp.topic(), s.tp.partition());
            if (leader != null && !leader.equals(s.fetchLeader)) {
                LOG.debug("{}: {}-{} moved from {} to {}; fetching there", shownClientId, LogText.safe(s.tp.topic()),
                    s.tp.partition(), LogText.safe(String.valueOf(s.fetchLeader)), LogText.safe(leader.toString()));
                s.fetchLeader = null;
                s.fetchId++;
            }
        }
    }

    private void onFetch(PartitionState s, int gen, int fetchId, long offset, HostPort leader, Message m,
                         Throwable e) {
        ConsumeResponse r = (ConsumeResponse) m;
        if (fetchId != s.fetchId) { // abandoned for a new leader: a newer fetch is (or will be) in flight
            if (r != null) {
                r.release();
            }
            return;
        }
        s.fetchLeader = null;
        boolean prefetch = s.buffered != null;
        boolean failed = e != null || r.error() != ErrorCode.NONE;
        if (closed || !s.assigned || gen != s.generation || s.nextFetchOffset() != offset || (prefetch && failed)) {
            // Stale, or a prefetch that failed: the fetch from the position after the buffer will tell; a retriable
            // failure still backs off (and finds the new leader) instead of asking the old one again at once.
            if (!closed && s.assigned && prefetch && failed) {
                YakException ye = e != null ? YakConsumer.asYak(e) : failure(s, offset, leader, r.error());
                if (ye.retriable()) {
                    retryLater(s, ye, "prefetch");
                }
            }
            if (r != null) {
                r.release();
            }
            return;
        }
        if (e != null) {
            retryLater(s, YakConsumer.asYak(e), "fetch from " + leader);
            return;
        }
        ErrorCode code = r.error();
        if (code == ErrorCode.NONE) {
            s.behindLeader = false;
            s.highWatermark = r.highWatermark();
            s.highestHighWatermark = Math.max(s.highestHighWatermark, r.highWatermark());
            ByteBuf records = r.records();
            long end = endOffset(records);
            if (end < 0) {
                r.release();
            } else if (prefetch) {
                s.prefetched = records;
                s.prefetchedStart = records.getLong(records.readerIndex() + RecordBatchLayout.BASE_OFFSET_OFFSET);
                s.prefetchedEnd = end;
            } else {
                s.buffered = records;
                s.bufferedIndex = records.readerIndex();
                s.validatedIndex = -1;
                s.bufferedEnd = end;
            }
            return;
        }
        r.release();
        if (code == ErrorCode.OFFSET_OUT_OF_RANGE) {
            outOfRange(s, offset, r);
            return;
        }
        retryLater(s, failure(s, offset, leader, code), "fetch");
    }

    private YakException failure(PartitionState s, long offset, HostPort leader, ErrorCode code) {
        return new YakException(code, "fetch of " + s.tp + " at offset " + offset + " from "
            + LogText.safe(String.valueOf(leader)) + " failed: " + code);
    }

    /**
     * OFFSET_OUT_OF_RANGE: a position above this leader's high watermark but not above one an earlier leader
     * answered was reached legitimately; the new leader learns the high watermark a round trip later, so that is
     * retried for up to {@code request.timeout.ms}. Otherwise (and after that) {@code auto.offset.reset} applies.
     */
    private void outOfRange(PartitionState s, long offset, ConsumeResponse r) {
        long now = nanoClock.getAsLong();
        if (offset > r.highWatermark() && offset <= s.highestHighWatermark && offset >= r.logStartOffset()) {
            if (!s.behindLeader) {
                s.behindLeader = true;
                s.behindLeaderUntilNs = now + behindLeaderWaitNs;
            }
            if (now - s.behindLeaderUntilNs < 0) {
                LOG.debug("{}: {}-{} at {} is above the leader's high watermark {}; waiting for it", shownClientId,
                    LogText.safe(s.tp.topic()), s.tp.partition(), offset, r.highWatermark());
                s.retryAtNs = now + backoffNs;
                return;
            }
        }
        s.behindLeader = false;
        if (config.autoOffsetReset() == ConsumerConfig.OffsetReset.NONE) {
            errors.accept(new YakException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " of " + s.tp
                + " is out of range (log start " + r.logStartOffset() + ", high watermark " + r.highWatermark()
                + ") and auto.offset.reset=none"));
            return;
        }
        // WARN, not INFO: the records between the old position and the new one are not read (the CLI shows WARN)
        LOG.warn("{}: offset {} of {}-{} out of range (log {}..{}); resetting to {}", shownClientId, offset,
            LogText.safe(s.tp.topic()), s.tp.partition(), r.logStartOffset(), r.highWatermark(),
            config.autoOffsetReset());
        s.moveTo(-1, config.autoOffsetReset());
    }

    /**
     * A failed request of {@code s} (a fetch or a position lookup): a retriable error refreshes the metadata (the
     * leader may have moved) and backs the partition off for {@code retry.backoff.ms}; another surfaces from the
     * next poll.
     */
    void retryLater(PartitionState s, YakException e, String what) {
        if (e.retriable()) {
            LOG.debug("{}: {} of {}-{} failed, retrying: {}", shownClientId, LogText.safe(what),
                LogText.safe(s.tp.topic()), s.tp.partition(), LogText.safe(e.getMessage()));
            metadata.requestRefresh();
            s.retryAtNs = nanoClock.getAsLong() + backoffNs;
        } else {
            errors.accept(e);
        }
    }

    /**
     * The offset after the last complete batch of a response, from the batch headers alone (the CRC is checked
     * when the batch is returned); -1 when the response holds no complete batch.
     */
    private long endOffset(ByteBuf records) {
        long end = -1;
        int index = records.readerIndex();
        int limit = records.writerIndex();
        while (limit - index >= RecordBatchLayout.RECORDS_OFFSET) {
            headers.wrap(records, index, limit);
            int size = headers.sizeInBytes();
            if (size < RecordBatchLayout.RECORDS_OFFSET || size > limit - index) {
                break;
            }
            end = headers.lastOffset() + 1;
            index += size;
        }
        return end;
    }

    /** Hands buffered records to {@code handler}, round-robin over partitions, up to max.poll.records; how many. */
    int collect(RecordHandler handler) {
        List<PartitionState> partitions = subscriptions.partitions();
        int n = partitions.size();
        if (n == 0) {
            return 0;
        }
        int start = nextCollect % n;
        nextCollect = start + 1;
        int max = config.maxPollRecords();
        int handed = 0;
        for (int i = 0; i < n && handed < max; i++) {
            PartitionState s = partitions.get((start + i) % n);
            if (s.buffered != null && s.position >= 0) {
                handed += drain(s, handler, max - handed);
            }
        }
        return handed;
    }

    /** Up to {@code max} records of the partition's buffered response; returns how many. */
    private int drain(PartitionState s, RecordHandler handler, int max) {
        ByteBuf buf = s.buffered;
        int limit = buf.writerIndex();
        int handed = 0;
        try {
            while (handed < max) {
                int index = s.bufferedIndex;
                if (limit - index < RecordBatchLayout.RECORDS_OFFSET) {
                    break;
                }
                batch.wrap(buf, index, limit);
                int size = batch.sizeInBytes();
                if (size < RecordBatchLayout.RECORDS_OFFSET || size > limit - index) {
                    break; // a partial batch at the end of the response: fetched again from the position
                }
                if (s.validatedIndex != index) {
                    batch.validate();
                    s.validatedIndex = index;
                }
                if (batch.lastOffset() >= s.position) {
                    cursor.wrap(batch);
                    while (cursor.next()) {
                        long offset = cursor.offset();
                        if (offset < s.position) {
                            continue;
                        }
                        if (handed >= max) {
                            return handed;
                        }
                        hand(handler, s);
                        s.position = offset + 1;
                        handed++;
                    }
                }
                s.bufferedIndex = index + size;
            }
        } catch (WireException e) {
            // Records already collected are returned; the error surfaces on the next poll, and every later one
            // until the user seeks past the batch.
            s.clearBuffered();
            s.retryAtNs = nanoClock.getAsLong() + backoffNs;
            errors.accept(new YakException(ErrorCode.CORRUPT_RECORD_BATCH, "corrupt data from " + s.tp
                + " near offset " + s.position + ": " + e.getMessage(), e));
            return handed;
        } finally {
            // once per drain, not per record; also when a handler threw after records before it were handed out
            metrics.consumed(s, handed);
        }
        if (handed < max || s.bufferedIndex >= limit) {
            s.advanceBuffer();
        }
        return handed;
    }

    private void hand(RecordHandler handler, PartitionState s) {
        inHandler = true;
        try {
            handler.onRecord(view.set(s.tp, cursor));
        } finally {
            view.clear();
            inHandler = false;
        }
    }
}
