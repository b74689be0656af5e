package io.yak.client.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.TopicPartition;
import io.yak.wire.message.Codec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link YakAdmin#decodeAssignment}: the consumer protocol's assignment bytes, as the consumers write them. */
class GroupAssignmentDecodingTest {
    private static byte[] assignment(short version, TopicPartition... partitions) {
        ByteBuf out = Unpooled.buffer();
        out.writeShort(version);
        out.writeInt(partitions.length);
        for (TopicPartition tp : partitions) {
            Codec.writeString(out, tp.topic());
            out.writeInt(tp.partition());
        }
        byte[] b = new byte[out.readableBytes()];
        out.readBytes(b);
        return b;
    }

    @Test
    void shouldDecodeTheConsumerProtocolsAssignment() {
        assertThat(YakAdmin.decodeAssignment(assignment((short) 1, new TopicPartition("a", 0),
            new TopicPartition("b", 3)))).containsExactly(new TopicPartition("a", 0), new TopicPartition("b", 3));
    }

    @Test
    void shouldGiveNothingForEmptyForeignOrTruncatedBytes() {
        assertThat(YakAdmin.decodeAssignment(new byte[0])).isEqualTo(List.of());
        assertThat(YakAdmin.decodeAssignment(assignment((short) 7, new TopicPartition("a", 0)))).isEmpty();
        byte[] whole = assignment((short) 1, new TopicPartition("a", 0));
        assertThat(YakAdmin.decodeAssignment(java.util.Arrays.copyOf(whole, whole.length - 2))).isEmpty();
        assertThat(YakAdmin.decodeAssignment(new byte[] {0, 1, 0, 0, 0, 1, 0, 1, 'a', -1, -1, -1, -1})).isEmpty();
    }
}
