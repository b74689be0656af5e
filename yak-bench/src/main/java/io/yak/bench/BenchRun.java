package io.yak.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs workloads one after another against one target, prints each result and then the summary table, and writes
 * the {@code --json} file and {@code --report} directory.
 */
final class BenchRun {
    private final String coordinator;
    private final Map<String, String> nodeProps;
    private final long pauseMs;
    private final Path json;
    private final Path report;
    private final String command;
    private final PrintWriter out;

    /**
     * @param coordinator null for an embedded node
     * @param nodeProps   standalone keys for the embedded node
     * @param pauseMs     pause between workloads (the embedded node's JVM also collects garbage then)
     */
    BenchRun(String coordinator, Map<String, String> nodeProps, long pauseMs, Path json, Path report, String command,
             PrintWriter out) {
        this.coordinator = coordinator;
        this.nodeProps = Map.copyOf(nodeProps);
        this.pauseMs = pauseMs;
        this.json = json;
        this.report = report;
        this.command = command;
        this.out = out;
    }

    /** @return 0 when every workload completed every record, 1 otherwise */
    int execute(List<WorkloadSpec> specs) throws Exception {
        String startedAt = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Result> results = new ArrayList<>();
        RunInfo info;
        try (Target target = Target.open(coordinator, nodeProps, out)) {
            info = new RunInfo(command, startedAt, target.embedded(), target.bootstrap());
            for (int i = 0; i < specs.size(); i++) {
                WorkloadSpec spec = specs.get(i);
                if (i > 0) {
                    pause(target.embedded());
                }
                out.println();
                WorkloadSpec found = onTopic(spec, target.bootstrap());
                Result r = run(found, target);
                Summaries.print(r, out);
                results.add(r);
            }
        }
        String markdown = Summaries.markdown(results);
        out.println();
        out.println("## Summary");
        out.println();
        out.print(markdown);
        String document = Summaries.json(info, results);
        if (json != null) {
            createParent(json);
            Files.writeString(json, document);
            out.println("JSON summary: " + json);
        }
        if (report != null) {
            List<Path> files = ReportWriter.write(report, results, "# yak-bench " + startedAt + "\n\n`" + command
                + "`\n\n" + markdown, document);
            out.printf(Locale.ROOT, "report: %d files in %s%n", files.size(), report);
        }
        out.flush();
        return results.stream().allMatch(Result::ok) ? 0 : 1;
    }

    /**
     * Creates or finds the workload's topic and prints the workload's header line with what will run (the topic's
     * actual partition count, the consumers used), followed by a note for each difference from what was asked.
     */
    private WorkloadSpec onTopic(WorkloadSpec spec, String bootstrap) {
        Topics.Found topic = Topics.ensure(bootstrap, spec.topic(), spec.partitions(), spec.replication());
        WorkloadSpec found = spec.onTopic(topic.partitionCount());
        out.println("== " + found.describe());
        if (topic.note() != null) {
            out.println(topic.note());
        }
        if (found.consumers() < spec.consumers()) {
            out.printf("note: %d consumers asked for, but topic %s has %d partitions: using %d%n", spec.consumers(),
                spec.topic(), found.partitions(), found.consumers());
        }
        out.flush();
        return found;
    }

    private Result run(WorkloadSpec spec, Target target) throws Exception {
        return switch (spec.kind()) {
            case PRODUCE -> ProduceRunner.run(spec, target.bootstrap(), target.newProbe(), out);
            case CONSUME -> ConsumeRunner.run(spec, target.bootstrap(), target.newProbe(), out);
            case E2E -> E2eRunner.run(spec, target.bootstrap(), target.newProbe(), out);
        };
    }

    private void pause(boolean embedded) throws InterruptedException {
        if (pauseMs <= 0) {
            return;
        }
        out.printf(Locale.ROOT, "pausing %,d ms between workloads%s%n", pauseMs,
            embedded ? " (and collecting garbage in the embedded node's JVM)" : "");
        out.flush();
        if (embedded) {
            System.gc();
        }
        Thread.sleep(pauseMs);
    }

    private static void createParent(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
    }
}
