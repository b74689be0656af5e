package io.yak.broker.partition;

import io.yak.broker.log.PartitionLog;
import io.yak.wire.message.PartitionRef;
import java.util.List;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker cannot serve until it restarts (a log that cannot be opened, a corrupt batch found, a
 * log whose write failed), which the coordinator link sends with every heartbeat so the coordinator takes them
 * offline. Any thread.
 */
final class OfflinePartitions {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final int brokerId;
    /** Partitions this broker cannot serve until it restarts, by name; changed only under its own lock. */
    private final TreeMap<String, PartitionRef> offline = new TreeMap<>();
    /** {@link #offline} as an immutable list, replaced whenever it changes: what each heartbeat sends. */
    private volatile List<PartitionRef> offlineList = List.of();

    OfflinePartitions(int brokerId) {
        this.brokerId = brokerId;
    }

    /**
     * Takes {@code p} offline for good on this broker (until it restarts and reopens the log) and adds it to the
     * partitions every heartbeat lists as ones this broker cannot serve. Any thread; idempotent, the first reason
     * stays.
     */
    void markOffline(Partition p, String why) {
        synchronized (offline) {
            if (p.failure == null) {
                p.failure = why;
            }
            if (offline.containsKey(p.name)) {
                return;
            }
            offline.put(p.name, new PartitionRef(p.topic, p.partition));
            offlineList = List.copyOf(offline.values());
        }
        LOG.info("broker {}: telling the coordinator it cannot serve partition {} ({}), so that it shows the "
            + "partition offline until this broker restarts with the log repaired", brokerId, p.name, why);
    }

    /** Forgets {@code p} (its topic was deleted): heartbeats no longer list it. Any thread. */
    void forget(Partition p) {
        synchronized (offline) {
            if (offline.remove(p.name) != null) {
                offlineList = List.copyOf(offline.values());
            }
        }
    }

    /** Writer thread only. A log that failed refuses appends until it is reopened, which only a restart does. */
    void offlineIfFailed(Partition p, PartitionLog log, Exception e) {
        if (log != null && log.failed()) {
            markOffline(p, "its log failed: " + reason(e));
        }
    }

    static String reason(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /**
     * The partitions this broker cannot serve, sorted by name: sent with every heartbeat. An immutable list, the
     * same instance until it changes, so a heartbeat copies nothing. Any thread.
     */
    List<PartitionRef> list() {
        return offlineList;
    }
}
