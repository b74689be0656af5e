package io.yak.bench;

import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.net.Connection;
import io.yak.wire.net.NetworkClient;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code yak-bench commits}: how many offset commits per second the coordinator acknowledges (each durable before
 * its answer), from one connection with {@code --in-flight} requests pipelined, spread over the partitions of one
 * topic. Progress each second on stderr; one result line on stdout.
 */
@Command(name = "commits", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Offset commits per second acknowledged by the coordinator (durable before each answer).",
        "Prints one line on stdout: commits=N failed=N seconds=S commits_per_s=R"})
final class CommitsCommand implements Callable<Integer> {
    @Option(names = "--coordinator", paramLabel = "HOST:PORT",
        description = "Coordinator of a running cluster. Default: an embedded standalone node in a temporary "
            + "directory.")
    String coordinator;
    @Option(names = "--topic", defaultValue = "yak-bench-commits",
        description = "Topic whose partitions the commits name; created when missing. Default: ${DEFAULT-VALUE}.")
    String topic;
    @Option(names = "--partitions", defaultValue = "6",
        description = "Partitions of the topic when it is created. Default: ${DEFAULT-VALUE}.")
    int partitions;
    @Option(names = "--group", defaultValue = "yak-bench-commits", description = "Group. Default: ${DEFAULT-VALUE}.")
    String group;
    @Option(names = "--seconds", defaultValue = "10", description = "How long to commit. Default: ${DEFAULT-VALUE}.")
    int seconds;
    @Option(names = "--in-flight", defaultValue = "64", paramLabel = "N",
        description = "Commits pipelined on the connection. Default: ${DEFAULT-VALUE}.")
    int inFlight;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if (seconds < 1 || inFlight < 1 || inFlight > NetworkClient.DEFAULT_MAX_IN_FLIGHT || partitions < 1) {
            throw new CommandLine.ParameterException(cl, "--seconds, --partitions and --in-flight must be at least "
                + "1 (--in-flight at most " + NetworkClient.DEFAULT_MAX_IN_FLIGHT + ")");
        }
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        if (coordinator != null) {
            try {
                return run(HostPort.parse(coordinator), out, err);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--coordinator: " + e.getMessage());
            }
        }
        Path dir = Files.createTempDirectory("yak-bench-commits");
        try (EmbeddedNode node = EmbeddedNode.start(dir)) {
            return run(HostPort.parse(node.bootstrap()), out, err);
        } finally {
            EmbeddedNode.delete(dir);
        }
    }

    private int run(HostPort address, PrintWriter out, PrintWriter err) throws Exception {
        int count;
        try (YakAdmin admin = YakAdmin.connect(address.toString())) {
            try {
                admin.createTopic(topic, partitions, YakAdmin.DEFAULT_REPLICATION_FACTOR, Map.of());
            } catch (YakException e) {
                if (e.errorCode() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                    throw e;
                }
            }
            count = admin.describeTopic(topic).partitions().size();
        }
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong lastError = new AtomicLong(-1);
        try (NetworkClient client = NetworkClient.builder("yak-bench-commits").maxInFlight(inFlight).build()) {
            Connection c = client.connection(address);
            Semaphore window = new Semaphore(inFlight);
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long nextReport = start + TimeUnit.SECONDS.toNanos(1);
            long reported = 0;
            for (long n = 0; System.nanoTime() < end; n++) {
                window.acquire();
                c.send(new CommitOffsetRequest(group, topic, (int) (n % count), n / count)).whenComplete((r, e) -> {
                    if (e == null && ((CommitOffsetResponse) r).error() == ErrorCode.NONE) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                        lastError.set(e == null ? ((CommitOffsetResponse) r).error().code() : -2);
                    }
                    window.release();
                });
                long now = System.nanoTime();
                if (now >= nextReport) {
                    long done = ok.get();
                    err.printf("commits %5.1f s %,12d acknowledged %,10d/s %,d failed%n", (now - start) / 1e9, done,
                        done - reported, failed.get());
                    err.flush();
                    reported = done;
                    nextReport += TimeUnit.SECONDS.toNanos(1);
                }
            }
            window.acquire(inFlight); // every answer is in
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (failed.get() > 0) {
                err.println("last failure: " + (lastError.get() == -2 ? "no answer"
                    : ErrorCode.of((int) lastError.get())));
            }
            out.printf("commits=%d failed=%d seconds=%.1f commits_per_s=%.0f%n", ok.get(), failed.get(), elapsed,
                ok.get() / elapsed);
            out.flush();
        }
        return failed.get() == 0 ? 0 : 1;
    }
}
