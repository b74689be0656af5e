package io.yak.client.consumer;

import io.yak.client.TopicPartition;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the consumer reads and where it stands (Kafka's {@code SubscriptionState}): either a subscription to whole
 * topics, whose partitions are added as the metadata lists them, or an explicit assignment; and for every assigned
 * partition its {@link PartitionState} (position, buffered data, requests in flight), in assignment order.
 *
 * <p>Owned by the consumer's thread (the one calling poll); not thread-safe. {@link #partitions()} is the live list:
 * callers iterate it but never change it.
 */
final class SubscriptionState {
    private final Map<TopicPartition, PartitionState> states = new LinkedHashMap<>();
    private final List<PartitionState> order = new ArrayList<>();
    private final List<PartitionState> view = Collections.unmodifiableList(order);
    /** Subscribed topics, or null with an explicit assignment (or neither). */
    private Set<String> subscription;
    /** Told of every partition assigned and unassigned, for its per-partition meters. */
    private final ConsumerMetrics metrics;

    SubscriptionState(ConsumerMetrics metrics) {
        this.metrics = metrics;
    }

    /** Reads every partition of {@code topics} from now on; drops every assigned partition and its data. */
    void subscribe(Collection<String> topics) {
        unassignAll();
        subscription = new LinkedHashSet<>(topics);
    }

    /**
     * Changes the subscribed topics (a pattern matched other topics) keeping the partitions assigned now: with a
     * group, the next rebalance decides what moves.
     */
    void changeSubscription(Collection<String> topics) {
        subscription = new LinkedHashSet<>(topics);
    }

    /** With a group subscription: adds partitions the group assigned (kept ones keep their positions). */
    void addAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            add(tp);
        }
    }

    /** With a group subscription: drops partitions given up, with their buffered data. */
    void removeAssigned(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            PartitionState s = states.get(tp);
            if (s != null) {
                remove(s);
            }
        }
    }

    /** Reads exactly {@code partitions} from now on; partitions kept keep their positions. */
    void assign(Collection<TopicPartition> partitions) {
        subscription = null;
        Set<TopicPartition> wanted = new LinkedHashSet<>(partitions);
        for (PartitionState s : new ArrayList<>(order)) {
            if (!wanted.contains(s.tp)) {
                remove(s);
            }
        }
        for (TopicPartition tp : wanted) {
            add(tp);
        }
    }

    boolean subscribed() {
        return subscription != null;
    }

    /** The subscribed topics; call only when {@link #subscribed()}. */
    Set<String> subscription() {
        return subscription;
    }

    /** Neither a subscription nor an assigned partition. */
    boolean isEmpty() {
        return subscription == null && states.isEmpty();
    }

    /** The assigned partitions, in assignment order (a copy). */
    Set<TopicPartition> assignment() {
        return new LinkedHashSet<>(states.keySet());
    }

    /** Assigned partitions' states in assignment order: a read-only live view. */
    List<PartitionState> partitions() {
        return view;
    }

    /** The state of an assigned partition; {@link IllegalStateException} when it is not assigned. */
    PartitionState state(TopicPartition tp) {
        PartitionState s = states.get(tp);
        if (s == null) {
            throw new IllegalStateException("partition " + tp + " is not assigned to this consumer");
        }
        return s;
    }

    /** The partition's state, created (position unknown) when it is not assigned yet. */
    PartitionState add(TopicPartition tp) {
        PartitionState s = states.get(tp);
        if (s == null) {
            s = new PartitionState(tp);
            states.put(tp, s);
            order.add(s);
            metrics.assigned(s);
        }
        return s;
    }

    private void remove(PartitionState s) {
        s.assigned = false;
        s.clearBuffered();
        s.generation++;
        states.remove(s.tp);
        order.remove(s);
        metrics.unassigned(s);
    }

    private void unassignAll() {
        for (PartitionState s : new ArrayList<>(order)) {
            remove(s);
        }
    }

    /** Topics the metadata must cover: the subscription, or the topics of the assigned partitions. */
    List<String> topicsOfInterest() {
        if (subscription != null) {
            return new ArrayList<>(subscription);
        }
        Set<String> topics = new LinkedHashSet<>();
        for (PartitionState s : order) {
            topics.add(s.tp.topic());
        }
        return new ArrayList<>(topics);
    }

    /** Whether the subscription or the assignment (still) reads from {@code topic}. */
    boolean wanted(String topic) {
        if (subscription != null) {
            return subscription.contains(topic);
        }
        for (PartitionState s : order) {
            if (s.tp.topic().equals(topic)) {
                return true;
            }
        }
        return false;
    }

    /** An assigned partition of {@code t} that the topic does not have, or null. */
    PartitionState missingPartition(TopicInfo t) {
        for (PartitionState s : order) {
            if (s.tp.topic().equals(t.name()) && t.partition(s.tp.partition()) == null) {
                return s;
            }
        }
        return null;
    }

    /** The known positions of every assigned partition, in assignment order: what a commit stores. */
    Map<TopicPartition, Long> positions() {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (PartitionState s : order) {
            if (s.position >= 0) {
                offsets.put(s.tp, s.position);
            }
        }
        return offsets;
    }

    /** Releases every partition's buffered data (close). */
    void clearBuffers() {
        for (PartitionState s : order) {
            s.clearBuffered();
        }
    }
}
