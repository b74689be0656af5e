package io.yak.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of a run: {@code producers} paced producers sharing {@code recordsPerSecond} and drawing values from
 * one counter (so every value is unique; every second one impatient, see {@link ProducerWorker}), and {@code consumers} consumers reading every partition, all recording
 * into one {@link History}. Started and stopped by the run's thread.
 */
final class Workload {
    private final List<ProducerWorker> producers = new ArrayList<>();
    private final List<ConsumerWorker> consumers = new ArrayList<>();
    private final FaultLog log;

    Workload(String bootstrap, String topic, int partitions, int producerCount, int consumerCount,
             double recordsPerSecond, History history, FaultLog log) {
        this.log = log;
        AtomicLong values = new AtomicLong();
        for (int i = 1; i <= producerCount; i++) {
            producers.add(new ProducerWorker("producer-" + i, bootstrap, topic, partitions,
                recordsPerSecond / producerCount, values, history, log, i % 2 == 0));
        }
        for (int i = 1; i <= consumerCount; i++) {
            consumers.add(new ConsumerWorker("consumer-" + i, bootstrap, topic, partitions, history, log));
        }
    }

    void start() {
        producers.forEach(ProducerWorker::start);
        consumers.forEach(ConsumerWorker::start);
    }

    /**
     * Stops sending and waits until every record sent has its answer (acknowledged or failed: bounded by the
     * producers' delivery timeout) and the producers are closed.
     *
     * @return whether every producer finished within {@code timeoutMs}
     */
    boolean drainProducers(long timeoutMs) throws InterruptedException {
        producers.forEach(ProducerWorker::stop);
        long deadline = System.currentTimeMillis() + timeoutMs;
        boolean all = true;
        for (ProducerWorker p : producers) {
            all &= p.awaitDrained(Math.max(1, deadline - System.currentTimeMillis()));
        }
        if (!all) {
            log.info("producers not drained within " + timeoutMs + " ms: their open sends stay unanswered");
        }
        return all;
    }

    void stopConsumers() throws InterruptedException {
        consumers.forEach(ConsumerWorker::stop);
        for (ConsumerWorker c : consumers) {
            c.join(15_000);
        }
    }

    /** Whether the producers run idempotent (the client accepted {@code enable.idempotence}). */
    boolean idempotent() {
        return !producers.isEmpty() && producers.stream().allMatch(ProducerWorker::idempotent);
    }
}
