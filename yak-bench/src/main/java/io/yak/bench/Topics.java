package io.yak.bench;

import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.TopicInfo;
import java.io.PrintWriter;

/** Creates or looks up the topics a workload uses, through the coordinator. */
final class Topics {
    private Topics() {
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions, or uses it as it is when it exists (saying so when its
     * partition count differs).
     *
     * @return its partition count
     */
    static int ensure(String bootstrap, String topic, int partitions, PrintWriter out) {
        try (YakAdmin admin = YakAdmin.connect(bootstrap)) {
            try {
                int created = admin.createTopic(topic, partitions).partitionCount();
                if (created > 0) {
                    return created;
                }
            } catch (YakException e) {
                if (e.errorCode() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                    throw e;
                }
            }
            TopicInfo existing = admin.describeTopic(topic);
            if (existing.partitionCount() != partitions) {
                out.printf("note: topic %s exists with %d partitions (asked for %d); using it as it is%n", topic,
                    existing.partitionCount(), partitions);
            }
            return existing.partitionCount();
        }
    }
}
