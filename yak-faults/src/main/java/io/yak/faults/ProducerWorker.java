package io.yak.faults;

import io.yak.client.YakException;
import io.yak.client.producer.SendCallback;
import io.yak.client.producer.YakProducer;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One producer thread: sends unique values (8 bytes, big-endian, no key) to the topic's partitions in turn at a
 * paced rate with acks=all, and records every completion in the {@link History}: {@code OK} with its offset,
 * {@code FAILED} only when {@code send} itself refused the record (it never entered a batch, so it cannot be
 * stored), {@code UNKNOWN} for every other error: a failure after the record went out (a timeout, retries
 * exhausted, a lost answer) says nothing about whether a leader stored it.
 *
 * <p>Owned by its thread; {@link #stop()} from any thread ends the loop, after which the thread flushes and closes
 * the producer (bounded by {@code delivery.timeout.ms}).
 */
final class ProducerWorker implements Runnable {
    static final long REQUEST_TIMEOUT_MS = 4000;
    static final long DELIVERY_TIMEOUT_MS = 20_000;
    /**
     * An impatient producer gives up within most faults' hold: its sends end UNKNOWN, and the sequences after a
     * batch that failed for good are renumbered in a new epoch, the path a patient producer never takes.
     */
    static final long IMPATIENT_REQUEST_TIMEOUT_MS = 1500;
    static final long IMPATIENT_DELIVERY_TIMEOUT_MS = 4000;
    /** Records waiting for an answer at most: an outage slows the producer down instead of queueing a backlog. */
    private static final int MAX_IN_FLIGHT = 2000;
    /** Falling further behind the pace than this restarts it, so a producer that was blocked does not burst. */
    private static final long MAX_LAG_NS = TimeUnit.SECONDS.toNanos(1);

    private final String name;
    private final String topic;
    private final int partitions;
    private final double recordsPerSecond;
    private final AtomicLong values;
    private final History history;
    private final FaultLog log;
    private final Properties props;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final SendCallback completion = this::completed;
    private volatile boolean running = true;
    private volatile Thread thread;
    /** True only while this thread is inside {@code send}: a callback then is a synchronous refusal. */
    private boolean inSend;
    private volatile boolean idempotent;

    ProducerWorker(String name, String bootstrap, String topic, int partitions, double recordsPerSecond,
                   AtomicLong values, History history, FaultLog log, boolean impatient) {
        this.name = name;
        this.topic = topic;
        this.partitions = partitions;
        this.recordsPerSecond = recordsPerSecond;
        this.values = values;
        this.history = history;
        this.log = log;
        props = new Properties();
        props.setProperty("coordinator", bootstrap);
        props.setProperty("client.id", name);
        props.setProperty("acks", "all");
        props.setProperty("linger.ms", "5");
        props.setProperty("request.timeout.ms",
            Long.toString(impatient ? IMPATIENT_REQUEST_TIMEOUT_MS : REQUEST_TIMEOUT_MS));
        props.setProperty("delivery.timeout.ms",
            Long.toString(impatient ? IMPATIENT_DELIVERY_TIMEOUT_MS : DELIVERY_TIMEOUT_MS));
        props.setProperty("max.block.ms", "5000");
        props.setProperty("retry.backoff.ms", "100");
    }

    Thread start() {
        Thread t = new Thread(this, "yak-faults-" + name);
        t.setDaemon(true);
        thread = t;
        t.start();
        return t;
    }

    void stop() {
        running = false;
    }

    /** Waits for the thread to flush and close its producer. */
    boolean awaitDrained(long timeoutMs) throws InterruptedException {
        Thread t = thread;
        if (t == null) {
            return true;
        }
        t.join(timeoutMs);
        return !t.isAlive();
    }

    boolean idempotent() {
        return idempotent;
    }

    @Override
    public void run() {
        try (YakProducer producer = newProducer()) {
            int partition = 0;
            long startNs = System.nanoTime();
            long sent = 0;
            while (running) {
                long dueNs = startNs + (long) (sent * 1e9 / recordsPerSecond);
                long now = System.nanoTime();
                if (dueNs - now > 0) {
                    LockSupport.parkNanos(dueNs - now);
                    continue;
                }
                if (now - dueNs > MAX_LAG_NS) {
                    startNs = now;
                    sent = 0;
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                send(producer, partition, values.incrementAndGet());
                partition = (partition + 1) % partitions;
                sent++;
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.info(name + ": stopped by " + e);
        }
    }

    private void send(YakProducer producer, int partition, long value) {
        byte[] bytes = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            bytes[i] = (byte) (value >>> (56 - 8 * i));
        }
        inSend = true;
        try {
            producer.send(topic, partition, null, bytes, System.currentTimeMillis(), completion, value);
        } catch (RuntimeException e) {
            // Thrown before the record entered a batch: it cannot have been stored.
            inFlight.release();
            history.send(name, partition, value, History.Outcome.FAILED, -1);
            throw e;
        } finally {
            inSend = false;
        }
    }

    /** Runs on the sender thread, or on this thread inside {@code send} when it refused the record. */
    private void completed(long value, String topic, int partition, long offset, long timestamp, YakException error) {
        inFlight.release();
        if (error == null) {
            history.send(name, partition, value, History.Outcome.OK, offset);
        } else if (inSend && Thread.currentThread() == thread) {
            history.send(name, partition, value, History.Outcome.FAILED, -1);
        } else {
            history.send(name, partition, value, History.Outcome.UNKNOWN, -1);
        }
    }

    /** Idempotence is the producer's default once it exists; asking for it explicitly where the key is known. */
    private YakProducer newProducer() {
        Properties withIdempotence = new Properties();
        withIdempotence.putAll(props);
        withIdempotence.setProperty("enable.idempotence", "true");
        try {
            YakProducer p = new YakProducer(withIdempotence);
            idempotent = true;
            return p;
        } catch (RuntimeException e) {
            if (String.valueOf(e.getMessage()).contains("enable.idempotence")) {
                return new YakProducer(props);
            }
            throw e;
        }
    }
}
