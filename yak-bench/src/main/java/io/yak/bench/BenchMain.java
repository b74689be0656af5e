package io.yak.bench;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar yak-bench.jar <produce|consume|e2e|all|failover> [options]}: YaK's throughput and latency tool,
 * in the spirit of Kafka's perf tools ({@code failover}: the anchor's FailoverProbe against a running cluster).
 * Without {@code --coordinator} it starts an embedded standalone node in a temporary directory and deletes it
 * afterwards. Exit codes: 0 every record acknowledged/read, 1 a workload failed, 2 bad
 * arguments (the usage, then one line saying why).
 */
@Command(name = "yak-bench", mixinStandardHelpOptions = true,
    subcommands = {ProduceCommand.class, ConsumeCommand.class, E2eCommand.class, AllCommand.class,
        FailoverCommand.class, CommitsCommand.class},
    description = "YaK throughput and latency tool (produce, consume, e2e, all; failover).")
public final class BenchMain implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing subcommand: produce, consume, e2e, all or failover");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool in-process; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new BenchMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, badArgs) -> {
            // The usage of the (sub)command it concerns, then one line saying what is wrong: last, so it stays on
            // screen below a long usage (as Kafka's perf tools print their argument errors).
            CommandLine where = e.getCommandLine();
            where.usage(err);
            err.println(e.getMessage());
            err.flush();
            return where.getCommandSpec().exitCodeOnInvalidInput();
        });
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            out.flush();
            err.println("yak-bench: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            err.flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
