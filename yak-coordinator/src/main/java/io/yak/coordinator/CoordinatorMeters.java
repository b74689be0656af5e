package io.yak.coordinator;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.cluster.LeadershipCounts;
import io.yak.coordinator.console.BrokerReports;
import io.yak.coordinator.group.GroupCoordinator;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionStats;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The coordinator's view of the cluster as meters ({@code METRICS.md}): brokers alive and dead, topics and
 * partitions (offline, under-replicated) from the published cluster view, leader and ISR changes, consumer groups,
 * their members and rebalances, and each group's lag per partition. Everything is read from state the state thread publishes, never from its own.
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

    /** The gauge of each group's lag per partition, whose rows {@link #updateLag} replaces. */
    static MultiGauge registerLag(MeterRegistry registry) {
        return MultiGauge.builder("yak.coordinator.group.lag")
            .description("records a group has not committed yet: the partition's high watermark (from its leader's "
                + "latest report) minus the group's committed offset")
            .register(registry);
    }

    /** Replaces the lag rows with the groups' committed offsets against the leaders' reports; state thread. */
    static void updateLag(MultiGauge lag, ClusterState state, BrokerReports reports) {
        ClusterMetadata m = state.metadata();
        Map<String, TopicInfo> topics = new HashMap<>();
        for (TopicInfo t : m.topics()) {
            topics.put(t.name(), t);
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (String group : state.groupsWithOffsets()) {
            for (CoordinatorSnapshot.CommittedOffset o : state.committedOffsets(group)) {
                TopicInfo t = topics.get(o.topic());
                if (t == null || o.partition() >= t.partitions().size()) {
                    continue;
                }
                PartitionStats s = reports.stats(t.partitions().get(o.partition()).leader(), o.topic(), o.partition());
                if (s != null) {
                    rows.add(MultiGauge.Row.of(Tags.of("group", group, "topic", o.topic(), "partition",
                        Integer.toString(o.partition())), Math.max(0, s.highWatermark() - o.offset())));
                }
            }
        }
        lag.register(rows, true);
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
