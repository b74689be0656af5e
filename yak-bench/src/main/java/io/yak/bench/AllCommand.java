package io.yak.bench;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code yak-bench all}: the standard workloads W1-W5, one summary table. */
@Command(name = "all", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run the standard workloads W1..W5 (the Apache Kafka anchor's set) one after another on fresh "
        + "topics and print one summary table.",
        "The workloads:",
        "  W1  produce 5,000,000 x 100 B, 1 partition, acks=1, unlimited",
        "  W2  produce 1,000,000 x 1024 B, 1 partition, acks=1",
        "  W3  produce 5,000,000 x 100 B, 3 partitions, acks=all",
        "  W4  consume W1's topic from the beginning",
        "  W5  end-to-end latency, 20,000 x 100 B, acks=1, one in flight",
        "With --replicated (a cluster of 3 or more brokers, --coordinator), instead, every topic with replication "
            + "factor 3 and min.insync.replicas=2 (the anchor's bench-kafka-cluster.sh):",
        "  W6  produce 5,000,000 x 100 B, 3 partitions, acks=all",
        "  W7  produce 1,000,000 x 1024 B, 3 partitions, acks=all",
        "  W8  end-to-end latency, 20,000 x 100 B, 1 partition, acks=all, one in flight"})
final class AllCommand implements Callable<Integer> {
    private static final double MAX_SCALE = 100;

    @Mixin
    Options.TargetOptions target;
    @Option(names = "--topic", defaultValue = "yak-bench", paramLabel = "PREFIX",
        description = "Topic prefix; the topics are PREFIX-HHMMSS-w1 ... Default: ${DEFAULT-VALUE}.")
    String topicPrefix;
    @Option(names = "--scale", defaultValue = "1",
        description = "Multiplies every record count (e.g. 0.01 for a quick run). Default: ${DEFAULT-VALUE}.")
    double scale;
    @Option(names = "--pause-ms", defaultValue = "3000", paramLabel = "MS",
        description = "Pause between workloads, as the Kafka anchor script does. Default: ${DEFAULT-VALUE}.")
    long pauseMs;
    @Option(names = "--replicated",
        description = "Run the replicated workloads W6..W8 instead of W1..W5; needs --coordinator of a cluster "
            + "with at least 3 brokers.")
    boolean replicated;
    @Mixin
    Options.ClientOptions client;
    @Mixin
    Options.OutputOptions output;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (!(scale > 0) || scale > MAX_SCALE) {
            throw new CommandLine.ParameterException(cl, "--scale must be > 0 and <= " + MAX_SCALE + ", was " + scale);
        }
        if (cl.getParseResult().hasMatchedOption("--acks")) {
            throw new CommandLine.ParameterException(cl, "--acks is fixed by the workloads of all: W3 and W6..W8 use "
                + "acks=all, the others acks=1");
        }
        if (pauseMs < 0) {
            throw new CommandLine.ParameterException(cl, "--pause-ms must not be negative, was " + pauseMs);
        }
        if (replicated && target.coordinator == null) {
            throw new CommandLine.ParameterException(cl, "--replicated needs --coordinator of a cluster with at least "
                + "3 brokers: the embedded node has one, so it cannot hold 3 replicas");
        }
        String prefix = topicPrefix + "-" + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        return Commands.execute(cl, replicated
            ? StandardWorkloads.replicatedSpecs(prefix, scale, client.settings(5))
            : StandardWorkloads.specs(prefix, scale, client.settings(5)), target, output, pauseMs);
    }
}
