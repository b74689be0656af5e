package io.yak.faults;

import io.yak.client.TopicPartition;
import io.yak.client.consumer.RecordHandler;
import io.yak.client.consumer.RecordView;
import io.yak.client.consumer.WakeupException;
import io.yak.client.consumer.YakConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * One consumer thread: assigns every partition of the topic, reads from the beginning, and records each polled
 * record in the {@link History}. When the consumer fails (any exception but the wake-up that stops it) it is closed
 * and replaced by a new one positioned after the last record this worker polled of each partition; each new
 * consumer is a new session in the history ({@link History#assign}).
 *
 * <p>Owned by its thread; {@link #stop()} from any thread wakes the consumer up and ends the loop.
 */
final class ConsumerWorker implements Runnable {
    private static final long RETRY_BACKOFF_MS = 500;

    private final String name;
    private final String topic;
    private final List<Integer> partitions = new ArrayList<>();
    private final History history;
    private final FaultLog log;
    private final Properties props;
    /** Per partition, the offset after the last record polled, -1 before the first. Owned by the thread. */
    private final long[] next;
    private final RecordHandler handler = this::polled;
    private volatile boolean running = true;
    private volatile YakConsumer current;
    private volatile Thread thread;
    private long failures;

    ConsumerWorker(String name, String bootstrap, String topic, int partitionCount, History history, FaultLog log) {
        this.name = name;
        this.topic = topic;
        this.history = history;
        this.log = log;
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(p);
        }
        next = new long[partitionCount];
        java.util.Arrays.fill(next, -1);
        props = new Properties();
        props.setProperty("coordinator", bootstrap);
        props.setProperty("client.id", name);
        props.setProperty("auto.offset.reset", "earliest");
        props.setProperty("request.timeout.ms", "5000");
        props.setProperty("connect.timeout.ms", "3000");
        props.setProperty("fetch.max.wait.ms", "500");
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
        YakConsumer c = current;
        if (c != null) {
            c.wakeup();
        }
    }

    void join(long timeoutMs) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(timeoutMs);
        }
    }

    @Override
    public void run() {
        while (running) {
            try (YakConsumer consumer = new YakConsumer(props)) {
                current = consumer;
                if (!running) {
                    return;
                }
                position(consumer);
                while (running) {
                    consumer.poll(Duration.ofMillis(500), handler);
                }
            } catch (WakeupException e) {
                return;
            } catch (RuntimeException e) {
                failures++;
                if (failures <= 20 || failures % 100 == 0) {
                    log.info(name + ": consumer failed (" + failures + " so far), starting a new one: " + e);
                }
                Pause.ms(RETRY_BACKOFF_MS);
            } finally {
                current = null;
            }
        }
    }

    private void position(YakConsumer consumer) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p : partitions) {
            tps.add(new TopicPartition(topic, p));
        }
        consumer.assign(tps);
        for (TopicPartition tp : tps) {
            long offset = next[tp.partition()];
            if (offset < 0) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset);
            }
        }
        history.assign(name, partitions);
    }

    private void polled(RecordView r) {
        long value = r.valueLength() == Long.BYTES ? r.valueLong(0) : -1;
        history.poll(name, r.partition(), r.offset(), value);
        next[r.partition()] = r.offset() + 1;
    }
}
