package io.yak.bench;

import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar yak-bench.jar produce [options]}: produces N records as fast as the client allows and reports
 * records/s and MB/s, with one progress line per second. Without {@code --coordinator} it starts an embedded
 * standalone node in a temporary directory and deletes it afterwards.
 */
@Command(name = "yak-bench", mixinStandardHelpOptions = true, subcommands = {BenchMain.Produce.class},
    description = "YaK throughput tool.")
public final class BenchMain implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (produce)");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the tool in-process; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new BenchMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("yak-bench: " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    @Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Produce records and report throughput (like kafka-producer-perf-test).")
    static final class Produce implements Callable<Integer> {
        @Option(names = "--coordinator", description = "HOST:PORT; default: an embedded standalone node")
        String coordinator;
        @Option(names = "--topic", defaultValue = "yak-bench")
        String topic;
        @Option(names = "--partitions", defaultValue = "1")
        int partitions;
        @Option(names = "--records", defaultValue = "1000000")
        long records;
        @Option(names = "--record-size", defaultValue = "100", description = "value bytes")
        int recordSize;
        @Option(names = "--acks", defaultValue = "1")
        String acks;
        @Option(names = "--batch-size", defaultValue = "65536")
        int batchSize;
        @Option(names = "--linger-ms", defaultValue = "5")
        int lingerMs;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            if (records <= 0 || recordSize < 0 || partitions <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--records and --partitions must be positive, --record-size must not be negative");
            }
            PrintWriter out = spec.commandLine().getOut();
            Path tmp = null;
            EmbeddedNode node = null;
            String bootstrap = coordinator;
            if (bootstrap == null) {
                tmp = Files.createTempDirectory("yak-bench");
                node = EmbeddedNode.start(tmp);
                bootstrap = node.bootstrap();
                out.println("embedded standalone node on " + bootstrap + ", data in " + tmp);
            }
            try {
                return produce(bootstrap, out);
            } finally {
                if (node != null) {
                    node.close();
                    EmbeddedNode.delete(tmp);
                }
            }
        }

        private int produce(String bootstrap, PrintWriter out) throws Exception {
            try (YakAdmin admin = YakAdmin.connect(bootstrap)) {
                admin.createTopic(topic, partitions);
            } catch (YakException e) {
                if (e.errorCode() != ErrorCode.TOPIC_ALREADY_EXISTS) {
                    throw e;
                }
            }
            Properties p = new Properties();
            p.setProperty("coordinator", bootstrap);
            p.setProperty("acks", acks);
            p.setProperty("batch.size", Integer.toString(batchSize));
            p.setProperty("linger.ms", Integer.toString(lingerMs));
            byte[] value = new byte[recordSize];
            new Random(42).nextBytes(value);
            AtomicLong acked = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicReference<Throwable> firstError = new AtomicReference<>();
            ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "yak-bench-progress");
                t.setDaemon(true);
                return t;
            });
            long start = System.nanoTime();
            AtomicLong lastCount = new AtomicLong();
            progress.scheduleAtFixedRate(() -> {
                long now = acked.get();
                long delta = now - lastCount.getAndSet(now);
                out.printf("%,d records acknowledged, %,d records/s, %.1f MB/s%n", now, delta,
                    delta * (double) recordSize / 1e6);
            }, 1, 1, TimeUnit.SECONDS);
            try (YakProducer producer = new YakProducer(p)) {
                for (long i = 0; i < records; i++) {
                    producer.send(topic, null, value).whenComplete((md, e) -> {
                        if (e == null) {
                            acked.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            firstError.compareAndSet(null, e);
                        }
                    });
                }
                producer.flush();
            } finally {
                progress.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            out.printf("records %d, acknowledged %d, failed %d, %.2f s, %,.0f records/s, %.1f MB/s%n", records,
                acked.get(), failed.get(), seconds, acked.get() / seconds, acked.get() * (double) recordSize / 1e6
                    / seconds);
            if (firstError.get() != null) {
                out.println("first error: " + firstError.get());
            }
            return failed.get() == 0 && acked.get() == records ? 0 : 1;
        }
    }
}
