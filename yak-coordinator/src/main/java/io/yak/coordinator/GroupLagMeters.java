package io.yak.coordinator;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.console.BrokerReports;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionStats;
import io.yak.wire.message.TopicInfo;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code yak.coordinator.group.lag}: per group and committed partition, the partition's high watermark (from its
 * leader's latest report) minus the committed offset. A gauge is registered when its partition first has both, kept
 * and updated in place, and removed when the commit or the report is gone; at most {@link #MAX_SERIES} of them, as
 * any client can commit offsets for groups of its choosing.
 *
 * <p>State thread only; the gauges are read by scrapes from any thread.
 */
final class GroupLagMeters {
    static final int MAX_SERIES = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(GroupLagMeters.class);

    private record Series(AtomicLong lag, Gauge gauge) {
    }

    private final MeterRegistry registry;
    private final Map<String, Series> series = new HashMap<>();
    private boolean warnedFull;

    GroupLagMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    void update(ClusterState state, BrokerReports reports) {
        ClusterMetadata m = state.metadata();
        Map<String, TopicInfo> topics = new HashMap<>();
        for (TopicInfo t : m.topics()) {
            topics.put(t.name(), t);
        }
        Set<String> current = new HashSet<>();
        for (String group : state.groupsWithOffsets()) {
            for (CoordinatorSnapshot.CommittedOffset o : state.committedOffsets(group)) {
                TopicInfo t = topics.get(o.topic());
                if (t == null || o.partition() >= t.partitions().size()) {
                    continue;
                }
                PartitionStats s = reports.stats(t.partitions().get(o.partition()).leader(), o.topic(), o.partition());
                if (s == null) {
                    continue;
                }
                String key = group + '\u0000' + o.topic() + '\u0000' + o.partition();
                Series entry = series.get(key);
                if (entry == null) {
                    if (series.size() >= MAX_SERIES) {
                        if (!warnedFull) {
                            warnedFull = true;
                            LOG.warn("yak.coordinator.group.lag has {} series, its bound: partitions of further "
                                + "groups get none", MAX_SERIES);
                        }
                        continue;
                    }
                    AtomicLong lag = new AtomicLong();
                    Gauge g = Gauge.builder("yak.coordinator.group.lag", lag, AtomicLong::get)
                        .tags("group", group, "topic", o.topic(), "partition", Integer.toString(o.partition()))
                        .description("records a group has not committed yet: the partition's high watermark (from "
                            + "its leader's latest report) minus the group's committed offset")
                        .register(registry);
                    entry = new Series(lag, g);
                    series.put(key, entry);
                }
                entry.lag().set(Math.max(0, s.highWatermark() - o.offset()));
                current.add(key);
            }
        }
        for (Iterator<Map.Entry<String, Series>> it = series.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Series> e = it.next();
            if (!current.contains(e.getKey())) {
                registry.remove(e.getValue().gauge());
                it.remove();
            }
        }
    }
}
