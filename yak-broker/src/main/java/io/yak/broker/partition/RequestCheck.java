package io.yak.broker.partition;

import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a client request (publish, consume, list offsets) for a partition can be served here (and
 * whether a read's leader epoch is this leader's), and asks the coordinator to create a topic a request names when
 * {@code auto.create.topics} is on. Event loops.
 */
final class RequestCheck {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);
    /** {@code current_leader_epoch} of a client that does not know it ({@code WIRE.md}): not checked. */
    static final int NO_LEADER_EPOCH = -1;

    private final int brokerId;
    private final PartitionTable table;
    private final boolean autoCreateTopics;
    private final int numPartitions;
    private final BiConsumer<String, Integer> topicCreator;
    /** Topics asked to be auto-created and not seen in a cluster view yet (bounded, issue 19). */
    private final TopicCreations creations;

    RequestCheck(int brokerId, PartitionTable table, boolean autoCreateTopics, int numPartitions,
                 BiConsumer<String, Integer> topicCreator, TopicCreations creations) {
        this.brokerId = brokerId;
        this.table = table;
        this.autoCreateTopics = autoCreateTopics;
        this.numPartitions = numPartitions;
        this.topicCreator = topicCreator;
        this.creations = creations;
    }

    /**
     * As {@link #check(String, int, Partition)}, then, for a partition this broker leads, the request's
     * {@code currentLeaderEpoch} against the partition's ({@link #leaderEpochError}) unless it is
     * {@link #NO_LEADER_EPOCH}: a consume or list offsets from a client whose view names another leader is fenced
     * before anything is read (Kafka's KIP-320).
     */
    ErrorCode check(String topic, int partition, Partition p, int currentLeaderEpoch) {
        ErrorCode error = check(topic, partition, p);
        if (error != ErrorCode.NONE || currentLeaderEpoch == NO_LEADER_EPOCH) {
            return error;
        }
        return leaderEpochError(currentLeaderEpoch, p.role.leaderEpoch());
    }

    /**
     * FENCED_LEADER_EPOCH when a request names an older leader epoch than the leader's own (the sender's view is
     * stale), UNKNOWN_LEADER_EPOCH for a newer one (this broker has not learned it yet), else NONE. The one fencing
     * rule of replica fetches and client reads.
     */
    static ErrorCode leaderEpochError(int requestEpoch, int leaderEpoch) {
        if (requestEpoch < leaderEpoch) {
            return ErrorCode.FENCED_LEADER_EPOCH;
        }
        if (requestEpoch > leaderEpoch) {
            return ErrorCode.UNKNOWN_LEADER_EPOCH;
        }
        return ErrorCode.NONE;
    }

    /** {@code p} is {@link PartitionTable#lookup}'s answer for {@code topic} and {@code partition}. */
    ErrorCode check(String topic, int partition, Partition p) {
        if (p == null) {
            Partition[] ps = table.topicPartitions(topic);
            if (ps == null) {
                if (!TopicNames.isValid(topic)) {
                    // Not a topic at all: neither created, nor logged as one (issue 19: a name holding a newline
                    // forged a log line), nor a place among the creations asked for.
                    return ErrorCode.INVALID_TOPIC;
                }
                if (table.epoch == 0) {
                    // no cluster view yet (a restart, before the registration is answered): an existing topic is
                    // not known yet either, so nothing is created; the client refreshes its metadata and retries
                    return ErrorCode.NOT_LEADER;
                }
                if (autoCreateTopics && creations.claim(topic)) {
                    LOG.info("broker {}: asking the coordinator to create topic {} ({} partitions)", brokerId,
                        LogText.safe(topic), numPartitions);
                    topicCreator.accept(topic, numPartitions);
                }
                return ErrorCode.UNKNOWN_TOPIC;
            }
            return ErrorCode.UNKNOWN_PARTITION;
        }
        if (!p.role.leader()) {
            return ErrorCode.NOT_LEADER;
        }
        if (p.failure != null) {
            return ErrorCode.STORAGE_ERROR;
        }
        if (p.log == null) {
            return ErrorCode.PARTITION_OFFLINE;
        }
        if (p.replicas == null) {
            return ErrorCode.NOT_LEADER; // becoming leader: the writer is about to start the leader epoch
        }
        return ErrorCode.NONE;
    }
}
