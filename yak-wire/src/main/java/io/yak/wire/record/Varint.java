package io.yak.wire.record;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.nio.ByteBuffer;

/**
 * Zig-zag variable-length integers as in Protocol Buffers and Kafka's record format: 7 bits per byte, low bits
 * first, high bit set on every byte but the last. Reads use absolute indexes bounded by a limit and throw
 * {@link WireException} (CORRUPT_RECORD_BATCH) instead of reading past it.
 */
public final class Varint {
    private Varint() {
    }

    /** Bytes {@link #writeVarint} takes for {@code value}: one per started group of 7 significant bits. */
    public static int sizeOfVarint(int value) {
        int v = (value << 1) ^ (value >> 31);
        int significantBits = 32 - Integer.numberOfLeadingZeros(v | 1);
        return (significantBits + 6) / 7;
    }

    /** Bytes {@link #writeVarlong} takes for {@code value}. */
    public static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int significantBits = 64 - Long.numberOfLeadingZeros(v | 1);
        return (significantBits + 6) / 7;
    }

    public static void writeVarint(ByteBuf out, int value) {
        int v = (value << 1) ^ (value >> 31);
        while ((v & 0xffffff80) != 0) {
            out.writeByte((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    public static void writeVarlong(ByteBuf out, long value) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & 0xffffffffffffff80L) != 0L) {
            out.writeByte(((int) v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    /**
     * Reads a varint at {@link Cursor#position} of {@code buf} (absolute, from index 0 of the view), not at or
     * past {@code limit}, and moves the cursor past it. Works on a NIO view rather than a {@code ByteBuf}: absolute
     * gets there skip the bounds and reference-count checks {@code ByteBuf.getByte} makes for every byte.
     */
    public static int readVarint(ByteBuffer buf, Cursor c, int limit) {
        int raw = 0;
        int shift = 0;
        while (true) {
            if (c.position >= limit) {
                throw new WireException(ErrorCode.CORRUPT_RECORD_BATCH, "varint runs past the end of its record");
            }
            int b = buf.get(c.position++);
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 28) {
                throw new WireException(ErrorCode.CORRUPT_RECORD_BATCH, "varint longer than 5 bytes");
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** The varlong counterpart of {@link #readVarint}. */
    public static long readVarlong(ByteBuffer buf, Cursor c, int limit) {
        long raw = 0;
        int shift = 0;
        while (true) {
            if (c.position >= limit) {
                throw new WireException(ErrorCode.CORRUPT_RECORD_BATCH, "varlong runs past the end of its record");
            }
            long b = buf.get(c.position++);
            raw |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            shift += 7;
            if (shift > 63) {
                throw new WireException(ErrorCode.CORRUPT_RECORD_BATCH, "varlong longer than 10 bytes");
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** A mutable read position, reused across reads. */
    public static final class Cursor {
        public int position;
    }
}
