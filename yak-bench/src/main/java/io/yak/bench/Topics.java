package io.yak.bench;

import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.wire.ErrorCode;

/** Creates or looks up the topics a workload uses, through the coordinator. */
final class Topics {
    private Topics() {
    }

    /**
     * A topic as a workload finds it.
     *
     * @param partitionCount its actual partition count
     * @param note           one line for the reader when that differs from what was asked, else null
     */
    record Found(int partitionCount, String note) {
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions replicated as {@code replication} says, or uses it as
     * it is when it exists.
     */
    static Found ensure(String bootstrap, String topic, int partitions, WorkloadSpec.Replication replication) {
        try (YakAdmin admin = YakAdmin.connect(bootstrap)) {
            try {
                int created = admin.createTopic(topic, partitions, replication.replicationFactor(),
                    replication.topicConfigs()).partitionCount();
                if (created > 0) {
                    return new Found(created, created == partitions ? null : String.format(
                        "note: topic %s created with %d partitions (asked for %d)", topic, created, partitions));
                }
            } catch (YakException e) {
                if (e.errorCode() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                    throw e;
                }
            }
            int existing = admin.describeTopic(topic).partitionCount();
            return new Found(existing, existing == partitions ? null : String.format(
                "note: topic %s exists with %d partitions (asked for %d); using it as it is", topic, existing,
                partitions));
        }
    }
}
