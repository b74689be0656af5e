package io.yak.faults;

import io.yak.client.TopicPartition;
import io.yak.client.consumer.YakConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * The final read of a healed, quiet cluster: every partition from its first offset up to its end (the high
 * watermark, as a fresh consumer's {@code seekToEnd} finds it once the producers are closed), through a new
 * consumer that reads from the leaders, each record recorded with {@link History#readBack}. A failing consumer is
 * replaced and continues where the last one stopped, so no record is recorded twice. Used by the run's thread.
 */
final class FinalRead {
    private final String bootstrap;
    private final String topic;
    private final int partitions;
    private final History history;
    private final FaultLog log;
    /** Per partition, the next offset to read; -1 before the first. */
    private final long[] next;
    private final long[] end;

    FinalRead(String bootstrap, String topic, int partitions, History history, FaultLog log) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.partitions = partitions;
        this.history = history;
        this.log = log;
        next = new long[partitions];
        end = new long[partitions];
        Arrays.fill(next, -1);
        Arrays.fill(end, -1);
    }

    /** Reads until every partition is read to its end or {@code timeoutMs} passes; true when complete. */
    boolean run(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (System.nanoTime() - deadline < 0) {
            try (YakConsumer consumer = new YakConsumer(props())) {
                List<TopicPartition> tps = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    tps.add(new TopicPartition(topic, p));
                }
                consumer.assign(tps);
                for (TopicPartition tp : tps) {
                    if (end[tp.partition()] < 0) {
                        consumer.seekToEnd(List.of(tp));
                        end[tp.partition()] = consumer.position(tp);
                    }
                    if (next[tp.partition()] < 0) {
                        consumer.seekToBeginning(List.of(tp));
                    } else {
                        consumer.seek(tp, next[tp.partition()]);
                    }
                }
                while (!complete() && System.nanoTime() - deadline < 0) {
                    consumer.poll(Duration.ofMillis(500), r -> {
                        history.readBack(r.partition(), r.offset(), r.valueLength() == Long.BYTES ? r.valueLong(0) : -1);
                        next[r.partition()] = r.offset() + 1;
                    });
                }
                if (complete()) {
                    log.info("read back every partition to its end " + Arrays.toString(end));
                    return true;
                }
            } catch (RuntimeException e) {
                log.info("read-back consumer failed, starting a new one: " + e);
                Pause.ms(500);
            }
        }
        log.warn("read-back incomplete after " + timeoutMs + " ms: read up to " + Arrays.toString(next)
            + " of ends " + Arrays.toString(end));
        return false;
    }

    private boolean complete() {
        for (int p = 0; p < partitions; p++) {
            if (end[p] < 0 || (end[p] > 0 && next[p] < end[p])) {
                return false;
            }
        }
        return true;
    }

    /** The end offsets found, -1 where unknown. */
    long[] ends() {
        return end.clone();
    }

    private Properties props() {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("client.id", "yak-faults-read-back");
        p.setProperty("auto.offset.reset", "earliest");
        p.setProperty("request.timeout.ms", "5000");
        p.setProperty("max.poll.records", "5000");
        return p;
    }
}
