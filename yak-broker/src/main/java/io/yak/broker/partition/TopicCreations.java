package io.yak.broker.partition;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The topics a broker asked the coordinator to auto-create and has not seen in a cluster view yet, so that many
 * requests for one unknown topic ask once. Bounded (issue 19): a client naming random topics cannot grow the
 * broker's memory; past {@link #MAX_TOPICS_BEING_CREATED} an unknown topic is not asked for, and a name not created
 * within {@link #CREATE_RETRY_MS} (the coordinator refused it, or the request never left) frees its place and may
 * be asked for again.
 *
 * <p>Thread-safe: event loops claim, the coordinator link's thread confirms, {@code yak-log-timer} expires.
 */
final class TopicCreations {
    /** Topics being created at most (give or take one per event loop racing for the last place). */
    static final int MAX_TOPICS_BEING_CREATED = 1024;
    /** After this long without the topic showing up, a request for it asks again. */
    static final long CREATE_RETRY_MS = 10_000;

    private static final Logger LOG = LoggerFactory.getLogger(TopicCreations.class);

    private final int brokerId;
    /** Monotonic milliseconds. */
    private final LongSupplier nowMs;
    /** By topic (valid names only): when it was asked for. */
    private final ConcurrentHashMap<String, Long> asked = new ConcurrentHashMap<>();
    /** Set when the table is full and that was logged; cleared once it has room again. */
    private final AtomicBoolean fullLogged = new AtomicBoolean();

    TopicCreations(int brokerId, LongSupplier nowMs) {
        this.brokerId = brokerId;
        this.nowMs = nowMs;
    }

    /**
     * Whether this request should ask for {@code topic} (a valid name) to be created: not asked yet, or asked
     * {@link #CREATE_RETRY_MS} ago without result, and there is room.
     */
    boolean claim(String topic) {
        long now = nowMs.getAsLong();
        Long askedMs = asked.get(topic);
        if (askedMs != null) {
            return now - askedMs >= CREATE_RETRY_MS && asked.replace(topic, askedMs, now);
        }
        if (asked.size() >= MAX_TOPICS_BEING_CREATED) {
            if (fullLogged.compareAndSet(false, true)) {
                LOG.warn("broker {}: {} topics are waiting to be created, the most this broker asks for at once; "
                    + "requests naming other unknown topics get UNKNOWN_TOPIC without a creation until some appear "
                    + "or {} ms pass", brokerId, MAX_TOPICS_BEING_CREATED, CREATE_RETRY_MS);
            }
            return false;
        }
        return asked.putIfAbsent(topic, now) == null;
    }

    /** A cluster view shows {@code topic}: it is no longer being created. */
    void appeared(String topic) {
        asked.remove(topic);
    }

    /** Forgets the topics asked for {@link #CREATE_RETRY_MS} ago or earlier that no cluster view has shown since. */
    void expire() {
        long now = nowMs.getAsLong();
        asked.values().removeIf(askedMs -> now - askedMs >= CREATE_RETRY_MS);
        if (asked.size() < MAX_TOPICS_BEING_CREATED) {
            fullLogged.set(false);
        }
    }

    int size() {
        return asked.size();
    }
}
