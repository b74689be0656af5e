package io.yak.client.cli;

import io.yak.client.admin.YakAdmin;
import io.yak.client.producer.YakProducer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code yak produce}: one record per stdin line (UTF-8). With {@code --key-separator S} a line is split at the
 * first S into key and value (a line without S becomes a record without key). At the end one summary line goes to
 * stderr; the exit code is 0 only when every record was acknowledged.
 */
@Command(name = "produce", description = "Publish stdin lines as records.", mixinStandardHelpOptions = true)
final class ProduceCommand implements Callable<Integer> {
    /** Distinct failure reasons printed, one line each, when records failed for several. */
    private static final int MAX_REASONS_SHOWN = 10;

    @ParentCommand
    YakCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to publish to.")
    String topic;

    @Option(names = "--key-separator", paramLabel = "S",
        description = "Split each line at the first S into key and value (default: no key).")
    String keySeparator;

    @Option(names = "--acks", paramLabel = "A", defaultValue = "all",
        description = "0, 1 or all (default: ${DEFAULT-VALUE}).")
    String acks;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
        description = "Producer setting, repeatable (e.g. max.request.size=4194304, linger.ms=5); overrides the "
            + "tool's own (acks from --acks, max.block.ms 15000, delivery.timeout.ms 30000).")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        if (!acks.equals("0") && !acks.equals("1") && !acks.equals("all") && !acks.equals("-1")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--acks must be 0, 1 or all, was " + acks);
        }
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        try (YakAdmin admin = CliClients.admin(root.coordinator)) {
            CliClients.checkReachable(admin);
        }
        Properties p = CliClients.base(root.coordinator, "producer");
        p.setProperty("acks", acks);
        p.setProperty("max.block.ms", "15000");
        // a record that cannot be delivered fails after 30 s instead of the library's 2 minutes
        p.setProperty("delivery.timeout.ms", "30000");
        AtomicLong acked = new AtomicLong();
        // why records failed, with how many failed for each reason (a batch that expired names its partition)
        Map<String, Long> reasons = new LinkedHashMap<>();
        long sent = 0;
        try (YakProducer producer = CliClients.client(spec, p, producerProperties, YakProducer::new);
             BufferedReader reader = new BufferedReader(new InputStreamReader(root.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                byte[] key = null;
                String value = line;
                if (keySeparator != null) {
                    int at = line.indexOf(keySeparator);
                    if (at >= 0) {
                        key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
                        value = line.substring(at + keySeparator.length());
                    }
                }
                sent++;
                producer.send(topic, key, value.getBytes(StandardCharsets.UTF_8)).whenComplete((md, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    } else {
                        String reason = YakCli.describe(unwrap(e), root.coordinator);
                        synchronized (reasons) {
                            reasons.merge(reason, 1L, Long::sum);
                        }
                    }
                });
            }
            producer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("reading stdin failed", e);
        }
        synchronized (reasons) { // the producer is closed: every callback has run
            long failed = reasons.values().stream().mapToLong(Long::longValue).sum();
            if (failed == 0 && acked.get() == sent) {
                root.err.println("yak: produced " + sent + " record(s) to " + topic);
                return 0;
            }
            String summary = "yak: produced " + acked.get() + " of " + sent + " record(s) to " + topic + "; "
                + failed + " failed";
            if (reasons.size() <= 1) {
                root.err.println(summary + (reasons.isEmpty() ? "" : ": " + reasons.keySet().iterator().next()));
                return 1;
            }
            root.err.println(summary + ", for " + reasons.size() + " reasons:");
            int shown = 0;
            for (Map.Entry<String, Long> r : reasons.entrySet()) {
                if (shown++ == MAX_REASONS_SHOWN) {
                    root.err.println("  ... and " + (reasons.size() - MAX_REASONS_SHOWN) + " more");
                    break;
                }
                root.err.println("  " + r.getValue() + " record(s): " + r.getKey());
            }
            return 1;
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
