package io.yak.coordinator.cluster;

import io.yak.wire.log.LogText;
import io.yak.wire.message.PartitionRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what a live broker lists in every heartbeat: the partitions it holds a replica of that it cannot serve, and
 * tells the {@link BrokerLifecycle} which of them are newly listed ({@link ReplicationControl} applies the
 * broker-death rule to each, for that partition only) and which are no longer listed (each may be led by it again).
 * Entries naming no partition of that broker (an unknown topic, a partition out of range, one it is not a replica
 * of) are ignored and logged at WARN, at most every {@value #IGNORED_REPORT_WARN_INTERVAL_MS} ms while the same ones
 * repeat (a broker sends its list with every heartbeat); the repeats in between go to DEBUG and are counted in the
 * next WARN.
 *
 * <p>Not thread-safe: called only by {@link BrokerLifecycle}, on the thread that owns the {@link ClusterState}.
 */
final class OfflineReports {
    /** A heartbeat listing partitions not assigned to its broker, again and again, is logged this often. */
    static final long IGNORED_REPORT_WARN_INTERVAL_MS = 30_000;
    /** Ignored heartbeat entries named in one log line; the rest are counted. */
    static final int MAX_IGNORED_LOGGED = 10;

    private static final Logger LOG = LoggerFactory.getLogger(OfflineReports.class);

    /**
     * What changed in a broker's list.
     *
     * @param listed   partitions listed now and not before
     * @param unlisted partitions listed before and not now
     */
    record Change(List<PartitionRef> listed, List<PartitionRef> unlisted) {
        static final Change NONE = new Change(List.of(), List.of());

        boolean isEmpty() {
            return listed.isEmpty() && unlisted.isEmpty();
        }
    }

    private OfflineReports() {
    }

    /**
     * Takes broker {@code b}'s whole current list as its view ({@link BrokerEntry#offline}) and says what changed.
     * Allocates nothing for the usual heartbeat (an empty list from a broker that listed nothing before).
     *
     * @param offlinePartitions the partitions it cannot serve, in any order, repeats allowed
     */
    static Change apply(BrokerEntry b, List<PartitionRef> offlinePartitions, PartitionStates topics, long nowMs) {
        if (offlinePartitions.isEmpty() && b.offline.isEmpty()) {
            b.ignoredReport = null; // entries ignored before are gone: if they come back, warn again
            return Change.NONE; // the usual heartbeat: nothing to compare, nothing allocated
        }
        Set<PartitionRef> reported = new LinkedHashSet<>();
        List<String> ignored = new ArrayList<>();
        int ignoredCount = 0;
        for (PartitionRef ref : offlinePartitions) {
            String problem = notAReplica(b, ref, topics);
            if (problem == null) {
                reported.add(ref);
            } else if (ignoredCount++ < MAX_IGNORED_LOGGED) {
                // the topic may be anything the broker sent: escaped, as every peer-supplied string in a log line
                ignored.add(LogText.safe(ref.topic()) + "-" + ref.partition() + " (" + problem + ")");
            }
        }
        warnIgnored(b, ignored, ignoredCount, nowMs);
        if (reported.equals(b.offline)) {
            return Change.NONE;
        }
        List<PartitionRef> listed = new ArrayList<>();
        for (PartitionRef ref : reported) {
            if (!b.offline.contains(ref)) {
                listed.add(ref);
            }
        }
        List<PartitionRef> unlisted = new ArrayList<>();
        for (PartitionRef ref : b.offline) {
            if (!reported.contains(ref)) {
                unlisted.add(ref);
            }
        }
        b.offline = Collections.unmodifiableSet(reported);
        LOG.info("broker {} reports {} partition(s) it cannot serve {}: newly listed {}, no longer listed {}", b.id,
            reported.size(), reported, listed, unlisted);
        return new Change(listed, unlisted);
    }

    /** Why {@code ref} is not a partition broker {@code b} holds a replica of, or null when it is. */
    private static String notAReplica(BrokerEntry b, PartitionRef ref, PartitionStates topics) {
        TopicEntry t = topics.get(ref.topic());
        if (t == null) {
            return "unknown topic";
        }
        if (ref.partition() < 0 || ref.partition() >= t.partitionCount()) {
            return "topic " + t.name + " has partitions 0.." + (t.partitionCount() - 1);
        }
        PartitionState s = t.partition(ref.partition());
        return s.isReplica(b.id) ? null : "its replicas are brokers " + PartitionStates.ids(s.replicas());
    }

    /**
     * Logs ignored entries at WARN the first time, and again at most every {@value #IGNORED_REPORT_WARN_INTERVAL_MS}
     * ms while the broker keeps listing the same ones; the repeats in between go to DEBUG, counted in the next WARN.
     *
     * @param ignored the first {@value #MAX_IGNORED_LOGGED} ignored entries, each with the reason, escaped
     * @param count   how many entries were ignored in all
     */
    private static void warnIgnored(BrokerEntry b, List<String> ignored, int count, long nowMs) {
        if (count == 0) {
            b.ignoredReport = null;
            return;
        }
        String listed = ignored + (count > ignored.size() ? " and " + (count - ignored.size()) + " more" : "");
        if (listed.equals(b.ignoredReport) && nowMs - b.ignoredWarnedMs < IGNORED_REPORT_WARN_INTERVAL_MS) {
            b.ignoredNotWarned++;
            LOG.debug("broker {} again lists as partitions it cannot serve {}, which are not its own: ignored", b.id,
                listed);
            return;
        }
        boolean repeated = listed.equals(b.ignoredReport);
        LOG.warn("broker {} lists as partitions it cannot serve {}, which are not its own: ignoring them{}", b.id,
            listed, repeated ? " (listed " + b.ignoredNotWarned + " more time(s) since the last warning; logged at "
                + "most every " + IGNORED_REPORT_WARN_INTERVAL_MS / 1000 + " s)" : "");
        b.ignoredReport = listed;
        b.ignoredWarnedMs = nowMs;
        b.ignoredNotWarned = 0;
    }
}
