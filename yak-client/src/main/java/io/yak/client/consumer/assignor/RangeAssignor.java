package io.yak.client.consumer.assignor;

import io.yak.client.TopicPartition;
import java.util.List;
import java.util.Map;

/**
 * Kafka's {@code range}: per topic, the members subscribed to it, in id order, get consecutive ranges of its
 * partitions; the first {@code partitions % members} get one more. Co-partitioned topics line up: partition p of
 * every topic goes to the same member.
 */
public final class RangeAssignor implements PartitionAssignor {
    public static final String NAME = "range";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic,
                                                    Map<String, Subscription> subscriptions) {
        Map<String, List<TopicPartition>> out = Assignments.empty(subscriptions);
        for (Map.Entry<String, List<String>> e : Assignments.membersByTopic(subscriptions).entrySet()) {
            Integer partitions = partitionsPerTopic.get(e.getKey());
            if (partitions == null) {
                continue;
            }
            List<String> members = e.getValue();
            int each = partitions / members.size();
            int extra = partitions % members.size();
            int next = 0;
            for (int i = 0; i < members.size(); i++) {
                int count = each + (i < extra ? 1 : 0);
                for (int p = next; p < next + count; p++) {
                    out.get(members.get(i)).add(new TopicPartition(e.getKey(), p));
                }
                next += count;
            }
        }
        return out;
    }
}
