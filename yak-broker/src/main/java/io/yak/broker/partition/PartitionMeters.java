package io.yak.broker.partition;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.yak.broker.log.PartitionLog;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one partition, tagged {@code topic} and {@code partition} ({@code METRICS.md}): they read counters
 * the partition keeps in plain fields, so the publish and consume paths never look a meter up. Registered when the
 * partition's log opens on this broker (it holds a replica), removed when its topic is deleted.
 */
final class PartitionMeters {
    private PartitionMeters() {
    }

    static void register(MeterRegistry registry, Partition p) {
        Tags tags = Tags.of("topic", p.topic, "partition", Integer.toString(p.partition));
        p.meters = List.of(
            FunctionCounter.builder("yak.broker.records.in", p, q -> q.recordsIn).tags(tags)
                .description("records appended as the partition's leader").register(registry),
            FunctionCounter.builder("yak.broker.traffic.in", p, q -> q.bytesIn).tags(tags).baseUnit("bytes")
                .description("bytes of record batches appended as the partition's leader").register(registry),
            FunctionCounter.builder("yak.broker.records.out", p, q -> q.recordsOut.get()).tags(tags)
                .description("records sent to consumers").register(registry),
            FunctionCounter.builder("yak.broker.traffic.out", p, q -> q.bytesOut.get()).tags(tags).baseUnit("bytes")
                .description("bytes of record batches sent to consumers").register(registry),
            gauge(registry, "yak.broker.log.end.offset", p, tags, PartitionLog::logEndOffset, null,
                "offset the next appended record gets"),
            gauge(registry, "yak.broker.log.start.offset", p, tags, PartitionLog::logStartOffset, null,
                "first offset still stored"),
            gauge(registry, "yak.broker.high.watermark", p, tags, PartitionLog::highWatermark, null,
                "offset up to which every in-sync replica has the records (what consumers can read)"),
            gauge(registry, "yak.broker.log.size", p, tags, PartitionLog::sizeInBytes, "bytes",
                "bytes of records in the partition's segments"),
            gauge(registry, "yak.broker.log.segments", p, tags, PartitionLog::segmentCount, null,
                "segment files of the partition"));
    }

    private static Meter gauge(MeterRegistry registry, String name, Partition p, Tags tags,
                               ToDoubleFunction<PartitionLog> value, String unit, String description) {
        return Gauge.builder(name, p, q -> {
            PartitionLog log = q.log;
            return log == null ? Double.NaN : value.applyAsDouble(log);
        }).tags(tags).baseUnit(unit).description(description).register(registry);
    }

    static void remove(MeterRegistry registry, Partition p) {
        List<Meter> meters = p.meters;
        if (meters != null) {
            p.meters = null;
            for (Meter m : meters) {
                registry.remove(m);
            }
        }
    }
}
