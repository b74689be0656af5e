package io.yak.bench;

import io.yak.wire.config.HostPort;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Option groups the subcommands share (picocli mixins). */
final class Options {
    private Options() {
    }

    /** Where to run. */
    static final class TargetOptions {
        @Option(names = "--coordinator", paramLabel = "HOST:PORT",
            description = "Coordinator of a running cluster. Default: start an embedded standalone node (coordinator "
                + "+ broker in this JVM) with its data in a temporary directory.")
        String coordinator;

        @Option(names = "--node-prop", paramLabel = "KEY=VALUE",
            description = "A standalone-node key for the embedded node (see conf/standalone.properties), e.g. "
                + "log.threads=2 or flush.messages=1; repeatable.")
        Map<String, String> nodeProps = new LinkedHashMap<>();

        /** @throws CommandLine.ParameterException for a malformed address or node keys with a remote cluster */
        String coordinator(CommandLine cl) {
            if (coordinator == null) {
                return null;
            }
            if (!nodeProps.isEmpty()) {
                throw new CommandLine.ParameterException(cl, "--node-prop configures the embedded node; it cannot "
                    + "be combined with --coordinator");
            }
            try {
                return HostPort.parse(coordinator).toString();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--coordinator: " + e.getMessage());
            }
        }
    }

    /** Producer and consumer settings. */
    static final class ClientOptions {
        @Option(names = "--acks", defaultValue = "1",
            description = "Producer acks: 0, 1, all or -1. Default: ${DEFAULT-VALUE}.")
        String acks;

        @Option(names = "--batch-size", defaultValue = "16384", paramLabel = "BYTES",
            description = "Producer batch.size. Default: ${DEFAULT-VALUE} (Kafka's default, as the anchor runs it).")
        int batchSize;

        @Option(names = "--linger-ms", paramLabel = "MS",
            description = "Producer linger.ms. Default: 5 (Kafka's default); e2e: 0.")
        Long lingerMs;

        @Option(names = "--warmup-records", defaultValue = "0", paramLabel = "N",
            description = "Records sent, read or round-tripped before measuring starts. Default: ${DEFAULT-VALUE}.")
        long warmupRecords;

        @Option(names = "--idle-timeout-ms", defaultValue = "10000", paramLabel = "MS",
            description = "A consumer gives up after this long without a record. Default: ${DEFAULT-VALUE}.")
        long idleTimeoutMs;

        @Option(names = "--producer-prop", paramLabel = "KEY=VALUE",
            description = "Any producer key (see YakProducer), applied last; repeatable.")
        Map<String, String> producerProps = new LinkedHashMap<>();

        @Option(names = "--consumer-prop", paramLabel = "KEY=VALUE",
            description = "Any consumer key (see YakConsumer), applied last; repeatable.")
        Map<String, String> consumerProps = new LinkedHashMap<>();

        ClientSettings settings(long defaultLingerMs) {
            return new ClientSettings(acks, batchSize, lingerMs == null ? defaultLingerMs : lingerMs, warmupRecords,
                idleTimeoutMs, producerProps, consumerProps);
        }
    }

    /** Machine-readable output. */
    static final class OutputOptions {
        @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON to FILE.")
        Path json;

        @Option(names = "--report", paramLabel = "DIR",
            description = "Also write, per workload, the HdrHistogram percentile distribution (.hgrm) and SVG charts "
                + "of throughput over time and of the latency percentile curve, plus summary.md and summary.json.")
        Path report;
    }
}
