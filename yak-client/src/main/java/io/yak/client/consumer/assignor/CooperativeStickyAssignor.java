package io.yak.client.consumer.assignor;

import io.yak.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Kafka's {@code cooperative-sticky} (KIP-429): as balanced as the subscriptions allow (members subscribed to the
 * same topics differ by at most one partition) while moving as few partitions as it can. Members keep what they
 * own, unowned partitions go to the least loaded member subscribed to their topic, then partitions move one at a
 * time from the most to the least loaded member that may take them until no move narrows the gap. A partition that
 * changes owner is left out of this generation's result: its old owner revokes it, keeps consuming the rest, and
 * the follow-up rebalance gives it to the new owner.
 */
public final class CooperativeStickyAssignor implements PartitionAssignor {
    public static final String NAME = "cooperative-sticky";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean cooperative() {
        return true;
    }

    @Override
    public Map<String, List<TopicPartition>> assign(Map<String, Integer> partitionsPerTopic,
                                                    Map<String, Subscription> subscriptions) {
        Map<String, List<TopicPartition>> target = balance(partitionsPerTopic, subscriptions);
        Map<TopicPartition, String> previous = previousOwners(partitionsPerTopic, subscriptions);
        for (Map.Entry<String, List<TopicPartition>> e : target.entrySet()) {
            String member = e.getKey();
            e.getValue().removeIf(tp -> previous.containsKey(tp) && !previous.get(tp).equals(member));
        }
        return target;
    }

    /** The sticky, balanced assignment before the cooperative hold-back. */
    static Map<String, List<TopicPartition>> balance(Map<String, Integer> partitionsPerTopic,
                                                     Map<String, Subscription> subscriptions) {
        Map<String, List<TopicPartition>> out = Assignments.empty(subscriptions);
        Map<TopicPartition, String> previous = previousOwners(partitionsPerTopic, subscriptions);
        Set<TopicPartition> taken = new HashSet<>();
        for (TopicPartition tp : Assignments.allPartitions(partitionsPerTopic, subscriptions)) {
            String owner = previous.get(tp);
            if (owner != null) {
                out.get(owner).add(tp);
                taken.add(tp);
            }
        }
        for (TopicPartition tp : Assignments.allPartitions(partitionsPerTopic, subscriptions)) {
            if (!taken.contains(tp)) {
                out.get(leastLoaded(out, subscriptions, tp.topic())).add(tp);
            }
        }
        // Each move takes a partition from a member with at least two more than the taker: the sum of squared
        // counts falls, so this ends.
        while (moveOne(out, subscriptions)) {
            // keep moving
        }
        for (List<TopicPartition> l : out.values()) {
            l.sort(Assignments.ORDER);
        }
        return out;
    }

    private static String leastLoaded(Map<String, List<TopicPartition>> out, Map<String, Subscription> subscriptions,
                                      String topic) {
        String best = null;
        for (Map.Entry<String, List<TopicPartition>> e : out.entrySet()) { // id order: ties go to the first
            if (subscriptions.get(e.getKey()).topics().contains(topic)
                && (best == null || e.getValue().size() < out.get(best).size())) {
                best = e.getKey();
            }
        }
        return best;
    }

    /** Moves one partition from the most loaded member to the least loaded one that may take it, if that helps. */
    private static boolean moveOne(Map<String, List<TopicPartition>> out, Map<String, Subscription> subscriptions) {
        List<String> byLoad = new ArrayList<>(out.keySet());
        byLoad.sort((a, b) -> out.get(b).size() != out.get(a).size() ? out.get(b).size() - out.get(a).size()
            : a.compareTo(b));
        for (String heavy : byLoad) {
            List<TopicPartition> owned = new ArrayList<>(out.get(heavy));
            owned.sort(Assignments.ORDER.reversed()); // give away the last partitions first
            for (TopicPartition tp : owned) {
                String light = leastLoaded(out, subscriptions, tp.topic());
                if (light != null && out.get(heavy).size() - out.get(light).size() > 1) {
                    out.get(heavy).remove(tp);
                    out.get(light).add(tp);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Who owned each existing partition in the generation before, when that member still subscribes to its topic;
     * a partition claimed by two members (one missed a rebalance) stays with the one of the newer generation.
     */
    static Map<TopicPartition, String> previousOwners(Map<String, Integer> partitionsPerTopic,
                                                     Map<String, Subscription> subscriptions) {
        Map<TopicPartition, String> owners = new HashMap<>();
        for (String member : new TreeSet<>(subscriptions.keySet())) {
            Subscription s = subscriptions.get(member);
            for (TopicPartition tp : s.ownedPartitions()) {
                Integer partitions = partitionsPerTopic.get(tp.topic());
                if (partitions == null || tp.partition() >= partitions || !s.topics().contains(tp.topic())) {
                    continue;
                }
                String other = owners.get(tp);
                if (other == null || subscriptions.get(other).generation() < s.generation()) {
                    owners.put(tp, member);
                }
            }
        }
        return owners;
    }
}
