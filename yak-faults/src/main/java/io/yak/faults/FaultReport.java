package io.yak.faults;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run found: the checker's verdict and the harness's own findings (servers that crashed, faults that could
 * not be injected or healed, replicas that could not be read, a cluster that did not heal), with the mode it ran
 * in. {@link #passed()} only when all are clean. Immutable.
 *
 * @param networkWarning why network faults did not run, null when they did
 */
record FaultReport(long seed, CheckResult result, int faults, long acknowledged, long readBack, String networkWarning,
                   boolean idempotentProducers,
                   List<String> crashes, List<String> errors, List<String> problems, List<String> faultLines,
                   Path workDir) {
    FaultReport {
        crashes = List.copyOf(crashes);
        errors = List.copyOf(errors);
        problems = List.copyOf(problems);
        faultLines = List.copyOf(faultLines);
    }

    boolean passed() {
        return result.valid() && crashes.isEmpty() && errors.isEmpty() && problems.isEmpty();
    }

    /** The summary printed at the end of every run, the same for the IT and the long form. */
    String summary() {
        List<String> lines = new ArrayList<>();
        lines.add("==================== yak-faults summary ====================");
        lines.add(String.format("%-22s %d (replay: --seed %d, or -Dyak.faults.seed=%d in the IT)", "seed", seed, seed,
            seed));
        lines.add(String.format("%-22s %s", "mode", networkWarning == null
            ? "network namespaces: process and network faults"
            : "WARN: PROCESS FAULTS ONLY, network partitions NOT tested: " + networkWarning));
        lines.add(String.format("%-22s %s", "idempotent producers", idempotentProducers ? "yes"
            : "no (the client does not know enable.idempotence: duplicates from retries are expected)"));
        lines.addAll(List.of(result.summary(faults).split("\n")));
        if (!result.anomalies().isEmpty()) {
            lines.add("anomalies:");
            result.anomalies().forEach(a -> lines.add("  " + a));
        }
        if (!crashes.isEmpty()) {
            lines.add("server crashes (exited without being killed):");
            crashes.forEach(c -> lines.add("  " + c));
        }
        if (!errors.isEmpty()) {
            lines.add("harness errors (faults not injected or not healed):");
            errors.forEach(e -> lines.add("  " + e));
        }
        if (!problems.isEmpty()) {
            lines.add("problems at the end:");
            problems.forEach(p -> lines.add("  " + p));
        }
        if (!passed()) {
            lines.add("fault log:");
            faultLines.forEach(f -> lines.add("  " + f));
            lines.add(String.format("%-22s %s", "work dir (kept)", workDir));
        }
        lines.add(String.format("%-22s %s", "verdict", passed() ? "PASSED" : "FAILED"));
        return String.join("\n", lines);
    }
}
