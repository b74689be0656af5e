package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Field primitives of {@code WIRE.md}: big-endian integers and int16-length-prefixed UTF-8 strings. Every read
 * checks the readable bytes first and throws {@link WireException} with {@link ErrorCode#MALFORMED_FRAME}, so a
 * short body is an answerable error rather than an {@code IndexOutOfBoundsException}.
 */
public final class Codec {
    /** Longest string any field may carry, in UTF-8 bytes. */
    public static final int MAX_STRING_BYTES = Short.MAX_VALUE;
    /** Upper bound on any element count, so a hostile count never sizes an allocation. */
    public static final int MAX_COUNT = 1 << 16;

    private Codec() {
    }

    public static void need(ByteBuf in, int bytes, String field) {
        if (in.readableBytes() < bytes) {
            throw new WireException(ErrorCode.MALFORMED_FRAME,
                "body ends inside field '" + field + "': needs " + bytes + " bytes, " + in.readableBytes() + " left");
        }
    }

    public static byte readByte(ByteBuf in, String field) {
        need(in, 1, field);
        return in.readByte();
    }

    public static short readShort(ByteBuf in, String field) {
        need(in, 2, field);
        return in.readShort();
    }

    public static int readInt(ByteBuf in, String field) {
        need(in, 4, field);
        return in.readInt();
    }

    public static long readLong(ByteBuf in, String field) {
        need(in, 8, field);
        return in.readLong();
    }

    public static boolean readBoolean(ByteBuf in, String field) {
        byte b = readByte(in, field);
        if (b != 0 && b != 1) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, "field '" + field + "' must be 0 or 1, was " + b);
        }
        return b == 1;
    }

    public static int readCount(ByteBuf in, String field) {
        int n = readInt(in, field);
        if (n < 0 || n > MAX_COUNT) {
            throw new WireException(ErrorCode.MALFORMED_FRAME,
                "count '" + field + "' " + n + " outside 0.." + MAX_COUNT);
        }
        return n;
    }

    /** Reads a string; length -1 is null. */
    public static String readString(ByteBuf in, String field) {
        short len = readShort(in, field);
        if (len == -1) {
            return null;
        }
        if (len < 0) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, "string '" + field + "' has length " + len);
        }
        need(in, len, field);
        String s = in.toString(in.readerIndex(), len, StandardCharsets.UTF_8);
        in.skipBytes(len);
        return s;
    }

    /** Reads a string that must be present. */
    public static String readRequiredString(ByteBuf in, String field) {
        String s = readString(in, field);
        if (s == null) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, "string '" + field + "' must not be null");
        }
        return s;
    }

    public static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeShort(-1);
            return;
        }
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int written = out.writeCharSequence(s, StandardCharsets.UTF_8);
        if (written > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + written + " UTF-8 bytes > " + MAX_STRING_BYTES);
        }
        out.setShort(lengthIndex, written);
    }

    /** Writes opaque bytes as an int32 length and the bytes. */
    public static void writeBytes(ByteBuf out, byte[] bytes) {
        out.writeInt(bytes.length);
        out.writeBytes(bytes);
    }

    /** Reads what {@link #writeBytes} wrote; the length must be within what is left of the body. */
    public static byte[] readBytes(ByteBuf in, String field) {
        int n = readInt(in, field + "_length");
        if (n < 0) {
            throw new WireException(ErrorCode.MALFORMED_FRAME, "length of '" + field + "' is negative: " + n);
        }
        need(in, n, field);
        byte[] bytes = new byte[n];
        in.readBytes(bytes);
        return bytes;
    }

    public static void writeBoolean(ByteBuf out, boolean b) {
        out.writeByte(b ? 1 : 0);
    }

    public static ErrorCode readError(ByteBuf in) {
        return ErrorCode.of(readShort(in, "error_code"));
    }

    /**
     * Writes a config map as {@code WIRE.md} lays it out: an int32 count, then a {@code ConfigEntry} (key and value
     * strings) per entry, in the map's iteration order (sorted by key for maps made by {@link #sortedConfigs}).
     */
    static void writeConfigs(ByteBuf out, Map<String, String> configs) {
        out.writeInt(configs.size());
        for (Map.Entry<String, String> e : configs.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    /**
     * Reads what {@link #writeConfigs} wrote. Entries may come in any order; a repeated key is
     * {@link ErrorCode#MALFORMED_FRAME}, because a map could not carry both values.
     */
    static SortedMap<String, String> readConfigs(ByteBuf in, String field) {
        int n = readCount(in, field + ".config_count");
        TreeMap<String, String> configs = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String key = readRequiredString(in, field + ".config.key");
            String value = readRequiredString(in, field + ".config.value");
            if (configs.put(key, value) != null) {
                throw new WireException(ErrorCode.MALFORMED_FRAME, "config key '" + key + "' repeated in " + field);
            }
        }
        return configs;
    }

    /**
     * An immutable copy of {@code configs} sorted by key (natural {@code String} order), so equal maps encode to
     * equal bytes. Null is an empty map; a null key or value throws {@link NullPointerException}.
     */
    static SortedMap<String, String> sortedConfigs(Map<String, String> configs) {
        if (configs == null || configs.isEmpty()) {
            return Collections.emptySortedMap();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : configs.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "config key");
            copy.put(key, Objects.requireNonNull(e.getValue(), () -> "value of config '" + key + "'"));
        }
        return Collections.unmodifiableSortedMap(copy);
    }
}
