package io.yak.faults;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the clients of a fault-injection run observed: every completed send with its outcome, every record a consumer
 * polled (with the assignments that start a new consumer session), and the final read-back of each partition.
 * {@link Checker} judges it once the run is over.
 *
 * <p>Thread-safe: any number of producer and consumer threads record at once. Each kind of event is appended under its
 * own lock into chunks of three longs per event, because a long run records millions of them and boxed objects per
 * event would dominate the heap. Partitions must lie in {@code [0, MAX_PARTITION]} and offsets in
 * {@code [0, MAX_OFFSET]} so that {@link Checker} can pack a (partition, offset) pair into one long.
 */
public final class History {
    /** How a send ended, as far as the producer can tell. */
    public enum Outcome {
        /** Acknowledged: the broker reported the record stored at an offset. */
        OK,
        /** Definitely not stored, e.g. rejected before it reached a leader. */
        FAILED,
        /** Indeterminate: timed out or retries exhausted; the record may or may not be stored. */
        UNKNOWN
    }

    static final int MAX_PARTITION = 0xFFFF;
    static final int OFFSET_BITS = 47;
    static final long MAX_OFFSET = (1L << OFFSET_BITS) - 1;

    private static final Outcome[] OUTCOMES = Outcome.values();
    private static final long ASSIGN_FLAG = 1L;

    private final ClientNames clients = new ClientNames();
    /** value, offset, meta: partition in the high int, client id and outcome ordinal in the low int. */
    private final Table sends = new Table();
    /** value, offset, meta: partition in the high int, client id and the assign flag in the low int. */
    private final Table polls = new Table();
    /** value, offset, partition. */
    private final Table readBacks = new Table();
    private final AtomicLongArray outcomeCounts = new AtomicLongArray(OUTCOMES.length);
    private final AtomicLong polled = new AtomicLong();

    public History() {
    }

    /**
     * A send completed. {@code value} is unique per send across the whole run; {@code offset} is only meaningful
     * for {@link Outcome#OK} (pass -1 otherwise).
     */
    public void send(String client, int partition, long value, Outcome outcome, long offset) {
        checkPartition(partition);
        if (outcome == Outcome.OK) {
            checkOffset(offset, "acknowledged send of value " + value);
        }
        long meta = ((long) partition << 32) | ((long) clients.id(client) << 2) | outcome.ordinal();
        sends.append(value, outcome == Outcome.OK ? offset : -1, meta);
        outcomeCounts.incrementAndGet(outcome.ordinal());
    }

    /**
     * A consumer was (re)assigned or repositioned; its polls after this start a new session for the monotonicity
     * checks. The partitions are not needed by the checks: a new session restarts every partition of the client.
     */
    public void assign(String client, Collection<Integer> partitions) {
        long meta = ((long) clients.id(client) << 1) | ASSIGN_FLAG;
        polls.append(partitions.size(), -1, meta);
    }

    /** One record returned by a consumer's poll, recorded in the order the consumer returned them. */
    public void poll(String client, int partition, long offset, long value) {
        checkPartition(partition);
        checkOffset(offset, "poll by " + client);
        long meta = ((long) partition << 32) | ((long) clients.id(client) << 1);
        polls.append(value, offset, meta);
        polled.incrementAndGet();
    }

    /** One record of the final read-back of a partition from its leader after healing. */
    public void readBack(int partition, long offset, long value) {
        checkPartition(partition);
        checkOffset(offset, "read-back");
        readBacks.append(value, offset, partition);
    }

    public long sendsInvoked() {
        return sends.size();
    }

    public long acknowledged() {
        return outcomeCounts.get(Outcome.OK.ordinal());
    }

    public long failed() {
        return outcomeCounts.get(Outcome.FAILED.ordinal());
    }

    public long unknown() {
        return outcomeCounts.get(Outcome.UNKNOWN.ordinal());
    }

    /** Records returned by polls; assignments are not counted. */
    public long polled() {
        return polled.get();
    }

    public long readBackCount() {
        return readBacks.size();
    }

    /** The sends recorded so far, in recording order. */
    Sends sends() {
        return new Sends(sends.snapshot(), clients.snapshot());
    }

    /** The polls and assignments recorded so far, in recording order (each client's in its own order). */
    Polls polls() {
        return new Polls(polls.snapshot(), clients.snapshot());
    }

    /** The read-back records recorded so far, in recording order. */
    ReadBacks readBacks() {
        return new ReadBacks(readBacks.snapshot());
    }

    private static void checkPartition(int partition) {
        if (partition < 0 || partition > MAX_PARTITION) {
            throw new IllegalArgumentException("partition " + partition + " outside [0, " + MAX_PARTITION + "]");
        }
    }

