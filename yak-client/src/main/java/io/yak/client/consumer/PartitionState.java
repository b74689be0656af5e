package io.yak.client.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.netty.buffer.ByteBuf;
import io.yak.client.TopicPartition;
import io.yak.wire.config.HostPort;

/**
 * What the consumer knows about one assigned partition. Owned by the thread calling poll; response handlers
 * run there too (queued from the event loop), so no field needs a lock.
 *
 * <p>Invariants: at most one CONSUME and one position request in flight; {@code buffered} (when non-null) is an
 * owned reference to fetched batches starting at or before {@code position}; {@code prefetched} (fetched while
 * {@code buffered} is returned, from {@code bufferedEnd}) is the next response, used only if it still continues
 * from the position; {@code generation} changes whenever
 * the position is moved by anything but consumption, so answers to older requests are dropped; {@code fetchId}
 * names the one CONSUME whose answer is awaited, so the answer to a fetch abandoned for a new leader is dropped too.
 */
final class PartitionState {
    final TopicPartition tp;
    /** Offset of the next record to return; -1 while unknown. */
    long position = -1;
    /** Explicit reset asked for (seekToBeginning/End, out-of-range); null = committed offset, then auto reset. */
    ConsumerConfig.OffsetReset pendingReset;
    boolean committedChecked;
    boolean positionRequestInFlight;
    /** Counts the CONSUME requests sent; an answer is used only if it is the latest one's. */
    int fetchId;
    /** The broker the awaited CONSUME went to; null when none is in flight ({@link #fetchInFlight()}). */
    HostPort fetchLeader;
    /** The high watermark of the last CONSUME answer; -1 until one arrived. */
    long highWatermark = -1;
    /**
     * The largest high watermark any leader answered: a position at or below it was reached legitimately, so a new
     * leader whose high watermark is still below it (it learns the watermark a round trip later) is waited for,
     * not treated as an out-of-range position.
     */
    long highestHighWatermark = -1;
    /** Set while the leader's high watermark is below the position (see {@link #highestHighWatermark}). */
    boolean behindLeader;
    /** With {@link #behindLeader}: how long that is waited for before the position counts as out of range. */
    long behindLeaderUntilNs;
    int generation;
    long retryAtNs;
    boolean assigned = true;
    /** The metadata listed this partition once (its topic exists and has it); until then poll asks and checks. */
    boolean known;

    /** Fetched batches not yet returned (owned reference), or null. */
    ByteBuf buffered;
    /** Index of the next batch to decode in {@link #buffered}. */
    int bufferedIndex;
    /** Index of the last batch whose CRC was checked, so a partly returned batch is not checked twice. */
    int validatedIndex = -1;
    /** Offset after the last complete batch of {@link #buffered}; where a prefetch starts. -1 when none. */
    long bufferedEnd = -1;
    /** The next response, fetched while {@link #buffered} is being returned (owned reference), or null. */
    ByteBuf prefetched;
    long prefetchedEnd = -1;
    /** Base offset of the first batch of {@link #prefetched}. */
    long prefetchedStart = -1;

    /** The topic's {@code yak.consumer.records.consumed} while assigned; null without a registry. */
    Counter recordsConsumed;
    /** The partition's {@code yak.consumer.lag} while assigned; null without a registry. */
    Gauge lag;

    PartitionState(TopicPartition tp) {
        this.tp = tp;
    }

    void moveTo(long offset, ConsumerConfig.OffsetReset reset) {
        clearBuffered();
        behindLeader = false;
        position = offset;
        pendingReset = reset;
        generation++;
    }

    /** Drops buffered and prefetched data (seek, reset, error, close). */
    void clearBuffered() {
        dropBuffered();
        if (prefetched != null) {
            prefetched.release();
            prefetched = null;
        }
    }

    /**
     * The buffered response is used up: the prefetched one takes its place when it starts at or before the
     * position (it always does unless the position moved), otherwise it is dropped and fetched again.
     */
    void advanceBuffer() {
        dropBuffered();
        ByteBuf next = prefetched;
        prefetched = null;
        if (next != null) {
            if (prefetchedStart <= position && prefetchedEnd > position) {
                buffered = next;
                bufferedIndex = next.readerIndex();
                bufferedEnd = prefetchedEnd;
            } else {
                next.release();
            }
        }
    }

    private void dropBuffered() {
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        bufferedIndex = 0;
        validatedIndex = -1;
        bufferedEnd = -1;
    }

    boolean fetchInFlight() {
        return fetchLeader != null;
    }

    /** Where the next CONSUME starts: the position, or after the buffered data (a prefetch); -1 for none. */
    long nextFetchOffset() {
        if (prefetched != null) {
            return -1;
        }
        return buffered == null ? position : bufferedEnd;
    }
}
