package io.yak.client.cli;

import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.wire.config.HostPort;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code yak} command line: {@code topics create|list|describe|alter|delete}, {@code groups
 * list|describe|delete|reset-offsets}, {@code configs describe}, {@code produce}, {@code consume}, {@code cluster}. Data goes to stdout, diagnostics to stderr as one line each ({@code yak: ...}). Exit codes:
 * 0 success, 1 runtime error (unreachable coordinator, unknown topic, failed records), 2 bad arguments.
 */
@Command(name = "yak", mixinStandardHelpOptions = true, version = "yak 0.1.0",
    description = "Command-line client for a YaK cluster.",
    subcommands = {TopicsCommand.class, GroupsCommand.class, ConfigsCommand.class, ProduceCommand.class,
        ConsumeCommand.class, ClusterCommand.class})
public final class YakCli implements Callable<Integer> {
    /** Connect timeout of CLI clients: an unreachable coordinator is reported quickly. */
    static final int CLI_CONNECT_TIMEOUT_MS = 3000;

    @Option(names = "--coordinator", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7000",
        scope = CommandLine.ScopeType.INHERIT, converter = HostPortConverter.class,
        description = "Coordinator address (default: ${DEFAULT-VALUE}).")
    HostPort coordinator;

    @Spec
    CommandLine.Model.CommandSpec spec;

    final InputStream in;
    final PrintStream out;
    final PrintStream err;

    YakCli(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing command: topics, groups, configs, produce, consume or cluster");
    }

    public static void main(String[] args) {
        if (System.getProperty("yak.log.level") == null) {
            System.setProperty("yak.log.level", "WARN");
        }
        System.exit(run(System.in, System.out, System.err, args));
    }

    /** Runs one command line with the given streams; returns the exit code. For main and in-process tests. */
    public static int run(InputStream in, PrintStream out, PrintStream err, String... args) {
        YakCli root = new YakCli(in, out, err);
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cmd.setParameterExceptionHandler((ex, a) -> {
            // picocli words a bad KEY=VALUE as "Value for option option '--config' ..."
            String message = ex.getMessage().replace("option option", "option");
            err.println("yak: " + message + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName()
                + " --help')");
            return CommandLine.ExitCode.USAGE;
        });
        cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
            err.println("yak: " + describe(ex, root.coordinator));
            return CommandLine.ExitCode.SOFTWARE;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** One line for an error: what failed, with the values. */
    static String describe(Throwable ex, HostPort coordinator) {
        if (ex instanceof YakConnectionException ce) {
            String who = coordinator != null && coordinator.toString().equals(ce.address()) ? "coordinator "
                : "broker ";
            return "cannot reach " + who + ce.address() + ": " + ce.reason();
        }
        if (ex instanceof YakException ye) {
            return ye.getMessage() + (ye.getMessage().contains(ye.errorCode().name()) ? ""
                : " (" + ye.errorCode() + ")");
        }
        if (ex instanceof CliException) {
            return ex.getMessage();
        }
        return ex.toString();
    }

    /** A runtime failure the CLI reports as one line and exit code 1. */
    static final class CliException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CliException(String message) {
            super(message);
        }
    }

    /**
     * Parses {@code host:port}; bad input is a usage error. Port 0 ("any free port" to a server) names no
     * coordinator a client could reach, so it is refused too.
     */
    static final class HostPortConverter implements CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            HostPort hostPort;
            try {
                hostPort = HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
            if (hostPort.port() == 0) {
                throw new CommandLine.TypeConversionException("'" + value + "' has port 0; a coordinator listens on "
                    + "a port in 1..65535");
            }
            return hostPort;
        }
    }
}
