package io.yak.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code yak-bench consume}: like {@code kafka-consumer-perf-test}. */
@Command(name = "consume", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Read a topic from the beginning and report throughput (like kafka-consumer-perf-test), counting "
        + "exactly --records records. When the topic holds fewer records than needed, the missing ones are produced "
        + "first (not measured).")
final class ConsumeCommand implements Callable<Integer> {
    @Mixin
    Options.TargetOptions target;
    @Option(names = "--topic", defaultValue = "yak-bench", description = "Default: ${DEFAULT-VALUE}.")
    String topic;
    @Option(names = "--partitions", defaultValue = "1",
        description = "Partitions when the topic is created. Default: ${DEFAULT-VALUE}.")
    int partitions;
    @Option(names = "--records", defaultValue = "1000000",
        description = "Records to measure. Default: ${DEFAULT-VALUE}.")
    long records;
    @Option(names = "--record-size", defaultValue = "100", paramLabel = "BYTES",
        description = "Value bytes of records produced to fill the topic. Default: ${DEFAULT-VALUE}.")
    int recordSize;
    @Option(names = "--consumers", defaultValue = "1",
        description = "Consumer instances, one thread each; partitions are dealt out between them, each to one "
            + "consumer (so at most one consumer per partition). Default: ${DEFAULT-VALUE}.")
    int consumers;
    @Option(names = "--group", paramLabel = "G",
        description = "Join consumer group G (the group protocol shares the partitions out, as Kafka's "
            + "ConsumerPerformance does) instead of assigning them, and report how long until every member had "
            + "partitions and had consumed. Use a fresh name: a group with committed offsets starts there.")
    String group;
    @Option(names = "--client-metrics",
        description = "Give the measuring consumers a Micrometer registry and print their yak.consumer.* meters "
            + "(METRICS.md) after the run.")
    boolean clientMetrics;
    @Mixin
    Options.ClientOptions client;
    @Mixin
    Options.OutputOptions output;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ClientSettings settings = client.settings(5).withClientMetrics(clientMetrics);
        if (group != null) {
            settings = settings.withConsumerProp("group.id", group);
        }
        WorkloadSpec w = new WorkloadSpec("consume", WorkloadSpec.Kind.CONSUME, topic, partitions, records, recordSize,
            -1, 1, consumers, settings);
        return Commands.execute(spec.commandLine(), List.of(w), target, output, 0);
    }
}
