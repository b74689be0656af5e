package io.yak.broker.partition;

import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership changes from the coordinator's cluster views: installs each view in the {@link PartitionTable}, opens
 * the log of every partition this broker is a replica of (on its writer thread, with its topic's configs), and
 * makes each partition led ({@link LeaderReplication#makeLeader}), followed ({@link FollowerFetchers}) or neither.
 *
 * <p>Threads: the metadata thread ({@code yak-coordinator-link}), one view at a time; logs open on their writer
 * threads.
 */
final class Leadership {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final int brokerId;
    private final ReplicationConfig replicationConfig;
    private final PartitionTable table;
    private final DataDir dataDir;
    private final LogConfig logConfig;
    private final OfflinePartitions offline;
    private final LeaderReplication replication;
    /** Pulls the partitions this broker follows; null when it never follows (single-copy tests). */
    private final FollowerFetchers followers;
    private final TopicCreations creations;

    Leadership(int brokerId, ReplicationConfig replicationConfig, PartitionTable table, DataDir dataDir,
               LogConfig logConfig, OfflinePartitions offline, LeaderReplication replication,
               FollowerFetchers followers, TopicCreations creations) {
        this.brokerId = brokerId;
        this.replicationConfig = replicationConfig;
        this.table = table;
        this.dataDir = dataDir;
        this.logConfig = logConfig;
        this.offline = offline;
        this.replication = replication;
        this.followers = followers;
        this.creations = creations;
    }

    /**
     * Applies a newer cluster view: starts leading, or stops leading, partitions. Ignores older epochs. Metadata
     * thread, holding the manager's monitor.
     */
    void onMetadata(ClusterMetadata metadata) {
        if (metadata.epoch() < table.epoch) {
            return;
        }
        table.epoch = metadata.epoch();
        long epoch = table.epoch;
        if (dataDir.needsConfirmation()) {
            dataDir.confirm(metadata, table.writers[0]);
        }
        Map<String, Partition[]> next = new HashMap<>();
        Map<String, TopicInfo> nextTopics = new HashMap<>();
        for (TopicInfo t : metadata.topics()) {
            if (!TopicNames.isValid(t.name())) {
                // The coordinator refuses to create such a name; one in its view is a bug or a damaged store. A
                // partition directory is named after its topic, so it is not served (nor opened) here.
                LOG.warn("broker {}: ignoring topic {} in the cluster view of epoch {}: not a valid topic name",
                    brokerId, LogText.safe(t.name()), epoch);
                continue;
            }
            nextTopics.put(t.name(), t);
            creations.appeared(t.name());
            Partition[] ps = new Partition[t.partitionCount()];
            int topicMinIsr = (int) Math.min(Short.MAX_VALUE,
                t.longConfig(TopicConfigs.MIN_INSYNC_REPLICAS, replicationConfig.minInsyncReplicas()));
            for (PartitionInfo info : t.partitions()) {
                Partition p = table.partition(t.name(), info.partition());
                ps[info.partition()] = p;
                applyState(p, t, info, topicMinIsr);
            }
            next.put(t.name(), ps);
        }
        Map<Integer, BrokerInfo> nextBrokers = new HashMap<>();
        for (BrokerInfo b : metadata.brokers()) {
            nextBrokers.put(b.id(), b);
        }
        table.install(nextBrokers, nextTopics, next);
        // partitions of deleted topics, or that moved away from this broker, are no longer followed
        for (Partition p : table.all()) {
            Partition[] current = next.get(p.topic);
            if (followers != null && (current == null || p.partition >= current.length)) {
                followers.unfollow(p);
            }
        }
    }

    /**
     * Applies the coordinator's state of one partition: leads it (a new leader epoch starts a new follower
     * bookkeeping), follows its leader, or neither. Metadata thread.
     */
    private void applyState(Partition p, TopicInfo t, PartitionInfo info, int topicMinIsr) {
        Partition.Role role = p.role;
        PartitionInfo before = role.info();
        if (before != null && (info.leaderEpoch() < before.leaderEpoch()
            || (info.leaderEpoch() == before.leaderEpoch() && info.partitionEpoch() < before.partitionEpoch()))) {
            return; // an ALTER_ISR answer already gave a newer state than this view
        }
        int minIsr = Math.max(1, Math.min(topicMinIsr, info.replicas().size()));
        boolean replica = info.isReplica(brokerId);
        boolean leads = info.leader() == brokerId;
        if (leads != role.leader() || (leads && info.leaderEpoch() != role.leaderEpoch())
            || (!leads && replica && before != null && before.leader() != info.leader())) {
            LOG.info("broker {}: partition {} leader {} (leader epoch {}, replicas {}, isr {}, cluster epoch {}): {}",
                brokerId, p.name, info.leader() < 0 ? "none" : info.leader(), info.leaderEpoch(), info.replicas(),
                info.isr(), table.epoch, leads ? "leading it" : replica && info.leader() >= 0 ? "following it"
                    : "not leading it");
        } else if (before != null && !before.isr().equals(info.isr())) {
            LOG.info("broker {}: partition {} isr {} -> {} (leader {}, partition epoch {})", brokerId, p.name,
                before.isr(), info.isr(), info.leader(), info.partitionEpoch());
        }
        if (dataDir.isMissing(p.name) && p.log == null && !p.opening && p.failure == null) {
            offline.markOffline(p, "its log is missing from data.dir (empty, no " + DataDir.META_FILE + ")");
        }
        if (replica && p.log == null && !p.opening && p.failure == null) {
            p.opening = true;
            LogConfig config = logConfigFor(t);
            p.onWriter(() -> open(p, config));
        }
        if (leads) {
            if (followers != null) {
                followers.unfollow(p);
            }
            if (!role.leader() || info.leaderEpoch() != role.leaderEpoch()) {
                // the old term's waiting publishes and fetches are answered before the new term begins
                replication.resign(p, ErrorCode.NOT_LEADER);
                p.role = new Partition.Role(true, info.leaderEpoch(), info, minIsr);
                p.onWriter(() -> replication.makeLeader(p, info));
            } else {
                p.role = new Partition.Role(true, role.leaderEpoch(), info, minIsr);
                replication.update(p, info);
            }
            return;
        }
        // not leading from now on, then what the old leadership left waiting is answered
        p.role = new Partition.Role(false, info.leaderEpoch(), info, minIsr);
        replication.resign(p, ErrorCode.NOT_LEADER);
        if (followers == null) {
            return;
        }
        if (replica && info.leader() >= 0 && p.failure == null && !dataDir.isMissing(p.name)) {
            followers.follow(p, info.leader(), info.leaderEpoch());
        } else {
            followers.unfollow(p);
        }
    }

    /** The broker's log settings with the topic's own {@code segment.*} and {@code flush.*} configs applied. */
    private LogConfig logConfigFor(TopicInfo topic) {
        LogConfig c = logConfig;
        c = c.withSegmentBytes((int) topic.longConfig("segment.bytes", c.segmentBytes()));
        c = c.withSegmentMs(topic.longConfig("segment.ms", c.segmentMs()));
        c = c.withFlushMessages(topic.longConfig("flush.messages", c.flushMessages()));
        return c.withFlushMs(topic.longConfig("flush.ms", c.flushMs()));
    }

    /** Writer thread only. */
    private void open(Partition p, LogConfig config) {
        if (p.log != null || p.failure != null) {
            return;
        }
        try {
            p.log = PartitionLog.open(dataDir.resolve(p.name), p.topic, p.partition, config);
            LOG.info("broker {}: partition {} opened, offsets {}..{}", brokerId, p.name, p.log.logStartOffset(),
                p.log.logEndOffset());
        } catch (IOException | RuntimeException | InternalError e) {
            // InternalError: a fault on mapped memory while recovering (an I/O error, a full tmpfs)
            LOG.error("broker {}: partition {} is offline: its log cannot be opened: {}", brokerId, p.name,
                e.getMessage(), e);
            offline.markOffline(p, "its log cannot be opened: " + OfflinePartitions.reason(e));
        } finally {
            p.opening = false;
        }
    }
}
