package io.yak.bench;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code yak-bench e2e}: like {@code kafka-e2e-latency}. */
@Command(name = "e2e", mixinStandardHelpOptions = true, sortOptions = false,
    description = "End-to-end latency (like kafka-e2e-latency): one producer and one consumer in this process, "
        + "one record in flight; latency = from send until both the consumer's poll returned the record and its "
        + "send was acknowledged.")
final class E2eCommand implements Callable<Integer> {
    @Mixin
    Options.TargetOptions target;
    @Option(names = "--topic", defaultValue = "yak-bench-e2e", description = "Default: ${DEFAULT-VALUE}.")
    String topic;
    @Option(names = "--partitions", defaultValue = "1",
        description = "Partitions when the topic is created. Default: ${DEFAULT-VALUE}.")
    int partitions;
    @Option(names = "--records", defaultValue = "20000",
        description = "Round trips to measure. Default: ${DEFAULT-VALUE}.")
    long records;
    @Option(names = "--record-size", defaultValue = "100", paramLabel = "BYTES",
        description = "Value bytes, at least 16. Default: ${DEFAULT-VALUE}.")
    int recordSize;
    @Mixin
    Options.ClientOptions client;
    @Mixin
    Options.OutputOptions output;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        WorkloadSpec w = new WorkloadSpec("e2e", WorkloadSpec.Kind.E2E, topic, partitions, records, recordSize, -1, 1,
            1, client.settings(0));
        return Commands.execute(spec.commandLine(), List.of(w), target, output, 0);
    }
}
