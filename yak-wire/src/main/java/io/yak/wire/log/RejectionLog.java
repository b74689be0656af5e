package io.yak.wire.log;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
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
 * <p>Memory is bounded: at most {@link #MAX_TRACKED} (host, reason) pairs are remembered; the least recently
 * rejected one is dropped to make room, and its unlogged repeats are reported by the next flush as "other hosts".
 *
 * <p>Thread-safe: event loops of one server share an instance; counting is lock-free, the log bookkeeping locks
 * (only rejections take the lock, never a good request).
 */
public final class RejectionLog {
    /** Remembered (host, reason) pairs. */
    public static final int MAX_TRACKED = 4096;
    /** The default interval between two WARN lines about one host and reason. */
    public static final long DEFAULT_INTERVAL_MS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(RejectionLog.class);

    private final String serverName;
    private final long intervalMs;
    private final LongSupplier clockMs;
    private final EnumMap<RejectReason, LongAdder> counts = new EnumMap<>(RejectReason.class);
    private final LongAdder warnLines = new LongAdder();
    /** Guarded by this; access order, so the eldest entry is the least recently rejected. */
    private final LinkedHashMap<Key, Entry> tracked = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            if (size() > MAX_TRACKED) {
                evictedRepeats += eldest.getValue().repeats;
                return true;
            }
            return false;
        }
    };
    /** Guarded by this: repeats of dropped pairs not logged yet. */
    private long evictedRepeats;

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
            Key key = new Key(host, reason);
            Entry e = tracked.get(key);
            if (e == null) {
                tracked.put(key, new Entry(now));
                warn = true;
            } else if (now - e.warnedMs >= intervalMs) {
                repeats = e.repeats;
                e.warnedMs = now;
                e.repeats = 0;
                warn = true;
            } else {
                e.repeats++;
                warn = false;
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
     * Writes one WARN per host and reason whose repeats were not logged for an interval, with their count, and
     * forgets the pairs that stayed quiet for two intervals.
     */
    public void flush() {
        long now = clockMs.getAsLong();
        StringBuilder lines = null;
        synchronized (this) {
            for (Iterator<Map.Entry<Key, Entry>> it = tracked.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Entry> me = it.next();
                Entry e = me.getValue();
                if (now - e.warnedMs < intervalMs) {
                    continue;
                }
                if (e.repeats > 0) {
                    if (lines == null) {
                        lines = new StringBuilder();
                    }
                    lines.append(lines.isEmpty() ? "" : ", ").append(e.repeats).append(' ').append(me.getKey().reason)
                        .append(" from ").append(me.getKey().host);
                    e.repeats = 0;
                    e.warnedMs = now;
                } else if (now - e.warnedMs >= 2 * intervalMs) {
                    it.remove();
                }
            }
            if (evictedRepeats > 0) {
                if (lines == null) {
                    lines = new StringBuilder();
                }
                lines.append(lines.isEmpty() ? "" : ", ").append(evictedRepeats).append(" from other hosts");
                evictedRepeats = 0;
            }
        }
        if (lines != null) {
            warnLines.increment();
            LOG.warn("{}: rejected in the last {} s and not logged one by one: {}", serverName, intervalMs / 1000,
                lines);
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
