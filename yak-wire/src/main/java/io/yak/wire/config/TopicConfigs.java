package io.yak.wire.config;

import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The per-topic configs a topic may carry (CREATE_TOPIC_REQUEST {@code configs}, TopicInfo {@code configs}) and
 * their valid ranges. The table in {@code yak-wire/WIRE.md}, section "Topic configs", is the authority;
 * {@code WireDocumentTest} holds this class against it. Every value is a decimal integer written without a plus
 * sign or leading zeros (as {@link Long#toString(long)} writes it), so a stored value is its canonical form.
 *
 * <p>The coordinator rejects a CREATE_TOPIC with an unknown key or a bad value ({@code INVALID_CONFIG}); a key a
 * topic does not set takes the broker's default. Stateless; any thread.
 */
public final class TopicConfigs {
    /** How long a record is kept, in ms; -1 = forever. */
    public static final String RETENTION_MS = "retention.ms";
    /** Bytes a partition keeps before its oldest segments are deleted; -1 = unlimited. */
    public static final String RETENTION_BYTES = "retention.bytes";
    /** Size of one log segment in bytes (an int). */
    public static final String SEGMENT_BYTES = "segment.bytes";
    /** Age after which the active segment is rolled, in ms. */
    public static final String SEGMENT_MS = "segment.ms";
    /** Records appended between two forced flushes. */
    public static final String FLUSH_MESSAGES = "flush.messages";
    /** Longest time appended records wait for a forced flush, in ms. */
    public static final String FLUSH_MS = "flush.ms";
    /** Replicas that must be in sync for an {@code acks=all} publish to be accepted. */
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    /** Value of {@link #RETENTION_MS} and {@link #RETENTION_BYTES} meaning no limit. */
    public static final long UNLIMITED = -1;
    /** Smallest {@link #SEGMENT_BYTES}. */
    public static final int MIN_SEGMENT_BYTES = 4096;

    /** Inclusive range of each key. */
    private record Range(long min, long max) {
    }

    private static final SortedMap<String, Range> RANGES;

    static {
        TreeMap<String, Range> r = new TreeMap<>();
        r.put(RETENTION_MS, new Range(UNLIMITED, Long.MAX_VALUE));
        r.put(RETENTION_BYTES, new Range(UNLIMITED, Long.MAX_VALUE));
        r.put(SEGMENT_BYTES, new Range(MIN_SEGMENT_BYTES, Integer.MAX_VALUE));
        r.put(SEGMENT_MS, new Range(1, Long.MAX_VALUE));
        r.put(FLUSH_MESSAGES, new Range(1, Long.MAX_VALUE));
        r.put(FLUSH_MS, new Range(1, Long.MAX_VALUE));
        r.put(MIN_INSYNC_REPLICAS, new Range(1, Short.MAX_VALUE));
        RANGES = Collections.unmodifiableSortedMap(r);
    }

    /** Every key a topic may set, sorted. */
    public static final SortedSet<String> KEYS = Collections.unmodifiableSortedSet(new TreeSet<>(RANGES.keySet()));

    private TopicConfigs() {
    }

    /**
     * Why {@code key=value} is not a valid topic config, naming both, or null when it is valid.
     */
    public static String problem(String key, String value) {
        Range range = key == null ? null : RANGES.get(key);
        if (range == null) {
            return "unknown topic config '" + key + "' (value '" + value + "'); known keys: "
                + String.join(", ", KEYS);
        }
        if (!isCanonicalLong(value)) {
            return "topic config " + key + "='" + value + "' must be a decimal integer in " + range.min + ".."
                + range.max;
        }
        long v = Long.parseLong(value);
        if (v < range.min || v > range.max) {
            return "topic config " + key + "=" + value + " is outside " + range.min + ".." + range.max;
        }
        return null;
    }

    /** The first problem of {@code configs} in key order (see {@link #problem(String, String)}), or null. */
    public static String problem(Map<String, String> configs) {
        return configs.entrySet().stream()
            .sorted(Map.Entry.comparingByKey(Comparator.nullsFirst(Comparator.naturalOrder())))
            .map(e -> problem(e.getKey(), e.getValue()))
            .filter(Objects::nonNull)
            .findFirst().orElse(null);
    }

    /** True for the text {@link Long#toString(long)} gives: optional '-', digits, no leading zero, in range. */
    private static boolean isCanonicalLong(String value) {
        if (value == null || value.isEmpty() || value.length() > 20) {
            return false;
        }
        try {
            return Long.toString(Long.parseLong(value)).equals(value);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
