package io.yak.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The verdict of {@link Checker}: a count per kind of anomaly and a readable line for the first
 * {@value #LINES_PER_KIND} of each kind, plus the history's totals for the summary. Immutable.
 */
public final class CheckResult {
    /** Kinds of anomaly, in the order they are listed. */
    public enum Kind {
        LOST("lost"),
        DUPLICATE("duplicate"),
        INCONSISTENT_OFFSET("inconsistent offset"),
        NON_MONOTONIC("non-monotonic poll"),
        SKIPPED("skipped poll"),
        READ_OF_FAILED("read of failed send"),
        UNEXPECTED("unexpected"),
        REPLICA_DIVERGENCE("replica divergence");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Enough lines to diagnose a kind of anomaly without flooding the report when a run goes badly wrong. */
    static final int LINES_PER_KIND = 50;

    private final long[] counts;
    private final List<String> anomalies;
    private final long sent;
    private final long acknowledged;
    private final long failed;
    private final long unknown;
    private final long readBack;
    private final long polled;

    private CheckResult(long[] counts, List<String> anomalies, History history) {
        this.counts = counts;
        this.anomalies = Collections.unmodifiableList(anomalies);
        this.sent = history.sendsInvoked();
        this.acknowledged = history.acknowledged();
        this.failed = history.failed();
        this.unknown = history.unknown();
        this.readBack = history.readBackCount();
        this.polled = history.polled();
    }

    /** True iff no anomaly of any kind was found. */
    public boolean valid() {
        for (long count : counts) {
            if (count != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * One line per listed anomaly, grouped by kind, each naming the records involved; a kind with more than
     * {@value #LINES_PER_KIND} ends with one line saying how many were left out.
     */
    public List<String> anomalies() {
        return anomalies;
    }

    public long count(Kind kind) {
        return counts[kind.ordinal()];
    }

    public long lost() {
        return count(Kind.LOST);
    }

    public long duplicated() {
        return count(Kind.DUPLICATE);
    }

    public long inconsistentOffsets() {
        return count(Kind.INCONSISTENT_OFFSET);
    }

    public long nonMonotonic() {
        return count(Kind.NON_MONOTONIC);
    }

    public long skipped() {
        return count(Kind.SKIPPED);
    }

    public long readOfFailed() {
        return count(Kind.READ_OF_FAILED);
    }

    public long unexpected() {
        return count(Kind.UNEXPECTED);
    }

    public long replicaDivergences() {
        return count(Kind.REPLICA_DIVERGENCE);
    }

    /** One block with the run's totals and every anomaly count, ending in the verdict. */
    public String summary(long faultsInjected) {
        StringBuilder out = new StringBuilder();
        line(out, "faults injected", faultsInjected);
        line(out, "records sent", sent);
        line(out, "acknowledged", acknowledged);
        line(out, "failed", failed);
        line(out, "unknown", unknown);
        line(out, "read back", readBack);
        line(out, "polled", polled);
        for (Kind kind : Kind.values()) {
            line(out, kind.label(), count(kind));
        }
        out.append(String.format("%-22s %s", "result", valid() ? "VALID" : "INVALID"));
        return out.toString();
    }

    private static void line(StringBuilder out, String name, long value) {
        out.append(String.format("%-22s %d%n", name, value));
    }

    @Override
    public String toString() {
        return summary(0);
    }

    /** Collects anomalies while {@link Checker} runs; formats a line only while its kind is under the cap. */
    static final class Builder {
        private final long[] counts = new long[Kind.values().length];
        private final List<List<String>> lines = new ArrayList<>();

        Builder() {
            for (int i = 0; i < counts.length; i++) {
                lines.add(new ArrayList<>());
            }
        }

        /** Whether the next anomaly of this kind gets a line, so callers can skip costly detail otherwise. */
        boolean listing(Kind kind) {
            return counts[kind.ordinal()] < LINES_PER_KIND;
        }

        void add(Kind kind, String format, Object... args) {
            if (listing(kind)) {
                lines.get(kind.ordinal()).add(kind.label() + ": " + String.format(format, args));
            }
            counts[kind.ordinal()]++;
        }

        long count(Kind kind) {
            return counts[kind.ordinal()];
        }

        CheckResult build(History history) {
            List<String> all = new ArrayList<>();
            for (Kind kind : Kind.values()) {
                all.addAll(lines.get(kind.ordinal()));
                long unlisted = counts[kind.ordinal()] - LINES_PER_KIND;
                if (unlisted > 0) {
                    all.add(kind.label() + ": " + unlisted + " more not listed");
                }
            }
            return new CheckResult(counts.clone(), all, history);
        }
    }
}
