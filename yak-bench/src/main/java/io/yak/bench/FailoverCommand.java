package io.yak.bench;

import io.yak.bench.FailoverSignaller.Signal;
import io.yak.wire.config.HostPort;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code yak-bench failover}: like the Kafka anchor's {@code FailoverProbe} (F1 kill -9, F2 SIGTERM), see
 * {@link FailoverRunner}. Progress and notes go to stderr; stdout gets the one result line. Exit code 0 when no
 * acknowledged record was lost and none was read twice, 1 otherwise or when the run failed, 2 for bad options.
 */
@Command(name = "failover", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Availability and loss when a partition leader dies (like the Kafka anchor's FailoverProbe).",
        "Produces --rate records/s with acks=all for --seconds to a 3-partition topic with replication factor 3, "
            + "sends --signal to the process of the leader of --partition after --kill-after-seconds and leaves that "
            + "broker down, then reads everything back. Prints one line on stdout:",
        "  signal=S leader=ID pid=PID acked=N failed=N lost=N duplicated=N max_ack_gap_ms=G gap_start_s=T",
        "lost: acknowledged, never read back; duplicated: read more than once; max_ack_gap_ms: the longest time no "
            + "send was acknowledged (what a producer sees of the failover), beginning gap_start_s after the start. "
            + "Exit code 0 when nothing was lost or duplicated, else 1."})
final class FailoverCommand implements Callable<Integer> {
    @Option(names = "--coordinator", required = true, paramLabel = "HOST:PORT",
        description = "Coordinator of a running cluster of at least 3 brokers, each in its own process.")
    String coordinator;
    @Option(names = "--topic",
        description = "Topic; created with 3 partitions, replication factor 3 and min.insync.replicas=2 when "
            + "missing. Default: a new one, yak-failover-HHMMSS.")
    String topic;
    @Option(names = "--rate", defaultValue = "5000", paramLabel = "RECORDS_PER_S",
        description = "Records per second. Default: ${DEFAULT-VALUE}.")
    int rate;
    @Option(names = "--seconds", defaultValue = "30",
        description = "How long records are sent, signal included. Default: ${DEFAULT-VALUE}.")
    int seconds;
    @Option(names = "--kill-after-seconds", defaultValue = "10", paramLabel = "SECONDS",
        description = "When the signal is sent, counted from the first record. Default: ${DEFAULT-VALUE}.")
    int killAfterSeconds;
    @Option(names = "--signal", defaultValue = "KILL", paramLabel = "KILL|TERM",
        description = "KILL (kill -9: a crash) or TERM (a clean shutdown, which hands leaderships over first). "
            + "Default: ${DEFAULT-VALUE}.")
    String signal;
    @Option(names = "--partition", defaultValue = "0",
        description = "The partition whose leader is signalled. Default: ${DEFAULT-VALUE}.")
    int partition;
    @Option(names = "--pids", paramLabel = "ID=PID,...",
        description = "Process id of each broker, e.g. 1=4242,2=4243,3=4244. Default: the local process listening "
            + "on the leader's port, found through /proc (Linux; the brokers must run as this user or yak-bench "
            + "as root).")
    String pids;
    @Option(names = "--producer-prop", paramLabel = "KEY=VALUE",
        description = "Any producer key (see YakProducer), applied last; repeatable. The run sets acks=all, "
            + "linger.ms=1 and delivery.timeout.ms=120000, as the anchor's probe.")
    Map<String, String> producerProps = new LinkedHashMap<>();
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        String bootstrap;
        try {
            bootstrap = HostPort.parse(coordinator).toString();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--coordinator: " + e.getMessage());
        }
        Signal sig;
        Map<Integer, Long> pidMap;
        try { // their messages name the option
            sig = Signal.parse(signal);
            pidMap = pids == null ? Map.of() : FailoverSignaller.parsePids(pids);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        String name = topic != null ? topic
            : "yak-failover-" + LocalTime.now().format(DateTimeFormatter.ofPattern("HHmmss"));
        FailoverRunner.Settings settings = new FailoverRunner.Settings(bootstrap, name, rate, seconds,
            killAfterSeconds, sig, partition, producerProps);
        String problem = settings.validate();
        if (problem != null) {
            throw new CommandLine.ParameterException(cl, problem);
        }
        FailoverRunner.Outcome outcome;
        try {
            outcome = new FailoverRunner(settings, new FailoverSignaller(pidMap, ProcListeners.system()),
                cl.getErr()).run();
        } catch (UsageException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage(), e);
        }
        cl.getOut().println(outcome.line());
        cl.getOut().flush();
        return outcome.ok() ? 0 : 1;
    }
}