    private static void checkOffset(long offset, String what) {
        if (offset < 0 || offset > MAX_OFFSET) {
            throw new IllegalArgumentException("offset " + offset + " of " + what + " outside [0, " + MAX_OFFSET + "]");
        }
    }

    /** Completed sends: a read-only view of a snapshot. */
    static final class Sends {
        private final Rows rows;
        private final String[] clients;

        private Sends(Rows rows, String[] clients) {
            this.rows = rows;
            this.clients = clients;
        }

        int size() {
            return rows.size;
        }

        long value(int row) {
            return rows.get(row, 0);
        }

        /** The acknowledged offset, or -1 unless the outcome is {@link Outcome#OK}. */
        long offset(int row) {
            return rows.get(row, 1);
        }

        int partition(int row) {
            return (int) (rows.get(row, 2) >>> 32);
        }

        String client(int row) {
            return clients[(int) rows.get(row, 2) >>> 2];
        }

        Outcome outcome(int row) {
            return OUTCOMES[(int) rows.get(row, 2) & 3];
        }
    }

    /** Polled records interleaved with assignments: a read-only view of a snapshot. */
    static final class Polls {
        private final Rows rows;
        private final String[] clients;

        private Polls(Rows rows, String[] clients) {
            this.rows = rows;
            this.clients = clients;
        }

        int size() {
            return rows.size;
        }

        int clientCount() {
            return clients.length;
        }

        boolean isAssign(int row) {
            return (rows.get(row, 2) & ASSIGN_FLAG) != 0;
        }

        int clientId(int row) {
            return (int) rows.get(row, 2) >>> 1;
        }

        String client(int row) {
            return clients[clientId(row)];
        }

        int partition(int row) {
            return (int) (rows.get(row, 2) >>> 32);
        }

        long offset(int row) {
            return rows.get(row, 1);
        }

        long value(int row) {
            return rows.get(row, 0);
        }
    }

    /** The final read-back: a read-only view of a snapshot. */
    static final class ReadBacks {
        private final Rows rows;

        private ReadBacks(Rows rows) {
            this.rows = rows;
        }

        int size() {
            return rows.size;
        }

        long value(int row) {
            return rows.get(row, 0);
        }

        long offset(int row) {
            return rows.get(row, 1);
        }

        int partition(int row) {
            return (int) rows.get(row, 2);
        }
    }

    /**
     * Append-only rows of three longs in fixed-size chunks, so growing never copies what is already stored.
     * Appends hold the table's lock; a snapshot taken under the same lock sees every row appended before it.
     */
    private static final class Table {
        private static final int CHUNK_SHIFT = 14;
        private static final int CHUNK_ROWS = 1 << CHUNK_SHIFT;

        private final List<long[]> chunks = new ArrayList<>();
        private int size;

        synchronized void append(long a, long b, long c) {
            int slot = size & (CHUNK_ROWS - 1);
            if (slot == 0) {
                if (size == Integer.MAX_VALUE - CHUNK_ROWS) {
                    throw new IllegalStateException("history table full at " + size + " rows");
                }
                chunks.add(new long[CHUNK_ROWS * 3]);
            }
            long[] chunk = chunks.get(chunks.size() - 1);
            chunk[slot * 3] = a;
            chunk[slot * 3 + 1] = b;
            chunk[slot * 3 + 2] = c;
            size++;
        }

        synchronized int size() {
            return size;
        }

        synchronized Rows snapshot() {
            return new Rows(chunks.toArray(new long[0][]), size);
        }
    }

    /** Rows {@code [0, size)} of a table; the chunks are never written again below {@code size}. */
    private static final class Rows {
        private final long[][] chunks;
        private final int size;

        Rows(long[][] chunks, int size) {
            this.chunks = chunks;
            this.size = size;
        }

        long get(int row, int column) {
            if (row < 0 || row >= size) {
                throw new IndexOutOfBoundsException("row " + row + " of " + size);
            }
            return chunks[row >>> Table.CHUNK_SHIFT][(row & (Table.CHUNK_ROWS - 1)) * 3 + column];
        }
    }

    /** Interns client names as small ids so an event stores an int instead of a reference. */
    private static final class ClientNames {
        private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
        private final List<String> names = new ArrayList<>();

        int id(String client) {
            Integer id = ids.get(client);
            return id != null ? id : ids.computeIfAbsent(client, this::register);
        }

        private synchronized int register(String client) {
            names.add(client);
            return names.size() - 1;
        }

        synchronized String[] snapshot() {
            return names.toArray(new String[0]);
        }
    }
}
