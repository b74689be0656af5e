package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.consumer.YakConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Reads a topic back from the start and checks it against the acknowledged records. */
final class ReadBack {
    private ReadBack() {
    }

    /** Every record of every partition below its high watermark (as the consumer sees the end), by partition. */
    static Map<Integer, List<ConsumerRecord>> readAll(String bootstrap, String topic, int partitions) {
        Properties props = new Properties();
        props.setProperty("coordinator", bootstrap);
        props.setProperty("auto.offset.reset", "earliest");
        Map<Integer, List<ConsumerRecord>> out = new HashMap<>();
        try (YakConsumer consumer = new YakConsumer(props)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
                out.put(p, new ArrayList<>());
            }
            consumer.assign(tps);
            consumer.seekToEnd(tps);
            Map<Integer, Long> end = new HashMap<>();
            for (TopicPartition tp : tps) {
                end.put(tp.partition(), consumer.position(tp));
            }
            consumer.seekToBeginning(tps);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !caughtUp(out, end)) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                    out.get(r.partition()).add(r);
                }
            }
            assertThat(caughtUp(out, end)).as("read %s up to the end offsets %s", topic, end).isTrue();
        }
        return out;
    }

    private static boolean caughtUp(Map<Integer, List<ConsumerRecord>> read, Map<Integer, Long> end) {
        for (Map.Entry<Integer, Long> e : end.entrySet()) {
            if (read.get(e.getKey()).size() < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Records that {@code offset} of {@code partition} was acknowledged for {@code value}.
     *
     * @throws AssertionError when that offset was acknowledged before for another record: that one was lost
     */
    static void acknowledge(Map<Long, String> acked, int partition, long offset, String value) {
        String previous = acked.putIfAbsent(offset, value);
        if (previous != null) {
            throw new AssertionError("offset " + offset + " of partition " + partition + " acknowledged for "
                + previous + " and again for " + value + ": the first acknowledged record was lost");
        }
    }

    /**
     * Each partition reads as offsets 0, 1, 2, ... with no gap, and every acknowledged record (partition, offset,
     * value; values are unique) is there with its value. Other offsets may hold records whose send failed or was
     * never answered: never at an acknowledged offset.
     *
     * @return the number of acknowledged records read
     */
    static int assertAcknowledgedReadBack(Map<Integer, List<ConsumerRecord>> read,
                                          Map<Integer, ? extends Map<Long, String>> acked) {
        int found = 0;
        for (Map.Entry<Integer, ? extends Map<Long, String>> e : acked.entrySet()) {
            List<ConsumerRecord> records = read.getOrDefault(e.getKey(), List.of());
            for (int i = 0; i < records.size(); i++) {
                assertThat(records.get(i).offset()).as("partition %d in order, no gap", e.getKey()).isEqualTo(i);
            }
            for (Map.Entry<Long, String> a : e.getValue().entrySet()) {
                long offset = a.getKey();
                assertThat(offset).as("acknowledged offset %d of partition %d is stored (%d records)", offset,
                    e.getKey(), records.size()).isLessThan(records.size());
                assertThat(new String(records.get((int) offset).value(), UTF_8))
                    .as("partition %d offset %d", e.getKey(), offset).isEqualTo(a.getValue());
                found++;
            }
        }
        return found;
    }

    /**
     * No value is stored twice, in any partition: what an idempotent producer guarantees even for the records whose
     * answers were lost and retried.
     */
    static void assertNoDuplicates(Map<Integer, List<ConsumerRecord>> read) {
        Map<String, String> seen = new HashMap<>();
        for (Map.Entry<Integer, List<ConsumerRecord>> e : read.entrySet()) {
            for (ConsumerRecord r : e.getValue()) {
                String where = e.getKey() + "@" + r.offset();
                String before = seen.putIfAbsent(new String(r.value(), UTF_8), where);
                assertThat(before).as("value %s stored at %s and again at %s", new String(r.value(), UTF_8), before,
                    where).isNull();
            }
        }
    }
}
