package io.yak.wire.log;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts every rejection of a server and logs it without letting a hostile peer flood the log (issue 19: 2.5
 * million bad frames wrote 904,000 WARN lines). Per remote host and {@link RejectReason}, the first rejection is
 * logged at WARN with its detail; later ones within {@link #intervalMs} are counted and logged at DEBUG, and
 * {@link #flush()} (which the server calls every interval) writes one WARN per host and reason with the count of
 * the repeats. Hosts are IP addresses without the port: a peer opening new connections is still one host.
 *
 * <p>Log volume and memory are bounded whatever the number of hosts: at most {@link #MAX_WARNS_PER_INTERVAL}
 * single WARN lines are written per interval, and at most {@link #MAX_TRACKED} (host, reason) pairs are remembered
 * (a pair quiet for two intervals is forgotten by {@link #flush()}). A rejection past either bound is counted and
 * reported by the next flush as "from other hosts".
 *
 * <p>Thread-safe: event loops of one server share an instance; counting is lock-free, the log bookkeeping locks
 * (only rejections take the lock, never a good request).
 */
public final class RejectionLog {
    /** Remembered (host, reason) pairs. */
    public static final int MAX_TRACKED = 4096;
    /** Single WARN lines per interval, over all hosts; the rest go into the flush's summary line. */
    public static final int MAX_WARNS_PER_INTERVAL = 100;
    /** Host and reason pairs named in one summary line; the rest are summed. */
    public static final int MAX_PAIRS_PER_SUMMARY = 20;
    /** The default interval between two WARN lines about one host and reason. */
    public static final long DEFAULT_INTERVAL_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);

    private final String serverName;
    private final long intervalMs;
    private final LongSupplier clockMs;
    private final EnumMap<RejectReason, LongAdder> counts = new EnumMap<>(RejectReason.class);
    private final LongAdder warnLines = new LongAdder();
    /** Guarded by this. */
    private final HashMap<Key, Entry> tracked = new HashMap<>();
    /** Guarded by this: rejections not logged one by one and not counted under a tracked pair, since the flush. */
    private long othersNotWarned;
    /** Guarded by this: single WARN lines written in the current interval, and when it started. */
    private int warnsInInterval;
    private long intervalStartMs;

    /** With the default interval and the system clock. */
    public RejectionLog(String serverName) {
        this(serverName, DEFAULT_INTERVAL_MS, System::currentTimeMillis);
    }

    /**
     * @param serverName starts each line ("broker 1", "coordinator")
     * @param clockMs    milliseconds, for the interval only
     */
    public RejectionLog(String serverName, long intervalMs, LongSupplier clockMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs " + intervalMs + " <= 0");
        }
        this.serverName = serverName;
        this.intervalMs = intervalMs;
        this.clockMs = clockMs;
        for (RejectReason r : RejectReason.values()) {
            counts.put(r, new LongAdder());
        }
    }

    /**
     * Counts one rejection and logs it (WARN the first time per host and reason within the interval, else DEBUG).
     *
     * @param remote the peer; the port is ignored
     * @param detail what was wrong, with the values; any peer-supplied text in it must already be
     *               {@link LogText#safe escaped}
     */
    public void reject(SocketAddress remote, RejectReason reason, String detail) {
        counts.get(reason).increment();
        String host = host(remote);
        long now = clockMs.getAsLong();
        boolean warn;
        long repeats = 0;
        synchronized (this) {
            if (now - intervalStartMs >= intervalMs) {
                intervalStartMs = now;
                warnsInInterval = 0;
            }
            Key key = new Key(host, reason);
            Entry e = tracked.get(key);
            if (e != null && now - e.warnedMs < intervalMs) {
                e.repeats++;
                warn = false;
            } else if (warnsInInterval >= MAX_WARNS_PER_INTERVAL || (e == null && tracked.size() >= MAX_TRACKED)) {
                othersNotWarned++;
                warn = false;
            } else {
                if (e == null) {
                    e = new Entry(now);
                    tracked.put(key, e);
                } else {
                    repeats = e.repeats;
                    e.warnedMs = now;
                    e.repeats = 0;
                }
                warnsInInterval++;
                warn = true;
            }
        }
        if (warn) {
            warnLines.increment();
            if (repeats > 0) {
                LOG.warn("{}: {} from {}: {} ({} more from that host since the last line; logged at most every {} s)",
                    serverName, reason, remote, detail, repeats, intervalMs / 1000);
            } else {
                LOG.warn("{}: {} from {}: {}", serverName, reason, remote, detail);
            }
        } else {
            LOG.debug("{}: {} from {}: {}", serverName, reason, remote, detail);
        }
    }

    /** Counts a rejection that its owner logs itself, with a rate limit of its own. */
    public void countOnly(RejectReason reason) {
        counts.get(reason).increment();
    }

    /**
     * Writes one WARN line with the repeats not logged one by one (per host and reason, the first
     * {@value #MAX_PAIRS_PER_SUMMARY} pairs named, the rest summed), and forgets the pairs that stayed quiet for two
     * intervals. The server calls it every interval.
     */
    public void flush() {
        long now = clockMs.getAsLong();
        StringBuilder line = new StringBuilder();
        synchronized (this) {
            int named = 0;
            long unnamed = 0;
            for (Iterator<Map.Entry<Key, Entry>> it = tracked.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Entry> me = it.next();
                Entry e = me.getValue();
                if (now - e.warnedMs < intervalMs) {
                    continue;
                }
                if (e.repeats > 0) {
                    if (named < MAX_PAIRS_PER_SUMMARY) {
                        line.append(line.isEmpty() ? "" : ", ").append(e.repeats).append(' ')
                            .append(me.getKey().reason).append(" from ").append(me.getKey().host);
                        named++;
                    } else {
                        unnamed += e.repeats;
                    }
                    e.repeats = 0;
                    e.warnedMs = now;
                } else if (now - e.warnedMs >= 2 * intervalMs) {
                    it.remove();
                }
            }
            long others = unnamed + othersNotWarned;
            if (others > 0) {
                line.append(line.isEmpty() ? "" : ", ").append(others).append(" from other hosts");
                othersNotWarned = 0;
            }
        }
        if (!line.isEmpty()) {
            warnLines.increment();
            LOG.warn("{}: rejected in the last {} s and not logged one by one: {}", serverName, intervalMs / 1000,
                line);
        }
    }

    /** Rejections counted for {@code reason} since start. */
    public long count(RejectReason reason) {
        return counts.get(reason).sum();
    }

    /** Rejections counted since start, all reasons. */
    public long total() {
        long sum = 0;
        for (LongAdder a : counts.values()) {
            sum += a.sum();
        }
        return sum;
    }

    /** WARN lines written since start: what a flood of rejections costs the log. */
    public long warnLines() {
        return warnLines.sum();
    }

    public String serverName() {
        return serverName;
    }

    public long intervalMs() {
        return intervalMs;
    }

    private static String host(SocketAddress remote) {
        if (remote instanceof InetSocketAddress isa) {
            InetAddress a = isa.getAddress();
            return a != null ? a.getHostAddress() : LogText.safe(isa.getHostString());
        }
        return String.valueOf(remote);
    }

    private record Key(String host, RejectReason reason) {
    }

    private static final class Entry {
        long warnedMs;
        long repeats;

        Entry(long warnedMs) {
            this.warnedMs = warnedMs;
        }
    }
}
