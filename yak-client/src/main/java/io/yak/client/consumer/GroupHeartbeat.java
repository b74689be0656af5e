package io.yak.client.consumer;

import io.yak.wire.log.LogText;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background thread of a group member (Kafka's heartbeat thread): sends a heartbeat every
 * {@code heartbeat.interval.ms} while the member has a stable generation, so slow record processing between polls
 * does not cost it its partitions; and when the application has not polled for {@code max.poll.interval.ms}, makes
 * the member leave, so a stuck consumer does not hold partitions the others could read.
 */
final class GroupHeartbeat implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupHeartbeat.class);
    private static final long MAX_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ConsumerCoordinator coordinator;
    private final LongSupplier nanoClock;
    private final long intervalNs;
    private final long maxPollIntervalNs;
    private final String name;
    private Thread thread;
    private volatile boolean stopped;
    private volatile boolean inFlight;
    private long lastSentNs;

    GroupHeartbeat(ConsumerCoordinator coordinator, ConsumerConfig config, LongSupplier nanoClock) {
        this.coordinator = coordinator;
        this.nanoClock = nanoClock;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(config.heartbeatIntervalMs());
        this.maxPollIntervalNs = TimeUnit.MILLISECONDS.toNanos(config.maxPollIntervalMs());
        this.name = "yak-consumer-heartbeat-" + LogText.safe(config.common().clientId());
    }

    /** Starts the thread on the member's first generation; later calls do nothing. */
    synchronized void start() {
        if (thread == null && !stopped) {
            thread = new Thread(this, name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    void stop() {
        Thread t;
        synchronized (this) {
            stopped = true;
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void run() {
        lastSentNs = nanoClock.getAsLong() - intervalNs;
        while (!stopped) {
            try {
                beat();
            } catch (RuntimeException e) {
                LOG.error("{}: heartbeat failed unexpectedly", name, e);
            }
            LockSupport.parkNanos(Math.min(MAX_SLEEP_NS, intervalNs));
        }
    }

    private void beat() {
        ConsumerCoordinator.Identity id = coordinator.heartbeatIdentity();
        if (id == null) {
            return;
        }
        long now = nanoClock.getAsLong();
        long sincePoll = now - coordinator.lastPollNs();
        if (sincePoll > maxPollIntervalNs) {
            coordinator.pollTimedOut(id, TimeUnit.NANOSECONDS.toMillis(sincePoll));
            return;
        }
        if (inFlight || now - lastSentNs < intervalNs) {
            return;
        }
        inFlight = true;
        lastSentNs = now;
        coordinator.sendHeartbeat(id).whenComplete((m, e) -> {
            inFlight = false;
            coordinator.onHeartbeat(id, m, e);
        });
    }
}
