package io.yak.coordinator.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The persisted state rebuilt from a snapshot and the change records after it: what a restart would load. The store
 * thread keeps one in step with what it appends, so it can write a new snapshot (compaction) without asking the
 * cluster state for one. Not thread-safe: the store thread's (or the loader's) alone.
 */
public final class StateMirror {
    private long epoch;
    private long nextProducerId;
    private final TreeMap<Integer, CoordinatorSnapshot.Broker> brokers = new TreeMap<>();
    /** By topic name: the topic with its partitions' states replaced as records come. */
    private final TreeMap<String, MutableTopic> topics = new TreeMap<>();
    /** By "group NUL topic NUL partition", so the snapshot lists offsets in a stable order. */
    private final TreeMap<String, CoordinatorSnapshot.CommittedOffset> offsets = new TreeMap<>();

    private static final class MutableTopic {
        final String name;
        final CoordinatorSnapshot.Partition[] partitions;
        final Map<String, String> configs;
        final long topicId;

        MutableTopic(CoordinatorSnapshot.Topic t) {
            name = t.name();
            partitions = t.partitions().toArray(new CoordinatorSnapshot.Partition[0]);
            configs = t.configs();
            topicId = t.topicId();
        }

        CoordinatorSnapshot.Topic toTopic() {
            return new CoordinatorSnapshot.Topic(name, List.of(partitions), configs, topicId);
        }
    }

    public StateMirror(CoordinatorSnapshot base) {
        epoch = base.epoch();
        nextProducerId = base.nextProducerId();
        for (CoordinatorSnapshot.Broker b : base.brokers()) {
            brokers.put(b.id(), b);
        }
        for (CoordinatorSnapshot.Topic t : base.topics()) {
            topics.put(t.name(), new MutableTopic(t));
        }
        for (CoordinatorSnapshot.CommittedOffset o : base.offsets()) {
            offsets.put(key(o), o);
        }
    }

    private static String key(CoordinatorSnapshot.CommittedOffset o) {
        return o.group() + '\0' + o.topic() + '\0' + o.partition();
    }

    /**
     * Applies one record.
     *
     * @throws CorruptStateException when it names a partition the state does not have (a log that does not belong
     *                               to this snapshot)
     */
    public void apply(StateRecord r) throws CorruptStateException {
        if (r instanceof StateRecord.Counters c) {
            epoch = c.epoch();
            nextProducerId = c.nextProducerId();
        } else if (r instanceof StateRecord.BrokerRecord b) {
            brokers.put(b.broker().id(), b.broker());
        } else if (r instanceof StateRecord.BrokerForgotten f) {
            brokers.remove(f.brokerId());
        } else if (r instanceof StateRecord.TopicRecord t) {
            topics.put(t.topic().name(), new MutableTopic(t.topic()));
        } else if (r instanceof StateRecord.PartitionRecord p) {
            MutableTopic t = topics.get(p.topic());
            if (t == null || p.partition() < 0 || p.partition() >= t.partitions.length) {
                throw new CorruptStateException("change record for partition " + p.topic() + "-" + p.partition()
                    + ", which the state does not have");
            }
            t.partitions[p.partition()] = p.state();
        } else if (r instanceof StateRecord.OffsetRecord o) {
            offsets.put(key(o.offset()), o.offset());
        } else if (r instanceof StateRecord.GroupDeleted g) {
            offsets.values().removeIf(o -> o.group().equals(g.group()));
        } else if (r instanceof StateRecord.TopicDeleted t) {
            topics.remove(t.topic());
            offsets.values().removeIf(o -> o.topic().equals(t.topic()));
        } else {
            throw new IllegalStateException("record " + r);
        }
    }

    public CoordinatorSnapshot toSnapshot() {
        List<CoordinatorSnapshot.Topic> ts = new ArrayList<>(topics.size());
        for (MutableTopic t : topics.values()) {
            ts.add(t.toTopic());
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, new ArrayList<>(brokers.values()), ts,
            new ArrayList<>(offsets.values()));
    }
}
