package io.yak.broker.partition;

import io.yak.wire.ErrorCode;
import io.yak.wire.config.TopicNames;
import io.yak.wire.log.LogText;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a client request (publish, consume, list offsets) for a partition can be served here, and asks
 * the coordinator to create a topic a request names when {@code auto.create.topics} is on. Event loops.
 */
final class RequestCheck {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

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
        if (!p.leader) {
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
