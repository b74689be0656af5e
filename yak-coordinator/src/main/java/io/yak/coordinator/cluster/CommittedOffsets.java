package io.yak.coordinator.cluster;

import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer groups' committed offsets: (group, topic, partition) to the group's next offset to read. Each commit is
 * persisted as one small record appended to the change log ({@code coordinator.log}), and the whole table goes into
 * every snapshot the log is compacted into ({@code io.yak.coordinator.store.StateStore}, {@code STATE.md}). Bounded
 * to {@value #MAX_COMMITTED_OFFSETS} entries (see there). Knows no topics: the {@link ClusterState} checks that the
 * partition exists before {@link #commit}; nor members: the group coordinator fences commits before that.
 *
 * <p>Not thread-safe: owned by the thread that owns the {@link ClusterState}.
 */
final class CommittedOffsets {
    /**
     * Bound on stored (group, topic, partition) offsets, because peers choose the keys: it bounds the memory the
     * table holds (up to about 1 KB an entry: two strings of up to 249 chars, UTF-8), and the snapshot every
     * compaction writes and every start reads, which must stay below the store's 256 MiB file limit
     * ({@code StateStore.MAX_FILE_BYTES}): a million entries of long names would not.
     */
    static final int MAX_COMMITTED_OFFSETS = 100_000;
    /** Longest consumer group name, in chars. */
    static final int MAX_GROUP_LENGTH = 249;

    private static final Logger LOG = LoggerFactory.getLogger(CommittedOffsets.class);

    private final Map<Key, Long> offsets = new HashMap<>();

    /** Key of a committed offset. */
    private record Key(String group, String topic, int partition) {
    }

    /** INVALID_REQUEST for an empty or too long group or a negative offset; else NONE. Changes nothing. */
    static ErrorCode validate(String group, long offset) {
        if (group == null || group.isEmpty() || group.length() > MAX_GROUP_LENGTH || offset < 0) {
            return ErrorCode.INVALID_REQUEST;
        }
        return ErrorCode.NONE;
    }

    /**
     * Stores an offset already {@link #validate validated}, of an existing partition.
     *
     * @return NONE, or INVALID_REQUEST (nothing stored) when it would be one offset more than the bound
     */
    ErrorCode commit(String group, String topic, int partition, long offset) {
        Key key = new Key(group, topic, partition);
        if (!offsets.containsKey(key) && offsets.size() >= MAX_COMMITTED_OFFSETS) {
            LOG.warn("rejecting offset commit of group {} for {}-{}: {} committed offsets stored (limit)",
                LogText.safe(group), topic, partition, offsets.size());
            return ErrorCode.INVALID_REQUEST;
        }
        offsets.put(key, offset);
        return ErrorCode.NONE;
    }

    /** The committed offset, or {@link ClusterState#NO_OFFSET}. */
    long fetch(String group, String topic, int partition) {
        Long offset = offsets.get(new Key(group, topic, partition));
        return offset == null ? ClusterState.NO_OFFSET : offset;
    }

    /** Groups that have at least one committed offset, sorted. */
    java.util.SortedSet<String> groups() {
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        for (Key k : offsets.keySet()) {
            out.add(k.group());
        }
        return out;
    }

    /** Every committed offset of {@code group}, sorted by topic and partition. */
    List<CoordinatorSnapshot.CommittedOffset> offsetsOf(String group) {
        List<CoordinatorSnapshot.CommittedOffset> out = new ArrayList<>();
        for (Map.Entry<Key, Long> e : offsets.entrySet()) {
            Key k = e.getKey();
            if (k.group().equals(group)) {
                out.add(new CoordinatorSnapshot.CommittedOffset(k.group(), k.topic(), k.partition(), e.getValue()));
            }
        }
        out.sort(java.util.Comparator.comparing(CoordinatorSnapshot.CommittedOffset::topic)
            .thenComparingInt(CoordinatorSnapshot.CommittedOffset::partition));
        return out;
    }

    /** Removes every offset of {@code group}; returns how many. */
    int deleteGroup(String group) {
        int before = offsets.size();
        offsets.keySet().removeIf(k -> k.group().equals(group));
        return before - offsets.size();
    }

    /** Removes every offset of {@code topic}'s partitions (the topic deleted); returns how many. */
    int deleteTopic(String topic) {
        int before = offsets.size();
        offsets.keySet().removeIf(k -> k.topic().equals(topic));
        return before - offsets.size();
    }

    /** An offset from the state file. */
    void restore(CoordinatorSnapshot.CommittedOffset o) {
        offsets.put(new Key(o.group(), o.topic(), o.partition()), o.offset());
    }

    /** Every offset, for the state file. Copies. */
    List<CoordinatorSnapshot.CommittedOffset> snapshot() {
        List<CoordinatorSnapshot.CommittedOffset> os = new ArrayList<>(offsets.size());
        for (Map.Entry<Key, Long> e : offsets.entrySet()) {
            Key k = e.getKey();
            os.add(new CoordinatorSnapshot.CommittedOffset(k.group(), k.topic(), k.partition(), e.getValue()));
        }
        return os;
    }
}
