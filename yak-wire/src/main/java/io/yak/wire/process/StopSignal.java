package io.yak.wire.process;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A server process's stop on a signal ({@code SIGTERM}, Ctrl-C), whenever it comes: installed before anything
 * starts, the JVM's shutdown hook waits for a start in progress (up to a bound) and then closes what started, so a
 * signal during startup is logged and stops the server cleanly instead of ending the process without a word.
 *
 * <p>Use from {@code main}: {@link #install}, start, {@link #started} with what started (null if nothing did), then
 * {@link #awaitStop} to keep {@code main} alive until the hook has closed it.
 */
public final class StopSignal {
    /** How long a stop signal during startup waits for the start to finish before the process exits anyway. */
    public static final long START_WAIT_MS = 30_000;

    private final String name;
    private final Logger log;
    private final long startWaitMs;
    private final CountDownLatch startReturned = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile AutoCloseable server;

    StopSignal(String name, Logger log, long startWaitMs) {
        this.name = name;
        this.log = log;
        this.startWaitMs = startWaitMs;
    }

    /** Registers the shutdown hook (thread {@code yak-shutdown}); call before starting anything. */
    public static StopSignal install(String name, Logger log) {
        StopSignal signal = new StopSignal(name, log, START_WAIT_MS);
        Runtime.getRuntime().addShutdownHook(new Thread(signal::stop, "yak-shutdown"));
        return signal;
    }

    /** The start returned: {@code running} is what a stop must close, null when nothing started. */
    public void started(AutoCloseable running) {
        server = running;
        startReturned.countDown();
    }

    /** Blocks until a stop closed the server (an interrupt does not end the wait; it is kept for the caller). */
    public void awaitStop() {
        boolean interrupted = false;
        while (stopped.getCount() > 0) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The shutdown hook's work. */
    void stop() {
        try {
            if (startReturned.getCount() > 0) {
                log.info("{}: stop requested while starting; stopping once the start is done (at most {} s)", name,
                    TimeUnit.MILLISECONDS.toSeconds(startWaitMs));
                if (!startReturned.await(startWaitMs, TimeUnit.MILLISECONDS)) {
                    log.warn("{}: still starting after {} s; exiting without a clean stop", name,
                        TimeUnit.MILLISECONDS.toSeconds(startWaitMs));
                    return;
                }
            }
            AutoCloseable running = server;
            if (running != null) {
                log.info("{}: stopping", name);
                running.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.error("{}: error while stopping: {}", name, e.toString(), e);
        } finally {
            stopped.countDown();
        }
    }
}
