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
    private final LogScheduler scheduler;
    private final ConsumeRequests consumes;

    Leadership(int brokerId, ReplicationConfig replicationConfig, PartitionTable table, DataDir dataDir,
               LogConfig logConfig, OfflinePartitions offline, LeaderReplication replication,
               FollowerFetchers followers, TopicCreations creations, LogScheduler scheduler,
               ConsumeRequests consumes) {
        this.scheduler = scheduler;
        this.consumes = consumes;
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
        // before any partition of this view opens: directories of topics deleted (or created again) meanwhile
        dataDir.deleteStale(metadata, table::writerOf);
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
                if (p.topicId != TopicInfo.NO_TOPIC_ID && t.topicId() != TopicInfo.NO_TOPIC_ID
                    && p.topicId != t.topicId()) {
                    retire(p, "was deleted and created again (topic id " + p.topicId + " -> " + t.topicId() + ")");
                    p = table.partition(t.name(), info.partition());
                }
                if (p.topicId == TopicInfo.NO_TOPIC_ID) {
                    p.topicId = t.topicId();
                }
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
        // partitions of deleted topics are closed and their directories deleted
        for (Partition p : java.util.List.copyOf(table.all())) {
            Partition[] current = next.get(p.topic);
            if (current != null && p.partition < current.length) {
                continue;
            }
            if (p.topicId > epoch) {
                // created at a later epoch than this view's: a coordinator that lost its state, not a deletion
                LOG.error("broker {}: partition {} (topic id {}) is missing from the cluster view of epoch {}, older "
                    + "than the topic: did the coordinator lose its state? Its log is kept", brokerId, p.name,
                    p.topicId, epoch);
                continue;
            }
            retire(p, "was deleted");
        }
    }

    /**
     * A partition whose topic was deleted: forgotten at once (requests get UNKNOWN_TOPIC, waiting ones are answered,
     * heartbeats stop listing it), its directory renamed on its writer thread (so a partition of a topic created again
     * under the name, bound to the same writer, opens a new one), and its log released and files deleted once
     * {@code file.delete.delay.ms} passed: a reader may still hold buffers viewing its mapped segments, as after
     * retention. Metadata thread.
     */
    private void retire(Partition p, String why) {
        table.forget(p);
        offline.forget(p);
        if (followers != null) {
            followers.unfollow(p);
        }
        replication.resign(p, ErrorCode.UNKNOWN_TOPIC);
        consumes.failWaiters(p);
        p.role = p.role.resigned();
        long delayMs = logConfig.fileDeleteDelayMs() + 1;
        p.onWriter(() -> {
            PartitionLog log = p.log;
            p.failure = "its topic " + why;
            java.nio.file.Path retired;
            try {
                retired = dataDir.retire(p.name);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.error("broker {}: cannot rename the directory of deleted partition {}: {}", brokerId, p.name,
                    e.toString(), e);
                retired = null;
            }
            if (log == null && retired == null) {
                return; // not a replica here: nothing on disk
            }
            LOG.info("broker {}: partition {} {}: log closed to requests, directory renamed to {}; files released "
                + "and deleted in {} ms", brokerId, p.name, why, retired, delayMs);
            java.nio.file.Path toDelete = retired;
            scheduler.later(() -> p.onWriter(() -> {
                if (log != null) {
                    try {
                        log.abandon();
                    } catch (java.io.IOException | RuntimeException e) {
                        LOG.warn("broker {}: releasing the log of deleted partition {}: {}", brokerId, p.name,
                            e.toString());
                    }
                }
                DataDir.deleteTree(toDelete);
                LOG.info("broker {}: partition {} deleted", brokerId, p.name);
            }), delayMs);
        });
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
        PartitionLog open = p.log;
        if (open != null) {
            LogConfig config = logConfigFor(t);
            if (!sameTopicSettings(config, open.config())) {
                p.onWriter(() -> {
                    if (p.log == open && !sameTopicSettings(config, open.config())) {
                        LOG.info("broker {}: partition {} configs changed: segment.bytes {}, segment.ms {}, "
                            + "flush.messages {}, flush.ms {}", brokerId, p.name, config.segmentBytes(),
                            config.segmentMs(), config.flushMessages(), config.flushMs());
                        open.reconfigure(config);
                    }
                });
            }
        }
        if (replica && p.log == null && !p.opening && p.failure == null) {
            p.opening = true;
            LogConfig config = logConfigFor(t);
            long topicId = t.topicId();
            p.onWriter(() -> open(p, config, topicId));
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

    /** Whether the settings a topic may change ({@code segment.*}, {@code flush.*}) are the same. */
    private static boolean sameTopicSettings(LogConfig a, LogConfig b) {
        return a.segmentBytes() == b.segmentBytes() && a.segmentMs() == b.segmentMs()
            && a.flushMessages() == b.flushMessages() && a.flushMs() == b.flushMs();
    }

    /** Writer thread only. */
    private void open(Partition p, LogConfig config, long topicId) {
        if (p.log != null || p.failure != null) {
            return;
        }
        try {
            java.nio.file.Path dir = dataDir.resolve(p.name);
            long stored = DataDir.readTopicId(dir);
            if (stored != TopicInfo.NO_TOPIC_ID && topicId != TopicInfo.NO_TOPIC_ID && stored != topicId) {
                // an older topic of this name, deleted while this broker was down: never served as the new one
                LOG.info("broker {}: partition directory {} belongs to topic id {}, not {}: deleting it", brokerId,
                    dir, stored, topicId);
                DataDir.deleteTree(dataDir.retire(p.name));
            }
            p.log = PartitionLog.open(dir, p.topic, p.partition, config);
            table.logOpened(p);
            if (topicId != TopicInfo.NO_TOPIC_ID && stored != topicId) {
                DataDir.writeTopicId(dir, topicId);
            }
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
