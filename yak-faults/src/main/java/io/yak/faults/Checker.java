package io.yak.faults;

import io.yak.faults.CheckResult.Kind;
import io.yak.faults.History.Outcome;
import org.agrona.collections.Int2IntHashMap;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongHashSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Judges a {@link History} after the run, in the manner of Jepsen's Kafka workload. The final read-back is the
 * authority on what each partition holds; acknowledgements and polls are checked against it, and against each other
 * where the read-back does not cover them.
 *
 * <ul>
 *   <li>lost: an acknowledged value, or a polled value whose send was indeterminate, absent from the read-back;</li>
 *   <li>duplicate: one value at two positions (partition, offset) in the read-back and polls;</li>
 *   <li>inconsistent offset: one position holding two values across acknowledgements, polls and the read-back;</li>
 *   <li>non-monotonic poll: within one consumer session, a partition's offset not above the previous one;</li>
 *   <li>skipped poll: a poll jumping over offsets at which the read-back holds records;</li>
 *   <li>read of failed send: a value whose send definitely failed, polled or read back;</li>
 *   <li>unexpected: a value polled or read back that was never sent;</li>
 *   <li>replica divergence: see {@link ReplicaLogs#compare()}.</li>
 * </ul>
 *
 * <p>Each anomaly is counted once per value (lost, duplicate, read of failed, unexpected), per position
 * (inconsistent offset) or per poll (non-monotonic, skipped). Lookups go through sorted primitive arrays rather than
 * hash maps because a long run holds millions of values; maps are only used for observations the read-back does not
 * explain, which a correct run does not have.
 */
public final class Checker {
    /** Kinds of observation in a {@link #ref}. */
    private static final int ACK = 0;
    private static final int POLL = 1;
    private static final int READ_BACK = 2;
    private static final long MISSING = -1;

    private final History.Sends sends;
    private final History.Polls polls;
    private final CheckResult.Builder result = new CheckResult.Builder();

    /** Send values, sorted, with the send row each came from. */
    private final SortedIndex sendByValue;
    /** Read-back positions (see {@link #position}), sorted, and the value at each. */
    private final long[] readBackPositions;
    private final long[] readBackValues;
    /** Read-back values, sorted, with the index into {@link #readBackPositions} each came from. */
    private final SortedIndex readBackByValue;

    /** Position not covered by the read-back to the first observation (see {@link #ref}) claiming it. */
    private final Long2LongHashMap observationByPosition = new Long2LongHashMap(MISSING);
    /** Value absent from the read-back to the first poll (row) that returned it. */
    private final Long2LongHashMap pollByValue = new Long2LongHashMap(MISSING);
    /** Per partition, the poll row with the highest offset, to tell how far consumers got past a lost value. */
    private final Int2IntHashMap highestPoll = new Int2IntHashMap(-1);

    /** Per kind, the values (or positions, for inconsistent offsets) already reported, so each counts once. */
    private final LongHashSet[] reported = new LongHashSet[Kind.values().length];

    private Checker(History history) {
        sends = history.sends();
        polls = history.polls();
        sendByValue = SortedIndex.of(sendValues(sends));
        for (int i = 1; i < sendByValue.size(); i++) {
            if (sendByValue.key(i) == sendByValue.key(i - 1)) {
                throw new IllegalStateException("value " + sendByValue.key(i) + " recorded for two sends: by "
                        + sends.client(sendByValue.row(i - 1)) + " and " + sends.client(sendByValue.row(i)));
            }
        }
        History.ReadBacks readBacks = history.readBacks();
        long[] positions = new long[readBacks.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = position(readBacks.partition(i), readBacks.offset(i));
        }
        SortedIndex byPosition = SortedIndex.of(positions);
        readBackPositions = positions;
        readBackValues = new long[positions.length];
        for (int i = 0; i < positions.length; i++) {
            readBackValues[i] = readBacks.value(byPosition.row(i));
        }
        readBackByValue = SortedIndex.of(readBackValues.clone());
        for (int i = 0; i < reported.length; i++) {
            reported[i] = new LongHashSet();
        }
    }

    /** Checks the history and, unless {@code replicas} is null, compares the replicas' bytes. */
    public static CheckResult check(History history, ReplicaLogs replicas) {
        Checker checker = new Checker(history);
        checker.checkReadBack();
        checker.checkPolls();
        checker.checkAcknowledged();
        if (replicas != null) {
            for (String divergence : replicas.compare()) {
                checker.result.add(Kind.REPLICA_DIVERGENCE, "%s", divergence);
            }
        }
        return checker.result.build(history);
    }

    private static long[] sendValues(History.Sends sends) {
        long[] values = new long[sends.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = sends.value(i);
        }
        return values;
    }

    /** A (partition, offset) pair as one long that sorts by partition, then offset. */
    static long position(int partition, long offset) {
        return ((long) partition << History.OFFSET_BITS) | offset;
    }

    private static int partitionOf(long position) {
        return (int) (position >>> History.OFFSET_BITS);
    }

    private static long offsetOf(long position) {
        return position & History.MAX_OFFSET;
    }

    private static String describe(long position) {
        return "partition " + partitionOf(position) + " offset " + offsetOf(position);
    }

    /** Whether this is the first report of {@code key} (a value, or a position) for this kind. */
    private boolean firstReport(Kind kind, long key) {
        return reported[kind.ordinal()].add(key);
    }

    private void checkReadBack() {
        for (int i = 1; i < readBackPositions.length; i++) {
            if (readBackPositions[i] == readBackPositions[i - 1] && readBackValues[i] != readBackValues[i - 1]
                    && firstReport(Kind.INCONSISTENT_OFFSET, readBackPositions[i])) {
                result.add(Kind.INCONSISTENT_OFFSET, "%s holds values %d and %d in the read-back",
                        describe(readBackPositions[i]), readBackValues[i - 1], readBackValues[i]);
            }
        }
        for (int i = 1; i < readBackByValue.size(); i++) {
            long value = readBackByValue.key(i);
            long first = readBackPositions[readBackByValue.row(i - 1)];
            long second = readBackPositions[readBackByValue.row(i)];
            if (value == readBackByValue.key(i - 1) && first != second && firstReport(Kind.DUPLICATE, value)) {
                result.add(Kind.DUPLICATE, "value %d at %s and at %s in the read-back", value, describe(first),
                        describe(second));
            }
        }
        for (int i = 0; i < readBackValues.length; i++) {
            checkSent(readBackValues[i], ref(i, READ_BACK));
        }
    }

    private void checkPolls() {
        List<Int2IntHashMap> lastPollRow = new ArrayList<>();
        for (int c = 0; c < polls.clientCount(); c++) {
            lastPollRow.add(new Int2IntHashMap(-1));
        }
        for (int row = 0; row < polls.size(); row++) {
            Int2IntHashMap session = lastPollRow.get(polls.clientId(row));
            if (polls.isAssign(row)) {
                session.clear();
                continue;
            }
            int partition = polls.partition(row);
            long offset = polls.offset(row);
            long value = polls.value(row);
            int previous = session.put(partition, row);
            if (previous >= 0) {
                checkOrder(previous, row);
            }
            int highest = highestPoll.get(partition);
            if (highest < 0 || offset > polls.offset(highest)) {
                highestPoll.put(partition, row);
            }
            checkSent(value, ref(row, POLL));
            checkPosition(partition, offset, value, ref(row, POLL));
            checkPolledValue(row, partition, offset, value);
        }
    }

    /** Non-monotonic and skipping polls within one session; offsets in YaK logs are dense. */
    private void checkOrder(int previousRow, int row) {
        int partition = polls.partition(row);
        long previous = polls.offset(previousRow);
        long offset = polls.offset(row);
        if (offset <= previous) {
            result.add(Kind.NON_MONOTONIC, "%s polled partition %d offset %d (value %d) after offset %d (value %d)",
                    polls.client(row), partition, offset, polls.value(row), previous, polls.value(previousRow));
        } else if (offset > previous + 1) {
            int between = ceiling(position(partition, previous + 1));
            if (between < readBackPositions.length && readBackPositions[between] < position(partition, offset)) {
                result.add(Kind.SKIPPED, "%s polled partition %d offset %d (value %d) right after offset %d; the "
                                + "read-back holds offset %d (value %d) in between",
                        polls.client(row), partition, offset, polls.value(row), previous,
                        offsetOf(readBackPositions[between]), readBackValues[between]);
            }
        }
    }

    /** A polled value must sit where the read-back has it, and be read back at all unless its send failed. */
    private void checkPolledValue(int row, int partition, long offset, long value) {
        long position = position(partition, offset);
        int found = readBackByValue.find(value);
        if (found >= 0) {
            long stored = readBackPositions[readBackByValue.row(found)];
            if (stored != position && firstReport(Kind.DUPLICATE, value)) {
                result.add(Kind.DUPLICATE, "value %d %s and read back at %s", value, describeRef(ref(row, POLL)),
                        describe(stored));
            }
            return;
        }
        long firstRow = pollByValue.get(value);
        if (firstRow == MISSING) {
            pollByValue.put(value, row);
        } else if (position(polls.partition((int) firstRow), polls.offset((int) firstRow)) != position
                && firstReport(Kind.DUPLICATE, value)) {
            result.add(Kind.DUPLICATE, "value %d %s and %s", value, describeRef(ref((int) firstRow, POLL)),
                    describeRef(ref(row, POLL)));
        }
        int send = sendByValue.find(value);
        if (send >= 0 && sends.outcome(sendByValue.row(send)) == Outcome.UNKNOWN && firstReport(Kind.LOST, value)) {
            result.add(Kind.LOST, "value %d (send by %s indeterminate) %s but absent from the read-back%s", value,
                    sends.client(sendByValue.row(send)), describeRef(ref(row, POLL)), readBackExtent(partition));
        }
    }

    private void checkAcknowledged() {
        for (int row = 0; row < sends.size(); row++) {
            if (sends.outcome(row) != Outcome.OK) {
                continue;
            }
            int partition = sends.partition(row);
            long offset = sends.offset(row);
            long value = sends.value(row);
            checkPosition(partition, offset, value, ref(row, ACK));
            if (readBackByValue.find(value) < 0 && firstReport(Kind.LOST, value)) {
                String detail = result.listing(Kind.LOST) ? readBackExtent(partition) + pollExtent(partition) : "";
                result.add(Kind.LOST, "value %d %s but absent from the read-back%s", value,
                        describeRef(ref(row, ACK)), detail);
            }
        }
    }

    /** Anything polled or read back must have been sent, and not by a send known to have failed. */
    private void checkSent(long value, long observation) {
        int found = sendByValue.find(value);
        if (found < 0) {
            if (firstReport(Kind.UNEXPECTED, value)) {
                result.add(Kind.UNEXPECTED, "value %d %s was never sent", value, describeRef(observation));
            }
        } else if (sends.outcome(sendByValue.row(found)) == Outcome.FAILED && firstReport(Kind.READ_OF_FAILED, value)) {
            result.add(Kind.READ_OF_FAILED, "value %d %s, but its send by %s failed", value, describeRef(observation),
                    sends.client(sendByValue.row(found)));
        }
    }

    /** One position must hold one value across acknowledgements, polls and the read-back. */
    private void checkPosition(int partition, long offset, long value, long observation) {
        long position = position(partition, offset);
        int stored = Arrays.binarySearch(readBackPositions, position);
        if (stored >= 0) {
            if (readBackValues[stored] != value && firstReport(Kind.INCONSISTENT_OFFSET, position)) {
                result.add(Kind.INCONSISTENT_OFFSET, "%s holds value %d in the read-back but value %d was %s",
                        describe(position), readBackValues[stored], value, describeRef(observation));
            }
            return;
        }
        long first = observationByPosition.get(position);
        if (first == MISSING) {
            observationByPosition.put(position, observation);
        } else if (valueOf(first) != value && firstReport(Kind.INCONSISTENT_OFFSET, position)) {
            result.add(Kind.INCONSISTENT_OFFSET, "%s: value %d was %s and value %d was %s", describe(position),
                    valueOf(first), describeRef(first), value, describeRef(observation));
        }
    }

    /**
     * An observation as one non-negative long: an acknowledgement (send row), a poll (poll row) or a read-back record
     * (index into {@link #readBackPositions}), so the checks carry no strings until they report.
     */
    private static long ref(int row, int kind) {
        return ((long) row << 2) | kind;
    }

    private long valueOf(long ref) {
        int row = (int) (ref >>> 2);
        return switch ((int) ref & 3) {
            case ACK -> sends.value(row);
            case POLL -> polls.value(row);
            default -> readBackValues[row];
        };
    }

    /** For example "polled by consumer-1 at partition 2 offset 17". */
    private String describeRef(long ref) {
        int row = (int) (ref >>> 2);
        return switch ((int) ref & 3) {
            case ACK -> "acknowledged to " + sends.client(row) + " at "
                    + describe(position(sends.partition(row), sends.offset(row)));
            case POLL -> "polled by " + polls.client(row) + " at "
                    + describe(position(polls.partition(row), polls.offset(row)));
            default -> "read back at " + describe(readBackPositions[row]);
        };
    }

    private String readBackExtent(int partition) {
        int first = ceiling(position(partition, 0));
        int end = partition == History.MAX_PARTITION ? readBackPositions.length : ceiling(position(partition + 1, 0));
        if (first == end) {
            return " (no read-back of partition " + partition + ")";
        }
        return " (read-back of partition " + partition + " holds offsets " + offsetOf(readBackPositions[first])
                + ".." + offsetOf(readBackPositions[end - 1]) + ")";
    }

    private String pollExtent(int partition) {
        int highest = highestPoll.get(partition);
        return highest < 0 ? "" : "; " + polls.client(highest) + " polled up to offset " + polls.offset(highest);
    }

    /** Index of the first read-back position at or above {@code position}. */
    private int ceiling(long position) {
        int found = Arrays.binarySearch(readBackPositions, position);
        if (found < 0) {
            return -found - 1;
        }
        while (found > 0 && readBackPositions[found - 1] == position) {
            found--;
        }
        return found;
    }

    /**
     * Keys sorted in place with the row each key had before sorting: a map from key to row in 12 bytes per entry,
     * where a hash map of millions of entries would take twice that and more.
     */
    static final class SortedIndex {
        private static final int INSERTION_SORT_MAX = 16;

        private final long[] keys;
        private final int[] rows;

        private SortedIndex(long[] keys, int[] rows) {
            this.keys = keys;
            this.rows = rows;
        }

        /** Sorts {@code keys} in place. */
        static SortedIndex of(long[] keys) {
            int[] rows = new int[keys.length];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i;
            }
            sort(keys, rows, 0, keys.length - 1);
            return new SortedIndex(keys, rows);
        }

        int size() {
            return keys.length;
        }

        long key(int index) {
            return keys[index];
        }

        int row(int index) {
            return rows[index];
        }

        /** An index holding {@code key}, or -1. */
        int find(long key) {
            int found = Arrays.binarySearch(keys, key);
            return found >= 0 ? found : -1;
        }

        /** Quicksort of keys with rows moved alongside; recursion only into the smaller part bounds the stack. */
        private static void sort(long[] keys, int[] rows, int low, int high) {
            while (high - low > INSERTION_SORT_MAX) {
                int middle = (low + high) >>> 1;
                if (keys[middle] < keys[low]) {
                    swap(keys, rows, middle, low);
                }
                if (keys[high] < keys[low]) {
                    swap(keys, rows, high, low);
                }
                if (keys[high] < keys[middle]) {
                    swap(keys, rows, high, middle);
                }
                long pivot = keys[middle];
                int i = low;
                int j = high;
                while (i <= j) {
                    while (keys[i] < pivot) {
                        i++;
                    }
                    while (keys[j] > pivot) {
                        j--;
                    }
                    if (i <= j) {
                        swap(keys, rows, i++, j--);
                    }
                }
                if (j - low < high - i) {
                    sort(keys, rows, low, j);
                    low = i;
                } else {
                    sort(keys, rows, i, high);
                    high = j;
                }
            }
            for (int i = low + 1; i <= high; i++) {
                long key = keys[i];
                int row = rows[i];
                int j = i - 1;
                while (j >= low && keys[j] > key) {
                    keys[j + 1] = keys[j];
                    rows[j + 1] = rows[j];
                    j--;
                }
                keys[j + 1] = key;
                rows[j + 1] = row;
            }
        }

        private static void swap(long[] keys, int[] rows, int i, int j) {
            long key = keys[i];
            keys[i] = keys[j];
            keys[j] = key;
            int row = rows[i];
            rows[i] = rows[j];
            rows[j] = row;
        }
    }
}
