package io.yak.bench;

import java.util.Map;
import java.util.Properties;

/**
 * Client settings shared by the workloads of one run.
 *
 * @param acks           producer {@code acks}: 0, 1, all or -1
 * @param batchSize      producer {@code batch.size} in bytes
 * @param lingerMs       producer {@code linger.ms}
 * @param warmupRecords  records sent (or read, or round trips made) before measuring starts; not reported
 * @param idleTimeoutMs  a consumer gives up after this long without data
 * @param producerProps  extra producer keys ({@code --producer-prop}), applied last
 * @param consumerProps  extra consumer keys ({@code --consumer-prop}), applied last
 * @param clientMetrics  the measured clients record their Micrometer meters, printed after the run
 *                       ({@code --client-metrics})
 */
record ClientSettings(String acks, int batchSize, long lingerMs, long warmupRecords, long idleTimeoutMs,
                      Map<String, String> producerProps, Map<String, String> consumerProps, boolean clientMetrics) {
    ClientSettings {
        producerProps = Map.copyOf(producerProps);
        consumerProps = Map.copyOf(consumerProps);
    }

    /** Settings whose clients record no meters. */
    ClientSettings(String acks, int batchSize, long lingerMs, long warmupRecords, long idleTimeoutMs,
                   Map<String, String> producerProps, Map<String, String> consumerProps) {
        this(acks, batchSize, lingerMs, warmupRecords, idleTimeoutMs, producerProps, consumerProps, false);
    }

    ClientSettings withAcks(String newAcks) {
        return new ClientSettings(newAcks, batchSize, lingerMs, warmupRecords, idleTimeoutMs, producerProps,
            consumerProps, clientMetrics);
    }

    ClientSettings withConsumerProp(String key, String value) {
        Map<String, String> props = new java.util.LinkedHashMap<>(consumerProps);
        props.put(key, value);
        return new ClientSettings(acks, batchSize, lingerMs, warmupRecords, idleTimeoutMs, producerProps, props,
            clientMetrics);
    }

    ClientSettings withLingerMs(long newLingerMs) {
        return new ClientSettings(acks, batchSize, newLingerMs, warmupRecords, idleTimeoutMs, producerProps,
            consumerProps, clientMetrics);
    }

    ClientSettings withClientMetrics(boolean on) {
        return new ClientSettings(acks, batchSize, lingerMs, warmupRecords, idleTimeoutMs, producerProps,
            consumerProps, on);
    }

    /** Null when valid, else one line naming the option. */
    String validate() {
        if (!acks.equals("0") && !acks.equals("1") && !acks.equals("-1") && !acks.equalsIgnoreCase("all")) {
            return "--acks must be 0, 1, all or -1, was '" + acks + "'";
        }
        if (batchSize < 1) {
            return "--batch-size must be at least 1 byte, was " + batchSize;
        }
        if (lingerMs < 0) {
            return "--linger-ms must not be negative, was " + lingerMs;
        }
        if (warmupRecords < 0) {
            return "--warmup-records must not be negative, was " + warmupRecords;
        }
        if (idleTimeoutMs < 1) {
            return "--idle-timeout-ms must be positive, was " + idleTimeoutMs;
        }
        return null;
    }

    Properties producerProperties(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("acks", acks);
        p.setProperty("batch.size", Integer.toString(batchSize));
        p.setProperty("linger.ms", Long.toString(lingerMs));
        p.putAll(producerProps);
        return p;
    }

    /** Reads from the first offset (no group: nothing committed, nothing to commit). */
    Properties consumerProperties(String bootstrap) {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("auto.offset.reset", "earliest");
        p.putAll(consumerProps);
        return p;
    }
}
