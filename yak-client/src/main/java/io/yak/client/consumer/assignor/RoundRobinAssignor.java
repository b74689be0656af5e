package io.yak.client.consumer.assignor;

import io.yak.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Kafka's {@code roundrobin}: every partition of every subscribed topic, in (topic, partition) order, goes to the
 * next member in id order that subscribes to its topic.
 */
public final class RoundRobinAssignor implements PartitionAssignor {
    public static final String NAME = "roundrobin";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic,
                                                    Map<String, Subscription> subscriptions) {
        Map<String, List<TopicPartition>> out = Assignments.empty(subscriptions);
        List<String> members = new ArrayList<>(new TreeSet<>(subscriptions.keySet()));
        if (members.isEmpty()) {
            return out;
        }
        int cursor = 0;
        for (TopicPartition tp : Assignments.allPartitions(partitionsPerTopic, subscriptions)) {
            for (int tried = 0; tried < members.size(); tried++) {
                String member = members.get(cursor);
                cursor = (cursor + 1) % members.size();
                if (subscriptions.get(member).topics().contains(tp.topic())) {
                    out.get(member).add(tp);
                    break;
                }
            }
        }
        return out;
    }
}
