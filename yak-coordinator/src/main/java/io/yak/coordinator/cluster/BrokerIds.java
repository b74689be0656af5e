package io.yak.coordinator.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The broker ids the coordinator lets register (key {@code broker.ids}): a list of ids and inclusive ranges such as
 * {@code 1-3} or {@code 1,2,5-9}, or {@link #ANY} id. Until brokers authenticate (issue 19), this is what keeps a
 * host that merely reaches the coordinator from filling the cluster with brokers of its own.
 *
 * <p>Immutable and thread-safe. Kept as sorted, disjoint, non-adjacent ranges, so {@link #toString()} is canonical
 * ({@code 3,1-2} reads back as {@code 1-3}) and {@link #allows} is a binary search.
 */
public final class BrokerIds {
    /** Every id ({@code broker.ids} not set). */
    public static final BrokerIds ANY = new BrokerIds(null);
    /** Most list elements one value may have: a sane config never comes close. */
    public static final int MAX_ELEMENTS = 1000;

    /** null for any id; else {lo0, hi0, lo1, hi1, ...}, sorted, with hi(i) + 1 < lo(i+1). */
    private final int[] ranges;

    private BrokerIds(int[] ranges) {
        this.ranges = ranges;
    }

    /**
     * Parses a comma-separated list of ids ({@code 5}) and inclusive ranges ({@code 5-9}); spaces around the
     * elements are ignored, overlapping elements merged.
     *
     * @throws IllegalArgumentException naming the element that is not an id ({@code 0..2147483647}) or a range
     *                                  with its low end first, or an empty element
     */
    public static BrokerIds parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty list of broker ids (e.g. 1-3 or 1,2,5-9)");
        }
        String[] elements = text.split(",", -1);
        if (elements.length > MAX_ELEMENTS) {
            throw new IllegalArgumentException(elements.length + " elements, at most " + MAX_ELEMENTS
                + " (use ranges: 1-100)");
        }
        List<int[]> parsed = new ArrayList<>(elements.length);
        for (String element : elements) {
            String e = element.trim();
            int dash = e.indexOf('-', 1); // a leading '-' is a negative number, refused by id()
            int lo = id(dash < 0 ? e : e.substring(0, dash).trim(), element);
            int hi = dash < 0 ? lo : id(e.substring(dash + 1).trim(), element);
            if (hi < lo) {
                throw new IllegalArgumentException("'" + e + "' is an empty range (write the low id first: " + hi + "-"
                    + lo + ")");
            }
            parsed.add(new int[] {lo, hi});
        }
        return new BrokerIds(merge(parsed));
    }

    /** Exactly these ids. */
    public static BrokerIds of(int... ids) {
        List<int[]> parsed = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0) {
                throw new IllegalArgumentException("broker id " + id + " < 0");
            }
            parsed.add(new int[] {id, id});
        }
        if (parsed.isEmpty()) {
            throw new IllegalArgumentException("no broker ids");
        }
        return new BrokerIds(merge(parsed));
    }

    private static int id(String text, String element) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + element.trim() + "' is not a broker id or a range of them (e.g. "
                + "1-3 or 1,2,5-9)");
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("broker id " + text + " > " + Integer.MAX_VALUE, e);
        }
    }

    private static int[] merge(List<int[]> parsed) {
        parsed.sort((a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] r : parsed) {
            int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && (long) r[0] <= (long) last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                merged.add(new int[] {r[0], r[1]});
            }
        }
        int[] flat = new int[merged.size() * 2];
        for (int i = 0; i < merged.size(); i++) {
            flat[2 * i] = merged.get(i)[0];
            flat[2 * i + 1] = merged.get(i)[1];
        }
        return flat;
    }

    /** True for {@link #ANY}. */
    public boolean isAny() {
        return ranges == null;
    }

    /** Whether a broker with this id may register. */
    public boolean allows(int id) {
        if (ranges == null) {
            return id >= 0;
        }
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (id < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (id > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The canonical list ({@code 1-3,5}), or {@code any}. */
    @Override
    public String toString() {
        if (ranges == null) {
            return "any";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < ranges.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranges[i]);
            if (ranges[i + 1] != ranges[i]) {
                sb.append('-').append(ranges[i + 1]);
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BrokerIds other && Arrays.equals(ranges, other.ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ranges);
    }
}
