package io.yak.broker.log;

import static io.yak.broker.log.LogTestSupport.appendLeaderBatch;
import static io.yak.broker.log.LogTestSupport.assertNumbered;
import static io.yak.broker.log.LogTestSupport.bytes;
import static io.yak.broker.log.LogTestSupport.readAll;
import static io.yak.broker.log.LogTestSupport.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.wire.record.RecordBatchLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PartitionLog#appendAsFollower}: batches copied from a leader, kept byte for byte, checked all or nothing. */
class FollowerAppendTest {
    private static final LogConfig SMALL = LogConfig.defaults().withSegmentBytes(4096).withIndexIntervalBytes(256);

    @TempDir
    Path dataDir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private PartitionLog open() throws IOException {
        return PartitionLog.open(dataDir.resolve("f-0"), "f", 0, SMALL);
    }

    @Test
    void shouldStoreTheLeadersBatchesUnchangedAndRecordTheirEpochs() throws IOException {
        try (PartitionLog log = open()) {
            ByteBuf fetched = Unpooled.buffer();
            appendLeaderBatch(fetched, 0, 4, values(0, 3));
            appendLeaderBatch(fetched, 3, 4, values(3, 2));
            appendLeaderBatch(fetched, 5, 6, values(5, 4));
            byte[] sent = bytes(fetched);
            assertThat(log.appendAsFollower(fetched)).isEqualTo(9);
            assertThat(bytes(fetched)).isEqualTo(sent);
            ByteBuf stored = log.read(0, Integer.MAX_VALUE);
            assertThat(bytes(stored)).as("byte for byte what the leader had").isEqualTo(sent);
            assertThat(log.latestEpoch()).isEqualTo(6);
            assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(4, 5));
            assertThat(log.appendAsFollower(Unpooled.EMPTY_BUFFER)).isEqualTo(9);
            // a leader append in the same epoch continues (the broker changed role)
            assertThat(log.append(LogTestSupport.batch(values(9, 1)), 6)).isEqualTo(9);
            fetched.release();
        }
        try (PartitionLog log = open()) {
            List<LogTestSupport.Read> records = readAll(log, 0, 100);
            assertNumbered(records, 0, 10);
            assertThat(records).extracting(LogTestSupport.Read::leaderEpoch)
                .containsExactly(4, 4, 4, 4, 4, 6, 6, 6, 6, 6);
        }
    }

    @Test
    void shouldRejectWhatDoesNotContinueTheLogAndAppendNothing() throws IOException {
        try (PartitionLog log = open()) {
            ByteBuf first = Unpooled.buffer();
            appendLeaderBatch(first, 0, 5, values(0, 2));
            log.appendAsFollower(first);

            ByteBuf gap = Unpooled.buffer();
            appendLeaderBatch(gap, 3, 5, values(3, 1));
            assertThatThrownBy(() -> log.appendAsFollower(gap)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("base offset 3, expected 2 (the log end offset)");

            ByteBuf secondDoesNotFollow = Unpooled.buffer();
            appendLeaderBatch(secondDoesNotFollow, 2, 5, values(2, 2));
            appendLeaderBatch(secondDoesNotFollow, 5, 5, values(5, 1));
            assertThatThrownBy(() -> log.appendAsFollower(secondDoesNotFollow))
                .hasMessageContaining("base offset 5, expected 4 (after the batch before)");

            ByteBuf olderEpoch = Unpooled.buffer();
            appendLeaderBatch(olderEpoch, 2, 6, values(2, 1));
            appendLeaderBatch(olderEpoch, 3, 5, values(3, 1));
            assertThatThrownBy(() -> log.appendAsFollower(olderEpoch)).hasMessageContaining("leader epoch 5 below 6");

            ByteBuf badCrc = Unpooled.buffer();
            appendLeaderBatch(badCrc, 2, 5, values(2, 1));
            badCrc.setByte(badCrc.writerIndex() - 1, badCrc.getByte(badCrc.writerIndex() - 1) ^ 1);
            assertThatThrownBy(() -> log.appendAsFollower(badCrc)).hasMessageContaining("CRC32C mismatch");

            ByteBuf badHeader = Unpooled.buffer();
            appendLeaderBatch(badHeader, 2, 5, values(2, 1));
            badHeader.setByte(RecordBatchLayout.MAGIC_OFFSET, 1);
            assertThatThrownBy(() -> log.appendAsFollower(badHeader)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("magic 1");

            assertThat(log.logEndOffset()).isEqualTo(2);
            assertThat(log.epochCache().entries()).hasSize(1);
            ByteBuf good = Unpooled.buffer();
            appendLeaderBatch(good, 2, 5, values(2, 1));
            assertThat(log.appendAsFollower(good)).isEqualTo(3);
            assertNumbered(readAll(log, 0, 100), 0, 3);
        }
    }

    @Test
    void shouldRollLikeAnyAppendAndKeepOffsetsAcrossSegments() throws IOException {
        try (PartitionLog log = open()) {
            long next = 0;
            int epoch = 1;
            while (log.segmentCount() < 4) {
                ByteBuf fetched = Unpooled.buffer();
                appendLeaderBatch(fetched, next, epoch, values(next, 5));
                next = log.appendAsFollower(fetched);
                if (next % 40 == 0) {
                    epoch++;
                }
            }
            assertNumbered(readAll(log, 0, 333), 0, next);
        }
    }
}
