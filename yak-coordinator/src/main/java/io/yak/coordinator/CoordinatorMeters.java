package io.yak.coordinator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.yak.coordinator.cluster.LeadershipCounts;
import io.yak.coordinator.group.GroupCoordinator;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The coordinator's view of the cluster as meters ({@code METRICS.md}): brokers alive and dead, topics and
 * partitions (offline, under-replicated) from the published cluster view, leader and ISR changes, consumer groups,
 * their members and rebalances ({@link GroupLagMeters} has each group's lag). Everything is read from state the state thread publishes, never from its own.
 * Gauges of the view hold their supplier strongly: Micrometer keeps a gauge's object weakly, and the supplier has no
 * other owner.
 */
final class CoordinatorMeters {
    private CoordinatorMeters() {
    }

    static void register(MeterRegistry registry, Supplier<ClusterMetadata> view, LeadershipCounts changes,
                         GroupCoordinator groups) {
        Gauge.builder("yak.coordinator.brokers", view, v -> brokers(v.get(), true)).tag("state", "alive")
            .description("registered brokers, by whether they heartbeat in time").strongReference(true).register(registry);
        Gauge.builder("yak.coordinator.brokers", view, v -> brokers(v.get(), false)).tag("state", "dead")
            .description("registered brokers, by whether they heartbeat in time").strongReference(true).register(registry);
        Gauge.builder("yak.coordinator.topics", view, v -> v.get().topics().size())
            .description("topics").strongReference(true).register(registry);
        Gauge.builder("yak.coordinator.partitions", view, v -> partitions(v.get(), p -> true))
            .description("partitions of all topics").strongReference(true).register(registry);
        Gauge.builder("yak.coordinator.partitions.offline", view,
                v -> partitions(v.get(), p -> p.leader() == PartitionInfo.NO_LEADER))
            .description("partitions without a leader").strongReference(true).register(registry);
        Gauge.builder("yak.coordinator.partitions.under.replicated", view,
                v -> partitions(v.get(), p -> p.isr().size() < p.replicas().size()))
            .description("partitions with fewer in-sync replicas than replicas").strongReference(true)
            .register(registry);
        FunctionCounter.builder("yak.coordinator.leader.elections", changes, LeadershipCounts::leaderChanges)
            .description("leaders chosen: first leaders of new partitions, new leaders or leader epochs")
            .register(registry);
        FunctionCounter.builder("yak.coordinator.unclean.elections", changes, LeadershipCounts::uncleanElections)
            .description("leaders elected outside the ISR (unclean.leader.election.enable)").register(registry);
        FunctionCounter.builder("yak.coordinator.isr.changes", changes, LeadershipCounts::isrShrinks)
            .tag("change", "shrink").description("ISR shrinks and expands").register(registry);
        FunctionCounter.builder("yak.coordinator.isr.changes", changes, LeadershipCounts::isrExpands)
            .tag("change", "expand").description("ISR shrinks and expands").register(registry);
        Gauge.builder("yak.coordinator.groups", groups, GroupCoordinator::groupsSeen)
            .description("consumer groups with members").register(registry);
        Gauge.builder("yak.coordinator.group.members", groups, GroupCoordinator::membersSeen)
            .description("members of all consumer groups").register(registry);
        FunctionCounter.builder("yak.coordinator.group.rebalances", groups, GroupCoordinator::generationsFormed)
            .description("consumer group generations formed (completed rebalances)").register(registry);
    }

    private static int brokers(ClusterMetadata m, boolean alive) {
        int n = 0;
        for (BrokerInfo b : m.brokers()) {
            if (b.alive() == alive) {
                n++;
            }
        }
        return n;
    }

    private static int partitions(ClusterMetadata m, Predicate<PartitionInfo> which) {
        int n = 0;
        for (TopicInfo t : m.topics()) {
            for (PartitionInfo p : t.partitions()) {
                if (which.test(p)) {
                    n++;
                }
            }
        }
        return n;
    }
}
