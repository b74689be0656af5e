package io.yak.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.broker.log.LogConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted broker gets requests before the coordinator's first answer: it cannot tell an unknown topic from one it
 * has not learned yet, so it neither asks for it to be created nor calls it unknown.
 */
class PartitionManagerFirstViewTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeitherCreateNorCallUnknownATopicBeforeTheFirstClusterView() {
        List<String> asked = new CopyOnWriteArrayList<>();
        PartitionManager pm = new PartitionManager(2, dir, LogConfig.defaults(), 1, true, 1,
            RetentionConfig.defaults(), (topic, n) -> asked.add(topic));
        try {
            ErrorCode[] before = new ErrorCode[1];
            pm.publish("orders", 0, PartitionManagerWaitTest.batch("early"), true,
                (error, epoch, base, start) -> before[0] = error);
            assertThat(before[0]).as("retriable, not UNKNOWN_TOPIC, before any view").isEqualTo(ErrorCode.NOT_LEADER);
            assertThat(asked).as("no creation asked for a topic the broker cannot know yet").isEmpty();

            pm.onMetadata(new ClusterMetadata(1, List.of(new BrokerInfo(2, "127.0.0.1", 9, true)), List.of()));
            ErrorCode[] after = new ErrorCode[1];
            pm.publish("orders", 0, PartitionManagerWaitTest.batch("later"), true,
                (error, epoch, base, start) -> after[0] = error);
            assertThat(after[0]).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
            assertThat(asked).as("asked for once the view says it does not exist").containsExactly("orders");
        } finally {
            pm.close();
        }
    }
}
