package io.yak.coordinator.cluster;

import io.yak.wire.log.LogText;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs refused broker registrations at WARN at most once per remote address (the peer's IP, not its port: a peer
 * that reconnects is the same peer) every {@value #INTERVAL_MS} ms; the refusals in between go to DEBUG and are
 * counted in that address's next WARN. A refused broker retries for as long as it runs, and a hostile peer may send
 * thousands of registrations a second (issue 19): the log must not grow with them.
 *
 * <p>Memory is bounded: at most {@value #MAX_ADDRESSES} addresses are remembered. When a new address comes while
 * the table is full, the address warned longest ago makes room if its interval is over (refusals counted for it and
 * not yet logged move to a shared count); otherwise the table holds only addresses warned within the interval, and
 * the new address's refusal is counted in that shared count and logged at DEBUG. The shared count is given in the
 * next WARN, whichever address it is for. So at most {@value #MAX_ADDRESSES} WARN lines are written per interval,
 * and no refusal goes uncounted.
 *
 * <p>Not thread-safe: owned by the thread that owns the {@link ClusterState}. Time is passed in ({@code nowMs}).
 */
final class RegistrationRefusals {
    /** A remote address gets at most one WARN per this many ms. */
    static final long INTERVAL_MS = 60_000;
    /** Addresses remembered at most. */
    static final int MAX_ADDRESSES = 1024;

    private final Logger log;
    /** By remote address; in the order of their last WARN (oldest first), so the head is the first to expire. */
    private final LinkedHashMap<String, Warned> byAddress = new LinkedHashMap<>();
    /** Refusals not logged at WARN and no longer (or never) counted under their own address. */
    private long othersNotWarned;

    RegistrationRefusals(Logger log) {
        this.log = log;
    }

    /** An address's last WARN and the refusals from it since. */
    private static final class Warned {
        final long warnedMs;
        long notWarned;

        Warned(long warnedMs) {
            this.warnedMs = warnedMs;
        }
    }

    /**
     * Logs one refused registration.
     *
     * @param remote the peer's address as {@link BrokerRegistry#remoteKey} makes it
     * @param host   the advertised host, as the peer sent it (escaped here)
     * @param reason why it was refused; contains nothing the peer chose unless escaped by the caller
     */
    void refused(String remote, int brokerId, String host, int port, String reason, long nowMs) {
        Warned w = byAddress.get(remote);
        if (w != null && nowMs - w.warnedMs < INTERVAL_MS) {
            w.notWarned++;
            if (log.isDebugEnabled()) {
                log.debug("rejecting registration of broker {} at {}:{} from {} again: {}", brokerId,
                    LogText.safe(host), port, remote, reason);
            }
            return;
        }
        if (w == null && !makeRoom(nowMs)) {
            othersNotWarned++;
            if (log.isDebugEnabled()) {
                log.debug("rejecting registration of broker {} at {}:{} from {}: {} (not logged at WARN: {} addresses"
                    + " warned within {} s)", brokerId, LogText.safe(host), port, remote, reason, MAX_ADDRESSES,
                    INTERVAL_MS / 1000);
            }
            return;
        }
        long mine = w == null ? 0 : w.notWarned;
        String counts = "";
        if (mine > 0 || othersNotWarned > 0) {
            counts = " (" + (mine > 0 ? mine + " more refused from " + remote + " since its last warning" : "")
                + (mine > 0 && othersNotWarned > 0 ? "; " : "")
                + (othersNotWarned > 0 ? othersNotWarned + " refused from other addresses not logged" : "")
                + "; logged at most once per address every " + INTERVAL_MS / 1000 + " s)";
        }
        log.warn("rejecting registration of broker {} at {}:{} from {}: {}{}", brokerId, LogText.safe(host), port,
            remote, reason, counts);
        othersNotWarned = 0;
        byAddress.remove(remote);
        byAddress.put(remote, new Warned(nowMs));
    }

    /** Frees a place when the table is full, if the oldest entry's interval is over; false when none is free. */
    private boolean makeRoom(long nowMs) {
        if (byAddress.size() < MAX_ADDRESSES) {
            return true;
        }
        Iterator<Map.Entry<String, Warned>> oldest = byAddress.entrySet().iterator();
        Warned w = oldest.next().getValue();
        if (nowMs - w.warnedMs < INTERVAL_MS) {
            return false;
        }
        othersNotWarned += w.notWarned;
        oldest.remove();
        return true;
    }

    /** How many addresses are remembered now (for tests of the bound). */
    int addresses() {
        return byAddress.size();
    }
}
