package io.yak.faults;

import io.yak.wire.record.RecordBatchLayout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stored bytes of every replica of every partition after a run, compared byte for byte. Followers copy the
 * leader's record batches unchanged (base offset and leader epoch included), so two replicas agree on a range of
 * offsets exactly when they hold the same batch bytes for it; see {@code yak-wire/WIRE.md}, "Record batch".
 *
 * <p>Thread-safe: the harness may add replicas from several threads.
 */
public final class ReplicaLogs {
    private final Map<Integer, List<Replica>> byPartition = new TreeMap<>();

    public ReplicaLogs() {
    }

    /**
     * The raw record-batch bytes of one replica of a partition for offsets {@code [startOffset, highWatermark)}, as
     * whole batches (the first may start below {@code startOffset}, the last may end at or above the high watermark).
     * The array is kept, not copied.
     */
    public synchronized void add(int broker, int partition, long startOffset, long highWatermark, byte[] batches) {
        List<Replica> replicas = byPartition.computeIfAbsent(partition, p -> new ArrayList<>());
        for (Replica replica : replicas) {
            if (replica.broker == broker) {
                throw new IllegalArgumentException("replica of partition " + partition + " on broker " + broker
                        + " added twice");
            }
        }
        replicas.add(new Replica(broker, startOffset, highWatermark, batches));
    }

    /**
     * Compares each partition's replicas over the offsets all of them hold below the smallest high watermark
     * ({@code max(startOffset) .. min(highWatermark)}): the batches overlapping that range must be identical.
     * Every replica is compared with the one on the lowest broker id.
     *
     * @return one line per divergence or malformed replica, naming the partition, brokers and first differing offset
     */
    public synchronized List<String> compare() {
        List<String> divergences = new ArrayList<>();
        for (Map.Entry<Integer, List<Replica>> entry : byPartition.entrySet()) {
            comparePartition(entry.getKey(), entry.getValue(), divergences);
        }
        return divergences;
    }

    private static void comparePartition(int partition, List<Replica> unsorted, List<String> divergences) {
        List<Replica> replicas = new ArrayList<>(unsorted);
        replicas.sort(Comparator.comparingInt(Replica::broker));
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        for (Replica replica : replicas) {
            from = Math.max(from, replica.startOffset);
            to = Math.min(to, replica.highWatermark);
        }
        if (replicas.size() < 2 || from >= to) {
            return;
        }
        List<Batch[]> batches = new ArrayList<>();
        for (Replica replica : replicas) {
            batches.add(batchesIn(partition, replica, from, to, divergences));
        }
        Replica reference = replicas.get(0);
        Batch[] expected = batches.get(0);
        if (expected == null) {
            return;
        }
        for (int i = 1; i < replicas.size(); i++) {
            Batch[] actual = batches.get(i);
            if (actual != null) {
                compareReplicas(partition, from, to, reference, expected, replicas.get(i), actual, divergences);
            }
        }
    }

    private static void compareReplicas(int partition, long from, long to, Replica a, Batch[] batchesA, Replica b,
            Batch[] batchesB, List<String> divergences) {
        int common = Math.min(batchesA.length, batchesB.length);
        for (int i = 0; i < common; i++) {
            Batch x = batchesA[i];
            Batch y = batchesB[i];
            if (!Arrays.equals(a.batches, x.position, x.end(), b.batches, y.position, y.end())) {
                divergences.add(String.format(
                        "partition %d: brokers %d and %d differ from offset %d (batch %d..%d at byte %d vs "
                                + "batch %d..%d at byte %d; compared offsets %d..%d)",
                        partition, a.broker, b.broker, Math.min(x.baseOffset, y.baseOffset), x.baseOffset,
                        x.lastOffset, x.position, y.baseOffset, y.lastOffset, y.position, from, to - 1));
                return;
            }
        }
        if (batchesA.length != batchesB.length) {
            boolean aLonger = batchesA.length > batchesB.length;
            Batch extra = aLonger ? batchesA[common] : batchesB[common];
            divergences.add(String.format(
                    "partition %d: brokers %d and %d differ from offset %d (broker %d has batch %d..%d, broker %d "
                            + "has none; compared offsets %d..%d)",
                    partition, a.broker, b.broker, extra.baseOffset, aLonger ? a.broker : b.broker, extra.baseOffset,
                    extra.lastOffset, aLonger ? b.broker : a.broker, from, to - 1));
        }
    }

    /** The batches of a replica overlapping {@code [from, to)}, or null (reported) if its bytes do not parse. */
    private static Batch[] batchesIn(int partition, Replica replica, long from, long to, List<String> divergences) {
        ByteBuffer bytes = ByteBuffer.wrap(replica.batches);
        List<Batch> batches = new ArrayList<>();
        int position = 0;
        while (position < replica.batches.length) {
            int remaining = replica.batches.length - position;
            int length = remaining < RecordBatchLayout.LOG_OVERHEAD
                    ? -1 : bytes.getInt(position + RecordBatchLayout.BATCH_LENGTH_OFFSET);
            if (length < RecordBatchLayout.MIN_BATCH_LENGTH || length > remaining - RecordBatchLayout.LOG_OVERHEAD) {
                divergences.add(String.format("partition %d: broker %d holds a malformed batch at byte %d "
                        + "(batch length %d, %d bytes left)", partition, replica.broker, position, length, remaining));
                return null;
            }
            long baseOffset = bytes.getLong(position + RecordBatchLayout.BASE_OFFSET_OFFSET);
            long lastOffset = baseOffset + bytes.getInt(position + RecordBatchLayout.LAST_OFFSET_DELTA_OFFSET);
            int size = RecordBatchLayout.LOG_OVERHEAD + length;
            if (lastOffset >= from && baseOffset < to) {
                batches.add(new Batch(position, size, baseOffset, lastOffset));
            }
            position += size;
        }
        return batches.toArray(new Batch[0]);
    }

    private record Replica(int broker, long startOffset, long highWatermark, byte[] batches) {
    }

    /** Where one batch sits in a replica's bytes and which offsets it holds. */
    private record Batch(int position, int size, long baseOffset, long lastOffset) {
        int end() {
            return position + size;
        }
    }
}
