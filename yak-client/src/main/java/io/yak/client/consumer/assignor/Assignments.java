package io.yak.client.consumer.assignor;

import io.yak.client.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** What the assignors share: empty results, members per topic, the partitions to give out, in a fixed order. */
final class Assignments {
    static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
        .thenComparingInt(TopicPartition::partition);

    private Assignments() {
    }

    /** An empty, mutable list for every member, in id order. */
    static Map<String, List<TopicPartition>> empty(Map<String, Subscription> subscriptions) {
        Map<String, List<TopicPartition>> out = new TreeMap<>();
        for (String member : subscriptions.keySet()) {
            out.put(member, new ArrayList<>());
        }
        return out;
    }

    /** Per subscribed topic (name order), its members in id order. */
    static Map<String, List<String>> membersByTopic(Map<String, Subscription> subscriptions) {
        Map<String, List<String>> out = new TreeMap<>();
        for (String member : new TreeSet<>(subscriptions.keySet())) {
            for (String topic : new TreeSet<>(subscriptions.get(member).topics())) {
                out.computeIfAbsent(topic, t -> new ArrayList<>()).add(member);
            }
        }
        return out;
    }

    /** Every partition of the topics some member subscribes to that exist, in (topic, partition) order. */
    static List<TopicPartition> allPartitions(Map<String, Integer> partitionsPerTopic,
                                              Map<String, Subscription> subscriptions) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : membersByTopic(subscriptions).keySet()) {
            Integer partitions = partitionsPerTopic.get(topic);
            for (int p = 0; partitions != null && p < partitions; p++) {
                out.add(new TopicPartition(topic, p));
            }
        }
        return out;
    }
}
