package io.yak.client.producer;

import io.yak.client.internal.CommonConfig;
import io.yak.wire.FrameLayout;
import java.util.Locale;
import java.util.Properties;

/**
 * Validated producer settings. Keys (defaults): {@code coordinator} (127.0.0.1:7000), {@code client.id},
 * {@code request.timeout.ms} (30000), {@code connect.timeout.ms} (10000), {@code retry.backoff.ms} (100),
 * {@code batch.size} (16384 bytes), {@code linger.ms} (5), {@code acks} (0, 1, all or -1; all, as in Kafka 4: a
 * record is acknowledged once every in-sync replica has it, or refused while fewer than the topic's
 * {@code min.insync.replicas} are in sync; 1: once the leader stored it; 0: not at all),
 * {@code retries} (Integer.MAX_VALUE), {@code delivery.timeout.ms} (120000, at least linger.ms +
 * request.timeout.ms), {@code buffer.memory} (33554432 bytes), {@code max.block.ms} (60000),
 * {@code max.in.flight.requests.per.connection} (5 PUBLISH requests per connection), {@code max.request.size}
 * (1048576 bytes: largest batch of a single record, and the most record-batch bytes one PUBLISH carries when it
 * packs several ready batches of a partition, less 512 bytes kept for the request header; keep it at most the
 * brokers' {@code max.frame.bytes}, 8 MiB by default), {@code enable.idempotence} (true, as in Kafka 3+: each batch
 * carries the producer id, a per-partition epoch and sequence numbers, so the leader stores a retried batch once; it
 * needs {@code acks=all}, {@code retries} above 0 and at most 5 requests in flight per connection: set explicitly
 * with other values it is refused, left unset it is turned off, as Kafka does). Unknown keys are rejected.
 */
record ProducerConfig(CommonConfig common, int batchSize, long lingerMs, short acks, int retries,
                      long deliveryTimeoutMs, long bufferMemory, long maxBlockMs, int maxInFlightPerConnection,
                      int maxRequestSize, boolean idempotence) {
    /** Kafka's limit: the broker remembers the last 5 batches of a producer per partition. */
    static final int MAX_IN_FLIGHT_WITH_IDEMPOTENCE = 5;

    /** Room for the frame header and the PUBLISH fields before the records. */
    static final int MAX_REQUEST_SIZE_LIMIT = FrameLayout.DEFAULT_MAX_FRAME_BYTES - 1024;

    static ProducerConfig from(Properties props) {
        ProducerConfig[] out = new ProducerConfig[1];
        CommonConfig.parse(props, "producer config", r -> {
            CommonConfig common = CommonConfig.read(r, "producer");
            int batchSize = r.intValue("batch.size", 16_384, 1, MAX_REQUEST_SIZE_LIMIT);
            long lingerMs = r.longValue("linger.ms", 5, 0, 3_600_000);
            short acks = parseAcks(r.string("acks", "all"));
            int retries = r.intValue("retries", Integer.MAX_VALUE, 0, Integer.MAX_VALUE);
            long deliveryTimeoutMs = r.longValue("delivery.timeout.ms", 120_000, 1, Integer.MAX_VALUE);
            long bufferMemory = r.longValue("buffer.memory", 32L * 1024 * 1024, 1, Long.MAX_VALUE);
            long maxBlockMs = r.longValue("max.block.ms", 60_000, 0, Long.MAX_VALUE / 2_000_000);
            int maxInFlight = r.intValue("max.in.flight.requests.per.connection", 5, 1, 64);
            int maxRequestSize = r.intValue("max.request.size", 1024 * 1024, 1, MAX_REQUEST_SIZE_LIMIT);
            boolean explicit = r.has("enable.idempotence");
            boolean idempotence = r.bool("enable.idempotence", true);
            String conflict = acks != -1 ? "acks=all" : retries == 0 ? "retries above 0"
                : maxInFlight > MAX_IN_FLIGHT_WITH_IDEMPOTENCE ? "max.in.flight.requests.per.connection at most "
                + MAX_IN_FLIGHT_WITH_IDEMPOTENCE : null;
            if (idempotence && conflict != null) {
                if (explicit) {
                    throw new io.yak.wire.config.ConfigException("producer config: key 'enable.idempotence' = true "
                        + "needs " + conflict);
                }
                idempotence = false;
            }
            if (deliveryTimeoutMs < lingerMs + common.requestTimeoutMs()) {
                throw new io.yak.wire.config.ConfigException("producer config: key 'delivery.timeout.ms' = "
                    + deliveryTimeoutMs + " must be at least linger.ms + request.timeout.ms = "
                    + (lingerMs + common.requestTimeoutMs()));
            }
            if (batchSize > bufferMemory) {
                throw new io.yak.wire.config.ConfigException("producer config: key 'batch.size' = " + batchSize
                    + " exceeds buffer.memory " + bufferMemory);
            }
            out[0] = new ProducerConfig(common, batchSize, lingerMs, acks, retries, deliveryTimeoutMs, bufferMemory,
                maxBlockMs, maxInFlight, maxRequestSize, idempotence);
        });
        return out[0];
    }

    private static short parseAcks(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "all":
            case "-1":
                return -1;
            case "0":
                return 0;
            case "1":
                return 1;
            default:
                throw new io.yak.wire.config.ConfigException(
                    "producer config: key 'acks' must be 0, 1, all or -1, was '" + v + "'");
        }
    }
}
