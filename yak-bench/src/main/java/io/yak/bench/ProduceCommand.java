package io.yak.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code yak-bench produce}: like {@code kafka-producer-perf-test}. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Produce records and report throughput and send-to-acknowledgement latency "
        + "(like kafka-producer-perf-test).")
final class ProduceCommand implements Callable<Integer> {
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
        description = "Value bytes per record (no key). Default: ${DEFAULT-VALUE}.")
    int recordSize;
    @Option(names = "--throughput", defaultValue = "-1", paramLabel = "RECORDS_PER_S",
        description = "Cap over all producers; -1 = unlimited. With a cap, latency counts from each record's due "
            + "time (coordinated-omission correction). Default: ${DEFAULT-VALUE}.")
    long throughput;
    @Option(names = "--producers", defaultValue = "1",
        description = "Producer instances, one thread each. Default: ${DEFAULT-VALUE}.")
    int producers;
    @Option(names = "--client-metrics",
        description = "Give the producers a Micrometer registry and print their yak.producer.* meters (METRICS.md) "
            + "after the run.")
    boolean clientMetrics;
    @Mixin
    Options.ClientOptions client;
    @Mixin
    Options.OutputOptions output;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WorkloadSpec w = new WorkloadSpec("produce", WorkloadSpec.Kind.PRODUCE, topic, partitions, records, recordSize,
            throughput, producers, 1, client.settings(5).withClientMetrics(clientMetrics));
        return Commands.execute(spec.commandLine(), List.of(w), target, output, 0);
    }
}
