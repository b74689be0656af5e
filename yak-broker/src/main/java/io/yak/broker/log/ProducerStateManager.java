package io.yak.broker.log;

import static io.yak.broker.log.ProducerStateLayout.BATCHES_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.BATCH_COUNT_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.BATCH_ENTRY_LENGTH;
import static io.yak.broker.log.ProducerStateLayout.FIRST_OFFSET_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.FIRST_SEQUENCE_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.HEADER_LENGTH;
import static io.yak.broker.log.ProducerStateLayout.LAST_OFFSET_DELTA_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.LAST_SEQUENCE_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.LAST_TIMESTAMP_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.MAX_BATCHES;
import static io.yak.broker.log.ProducerStateLayout.PRODUCER_COUNT_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.PRODUCER_ENTRY_LENGTH;
import static io.yak.broker.log.ProducerStateLayout.PRODUCER_EPOCH_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.PRODUCER_ID_OFFSET;
import static io.yak.broker.log.ProducerStateLayout.SNAPSHOT_OFFSET_OFFSET;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's idempotent-producer state (Kafka's {@code ProducerStateManager}): per producer id, the epoch and the
 * last batches stored, which the leader checks every idempotent append against ({@code WIRE.md}, "Idempotent
 * publishes"). Every replica builds it from the batches it appends, so a new leader knows what the old one stored.
 * It survives restarts as {@code <offset>.snapshot} files plus the batches after the newest snapshot, replayed at
 * open; a truncation reloads it the same way ({@code STORAGE.md}, "Producer state").
 *
 * <p>Threads: the log's writer rules ({@link PartitionLog}); checks and updates allocate nothing but a new
 * producer's entry.
 */
final class ProducerStateManager {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerStateManager.class);
    /** {@link #check}'s answer for batches to append. */
    static final long APPEND = -1;
    /** Snapshot files kept: the newest after a roll or close, and the one before it for a truncation below it. */
    static final int SNAPSHOTS_KEPT = 2;

    /** Replays the batches of {@code [fromOffset, toOffset)} into this manager ({@link #apply}). */
    interface Replay {
        void run(long fromOffset, long toOffset) throws IOException;
    }

    private final Path directory;
    private final String name;
    private final long expirationMs;
    private final Long2ObjectHashMap<ProducerEntry> producers = new Long2ObjectHashMap<>();
    private long lastExpiryMs;

    ProducerStateManager(Path directory, String name, long expirationMs) {
        this.directory = directory;
        this.name = name;
        this.expirationMs = expirationMs;
    }

    int producerCount() {
        return producers.size();
    }

    /** Tests and snapshots: the entry of a producer, or null. */
    ProducerEntry entry(long producerId) {
        return producers.get(producerId);
    }

    /**
     * Leader: checks the header-checked batches {@code src[from, to)} before they are appended.
     *
     * @return {@link #APPEND}, or the offset the first batch was stored at when every batch is a retry of stored
     *         batches that follow each other in the log
     * @throws ProducerSequenceException when the append must be refused
     */
    long check(ByteBuf src, int from, int to, RecordBatchFlyweight batch) {
        batch.wrap(src, from, to);
        long producerId = batch.producerId();
        if (producerId < 0) {
            for (int index = from + batch.sizeInBytes(); index < to; index += batch.sizeInBytes()) {
                if (batch.wrap(src, index, to).producerId() >= 0) {
                    throw refuse(ErrorCode.INVALID_REQUEST, "an idempotent batch after one without a producer id");
                }
            }
            return APPEND;
        }
        short epoch = batch.producerEpoch();
        ProducerEntry entry = producers.get(producerId);
        long duplicateOffset = APPEND;
        long nextDuplicateOffset = -1;
        int previousLast = 0;
        boolean firstBatch = true;
        for (int index = from; index < to; index += batch.sizeInBytes(), firstBatch = false) {
            batch.wrap(src, index, to);
            int first = batch.baseSequence();
            if (batch.producerId() != producerId || batch.producerEpoch() != epoch || first < 0
                || batch.producerEpoch() < 0) {
                throw refuse(ErrorCode.INVALID_REQUEST, "batch of producer " + batch.producerId() + " epoch "
                    + batch.producerEpoch() + " sequence " + first + " in a request of producer " + producerId
                    + " epoch " + epoch);
            }
            int last = incrementSequence(first, batch.recordCount() - 1);
            if (firstBatch) {
                duplicateOffset = verdict(entry, producerId, epoch, first, last);
                nextDuplicateOffset = duplicateOffset + batch.lastOffsetDelta() + 1;
            } else if (duplicateOffset == APPEND) {
                if (first != incrementSequence(previousLast, 1)) {
                    throw refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + producerId + ": sequence " + first
                        + " after " + previousLast + " within one request");
                }
            } else {
                long stored = entry.storedOffset(first, last);
                if (stored != nextDuplicateOffset) {
                    throw refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + producerId + ": a request mixing "
                        + "retries of stored batches with other batches (sequence " + first + ")");
                }
                nextDuplicateOffset = stored + batch.lastOffsetDelta() + 1;
            }
            previousLast = last;
        }
        return duplicateOffset;
    }

    /**
     * The offset a stored batch with sequences {@code first..last} got (a retry), or {@link #APPEND} when a batch
     * starting at {@code first} is the next one to append.
     */
    private long verdict(ProducerEntry entry, long producerId, short epoch, int first, int last) {
        if (entry == null || epoch > entry.epoch) {
            // A producer starts, or starts a new epoch, at 0. Were any sequence accepted from a producer unknown here,
            // a later batch that overtook a refused first one would be stored before it.
            if (first != 0) {
                throw refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + producerId + (entry == null
                    ? " is unknown here (new, or forgotten)" : " starts new epoch " + epoch)
                    + " at sequence " + first + ", not 0");
            }
            return APPEND;
        }
        if (epoch < entry.epoch) {
            throw refuse(ErrorCode.INVALID_PRODUCER_EPOCH, "producer " + producerId + " epoch " + epoch
                + " is older than its epoch " + entry.epoch + " here");
        }
        long stored = entry.storedOffset(first, last);
        if (stored >= 0) {
            return stored;
        }
        if (stored == ProducerEntry.OVERLAP) {
            throw refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + producerId + " batch with sequences "
                + first + ".." + last + " overlaps a stored one");
        }
        if (entry.batchCount == 0 || first == incrementSequence(entry.lastSequence(), 1)) {
            return APPEND;
        }
        throw refuse(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + producerId + " epoch " + epoch + ": sequence "
            + first + ", expected " + incrementSequence(entry.lastSequence(), 1));
    }

    private ProducerSequenceException refuse(ErrorCode error, String why) {
        return new ProducerSequenceException(error, "partition " + name + ": " + why + "; nothing appended");
    }

    /** Leader: records the batches {@code src[from, to)} just stored from {@code baseOffset} on. */
    void appended(ByteBuf src, int from, int to, long baseOffset, RecordBatchFlyweight batch, long nowMs) {
        long offset = baseOffset;
        for (int index = from; index < to; index += batch.sizeInBytes()) {
            batch.wrap(src, index, to);
            if (batch.producerId() >= 0) {
                apply(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastOffsetDelta(),
                    offset, Math.max(nowMs, batch.maxTimestamp()));
            }
            offset += batch.recordCount();
        }
    }

    /** Follower: records the batches {@code src[from, to)} just stored with their own base offsets. */
    void appendedAsFollower(ByteBuf src, int from, int to, RecordBatchFlyweight batch, long nowMs) {
        for (int index = from; index < to; index += batch.sizeInBytes()) {
            batch.wrap(src, index, to);
            if (batch.producerId() >= 0) {
                apply(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastOffsetDelta(),
                    batch.baseOffset(), Math.max(nowMs, batch.maxTimestamp()));
            }
        }
    }

    /** Records one stored batch of a producer (a replay passes the batch's own max timestamp). */
    void apply(long producerId, short epoch, int baseSequence, int lastOffsetDelta, long baseOffset,
               long timestampMs) {
        if (producerId < 0 || baseSequence < 0) {
            return;
        }
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            entry = new ProducerEntry(producerId, epoch);
            producers.put(producerId, entry);
        }
        entry.add(epoch, baseSequence, incrementSequence(baseSequence, lastOffsetDelta), baseOffset, lastOffsetDelta,
            timestampMs);
    }

    /**
     * Forgets producers that stored nothing for {@code producer.id.expiration.ms}: at most once a minute (or once
     * per expiration period, when shorter), so the append path pays for it rarely.
     */
    void maybeExpire(long nowMs) {
        if (nowMs - lastExpiryMs < Math.min(expirationMs, 60_000)) {
            return;
        }
        lastExpiryMs = nowMs;
        expire(nowMs);
    }

    /** Forgets every producer idle for {@code producer.id.expiration.ms} or longer. */
    int expire(long nowMs) {
        int removed = 0;
        for (Iterator<ProducerEntry> it = producers.values().iterator(); it.hasNext(); ) {
            if (nowMs - it.next().lastTimestampMs >= expirationMs) {
                it.remove();
                removed++;
            }
        }
        if (removed > 0) {
            LOG.info("partition {}: forgot {} producer id(s) idle for producer.id.expiration.ms {}; {} left", name,
                removed, expirationMs, producers.size());
        }
        return removed;
    }

    /**
     * Writes {@code <offset>.snapshot} (the state after every batch below {@code offset}; atomic replace, forced),
     * then deletes all but the newest {@link #SNAPSHOTS_KEPT} snapshots.
     */
    void snapshot(long offset, long nowMs) throws IOException {
        expire(nowMs);
        int count = producers.size();
        ByteBuffer buf = MetadataFile.create(Math.toIntExact(ProducerStateLayout.fileLength(count)),
            ProducerStateLayout.MAGIC, ProducerStateLayout.FORMAT_VERSION);
        buf.putLong(SNAPSHOT_OFFSET_OFFSET, offset);
        buf.putInt(PRODUCER_COUNT_OFFSET, count);
        int position = HEADER_LENGTH;
        for (ProducerEntry e : producers.values()) {
            buf.putLong(position + PRODUCER_ID_OFFSET, e.producerId);
            buf.putShort(position + PRODUCER_EPOCH_OFFSET, e.epoch);
            buf.putShort(position + BATCH_COUNT_OFFSET, (short) e.batchCount);
            buf.putLong(position + LAST_TIMESTAMP_OFFSET, e.lastTimestampMs);
            for (int i = 0; i < e.batchCount; i++) {
                int b = position + BATCHES_OFFSET + i * BATCH_ENTRY_LENGTH;
                buf.putInt(b + FIRST_SEQUENCE_OFFSET, e.firstSequence[i]);
                buf.putInt(b + LAST_SEQUENCE_OFFSET, e.lastSequence[i]);
                buf.putLong(b + FIRST_OFFSET_OFFSET, e.firstOffset[i]);
                buf.putInt(b + LAST_OFFSET_DELTA_OFFSET, e.lastOffsetDelta[i]);
            }
            position += PRODUCER_ENTRY_LENGTH;
        }
        MetadataFile.write(directory.resolve(SegmentLayout.fileName(offset, SegmentLayout.SNAPSHOT_SUFFIX)), buf);
        List<Long> offsets = snapshotOffsets();
        for (int i = 0; i < offsets.size() - SNAPSHOTS_KEPT; i++) {
            Files.deleteIfExists(snapshotFile(offsets.get(i)));
        }
    }

    /**
     * Open or truncation: forgets everything, deletes snapshots past {@code logEnd}, loads the newest valid snapshot
     * (invalid ones are deleted with a WARN) and replays the batches from it (or from {@code logStart} without one)
     * up to {@code logEnd}.
     */
    void load(long logStart, long logEnd, Replay replay) throws IOException {
        producers.clear();
        List<Long> offsets = snapshotOffsets();
        long from = logStart;
        for (int i = offsets.size() - 1; i >= 0; i--) {
            long offset = offsets.get(i);
            if (offset > logEnd) {
                Files.deleteIfExists(snapshotFile(offset));
                continue;
            }
            try {
                read(offset);
                from = Math.max(offset, logStart);
                break;
            } catch (InvalidFileException e) {
                LOG.warn("partition {}: deleting invalid producer snapshot: {}", name, e.getMessage());
                producers.clear();
                Files.deleteIfExists(snapshotFile(offset));
            }
        }
        if (from < logEnd) {
            replay.run(from, logEnd);
        }
    }

    /** Full truncation: forgets everything and deletes every snapshot. */
    void clear() throws IOException {
        producers.clear();
        for (long offset : snapshotOffsets()) {
            Files.deleteIfExists(snapshotFile(offset));
        }
    }

    private void read(long offset) throws IOException, InvalidFileException {
        Path file = snapshotFile(offset);
        ByteBuffer buf = MetadataFile.read(file, ProducerStateLayout.MAGIC, ProducerStateLayout.FORMAT_VERSION,
            (int) ProducerStateLayout.fileLength(0), Integer.MAX_VALUE - 16);
        if (buf == null) {
            throw new InvalidFileException(file + ": gone");
        }
        int count = buf.getInt(PRODUCER_COUNT_OFFSET);
        if (count < 0 || count > ProducerStateLayout.MAX_PRODUCERS
            || buf.capacity() != ProducerStateLayout.fileLength(count)) {
            throw new InvalidFileException(file + ": producer count " + count + " in a file of " + buf.capacity()
                + " bytes");
        }
        if (buf.getLong(SNAPSHOT_OFFSET_OFFSET) != offset) {
            throw new InvalidFileException(file + ": holds offset " + buf.getLong(SNAPSHOT_OFFSET_OFFSET));
        }
        for (int p = 0; p < count; p++) {
            int position = HEADER_LENGTH + p * PRODUCER_ENTRY_LENGTH;
            long producerId = buf.getLong(position + PRODUCER_ID_OFFSET);
            short epoch = buf.getShort(position + PRODUCER_EPOCH_OFFSET);
            int batches = buf.getShort(position + BATCH_COUNT_OFFSET);
            if (producerId < 0 || epoch < 0 || batches < 1 || batches > MAX_BATCHES) {
                throw new InvalidFileException(file + ": producer entry " + p + " (id " + producerId + ", epoch "
                    + epoch + ", " + batches + " batches) breaks the rules");
            }
            ProducerEntry entry = new ProducerEntry(producerId, epoch);
            for (int i = 0; i < batches; i++) {
                int b = position + BATCHES_OFFSET + i * BATCH_ENTRY_LENGTH;
                entry.add(epoch, buf.getInt(b + FIRST_SEQUENCE_OFFSET), buf.getInt(b + LAST_SEQUENCE_OFFSET),
                    buf.getLong(b + FIRST_OFFSET_OFFSET), buf.getInt(b + LAST_OFFSET_DELTA_OFFSET), 0);
            }
            entry.lastTimestampMs = buf.getLong(position + LAST_TIMESTAMP_OFFSET);
            producers.put(producerId, entry);
        }
    }

    private Path snapshotFile(long offset) {
        return directory.resolve(SegmentLayout.fileName(offset, SegmentLayout.SNAPSHOT_SUFFIX));
    }

    /** Offsets of the snapshot files in the directory, ascending. */
    List<Long> snapshotOffsets() throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
            "*" + SegmentLayout.SNAPSHOT_SUFFIX)) {
            for (Path entry : entries) {
                long offset = SegmentLayout.parseBaseOffset(entry.getFileName().toString(),
                    SegmentLayout.SNAPSHOT_SUFFIX);
                if (offset >= 0) {
                    offsets.add(offset);
                }
            }
        }
        offsets.sort(null);
        return offsets;
    }

    /** Kafka's sequence arithmetic: after {@code Integer.MAX_VALUE} comes 0. */
    static int incrementSequence(int sequence, int increment) {
        return sequence > Integer.MAX_VALUE - increment ? increment - (Integer.MAX_VALUE - sequence) - 1
            : sequence + increment;
    }
}
