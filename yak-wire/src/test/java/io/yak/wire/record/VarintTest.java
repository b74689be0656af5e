package io.yak.wire.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.testing.Seeds;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Zig-zag varints and varlongs: known encodings, sizes, round trips and bounded reads. */
class VarintTest {
    static LongStream seeds() {
        return Seeds.seeds(20);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "-1, 01",
        "1, 02",
        "-2, 03",
        "63, 7e",
        "-64, 7f",
        "64, 8001",
        "-65, 8101",
        "300, d804",
        "8191, fe7f",
        "8192, 808001",
        "2147483647, feffffff0f",
        "-2147483648, ffffffff0f",
    })
    void shouldEncodeVarintsAsKafkaDoes(int value, String hex) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Varint.writeVarint(buf, value);
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(hex);
            assertThat(Varint.sizeOfVarint(value)).isEqualTo(hex.length() / 2);
            Varint.Cursor c = new Varint.Cursor();
            assertThat(Varint.readVarint(buf.nioBuffer(), c, buf.writerIndex())).isEqualTo(value);
            assertThat(c.position).isEqualTo(buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "-1, 01",
        "1, 02",
        "300, d804",
        "2147483648, 8080808010",
        "9223372036854775807, feffffffffffffffff01",
        "-9223372036854775808, ffffffffffffffffff01",
    })
    void shouldEncodeVarlongsAsKafkaDoes(long value, String hex) {
        ByteBuf buf = Unpooled.buffer();
        try {
            Varint.writeVarlong(buf, value);
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo(hex);
            assertThat(Varint.sizeOfVarlong(value)).isEqualTo(hex.length() / 2);
            Varint.Cursor c = new Varint.Cursor();
            assertThat(Varint.readVarlong(buf.nioBuffer(), c, buf.writerIndex())).isEqualTo(value);
            assertThat(c.position).isEqualTo(buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("seeds")
    void shouldRoundTripRandomAndEdgeValuesBackToBack(long seed) {
        Random random = Seeds.random("VarintTest", seed);
        int n = 2000;
        int[] ints = new int[n];
        long[] longs = new long[n];
        int[] intEdges = {0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, 63, 64, -64, -65};
        long[] longEdges = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE + 1L};
        ByteBuf buf = Unpooled.buffer();
        try {
            int expectedBytes = 0;
            for (int i = 0; i < n; i++) {
                ints[i] = i < intEdges.length ? intEdges[i] : random.nextInt() >> random.nextInt(32);
                longs[i] = i < longEdges.length ? longEdges[i] : random.nextLong() >> random.nextInt(64);
                int before = buf.writerIndex();
                Varint.writeVarint(buf, ints[i]);
                assertThat(buf.writerIndex() - before).isEqualTo(Varint.sizeOfVarint(ints[i]));
                before = buf.writerIndex();
                Varint.writeVarlong(buf, longs[i]);
                assertThat(buf.writerIndex() - before).isEqualTo(Varint.sizeOfVarlong(longs[i]));
                expectedBytes += Varint.sizeOfVarint(ints[i]) + Varint.sizeOfVarlong(longs[i]);
            }
            assertThat(buf.writerIndex()).isEqualTo(expectedBytes);
            Varint.Cursor c = new Varint.Cursor();
            for (int i = 0; i < n; i++) {
                assertThat(Varint.readVarint(buf.nioBuffer(), c, buf.writerIndex())).isEqualTo(ints[i]);
                assertThat(Varint.readVarlong(buf.nioBuffer(), c, buf.writerIndex())).isEqualTo(longs[i]);
            }
            assertThat(c.position).isEqualTo(buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldKeepSizesWithinFiveAndTenBytes() {
        assertThat(Varint.sizeOfVarint(Integer.MIN_VALUE)).isEqualTo(5);
        assertThat(Varint.sizeOfVarint(Integer.MAX_VALUE)).isEqualTo(5);
        assertThat(Varint.sizeOfVarlong(Long.MIN_VALUE)).isEqualTo(10);
        assertThat(Varint.sizeOfVarlong(Long.MAX_VALUE)).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "80", "ff", "8080", "ffffffff"})
    void shouldNotReadPastTheLimit(String hex) {
        ByteBuf buf = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex + "00")); // a terminator past the limit
        try {
            int limit = hex.length() / 2;
            assertCorrupt(() -> Varint.readVarint(buf.nioBuffer(), new Varint.Cursor(), limit), "past the end");
            assertCorrupt(() -> Varint.readVarlong(buf.nioBuffer(), new Varint.Cursor(), limit), "past the end");
        } finally {
            buf.release();
        }
    }

    @Test
    void shouldRejectOverlongEncodings() {
        ByteBuf six = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("ffffffffff01"));
        ByteBuf eleven = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("ffffffffffffffffffff01"));
        try {
            assertCorrupt(() -> Varint.readVarint(six.nioBuffer(), new Varint.Cursor(), six.writerIndex()), "longer than 5");
            assertCorrupt(() -> Varint.readVarlong(eleven.nioBuffer(), new Varint.Cursor(), eleven.writerIndex()),
                "longer than 10");
        } finally {
            six.release();
            eleven.release();
        }
    }

    private static void assertCorrupt(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String detail) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WireException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.CORRUPT_RECORD_BATCH)).hasMessageContaining(detail);
    }
}
