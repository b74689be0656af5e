package io.yak.faults;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's own log: one line per event on stdout, with the wall-clock time (to match the servers' logs) and the
 * seconds since the run started. Fault lines are also kept for the summary. Thread-safe.
 */
final class FaultLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintStream out;
    private final long startNs = System.nanoTime();
    private final List<String> faultLines = new ArrayList<>();

    FaultLog(PrintStream out) {
        this.out = out;
    }

    synchronized void info(String message) {
        out.println(prefix() + message);
        out.flush();
    }

    /** A fault injected or healed: printed and kept for the summary. */
    synchronized void fault(String message) {
        String line = prefix() + message;
        faultLines.add(line);
        out.println(line);
        out.flush();
    }

    /** A loud warning: on stderr as well, in a banner that cannot be missed. */
    synchronized void warn(String message) {
        String bar = "#".repeat(100);
        String text = bar + "\n# WARN " + message + "\n" + bar;
        out.println(text);
        out.flush();
        System.err.println(text);
        System.err.flush();
    }

    synchronized List<String> faultLines() {
        return List.copyOf(faultLines);
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNs) / 1e9;
    }

    private String prefix() {
        return "[" + LocalTime.now().format(TIME) + String.format(" +%7.1fs] ", elapsedSeconds());
    }
}
