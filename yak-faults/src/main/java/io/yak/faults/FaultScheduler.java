package io.yak.faults;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The fault schedule, on its own thread: every available kind once in a shuffled order (so even a short run covers
 * them all), then kinds at random, each injected, held for a random time (at least the kind's
 * {@link FaultKind#minHoldMs()}), healed, followed by a quiet period. All choices come from one {@link Random}
 * seeded with the run's seed, so a seed replays the same schedule (targets also depend on which broker leads what
 * at that moment). A server process that exits without the harness killing it is a crash: logged loudly, counted,
 * restarted. The schedule ends at {@code endNs}; the fault in force then is still held and healed.
 */
final class FaultScheduler implements Runnable {
    /** Hold and quiet ranges, in ms. */
    record Timing(long minHoldMs, long maxHoldMs, long minQuietMs, long maxQuietMs) {
        static final Timing SHORT = new Timing(1500, 4000, 1000, 2000);
        static final Timing LONG = new Timing(2000, 8000, 2000, 5000);
    }

    /** A rolling restart waits for each broker to rejoin; not started with less time than this left. */
    private static final long ROLLING_RESTART_BUDGET_NS = TimeUnit.SECONDS.toNanos(40);

    private final Nemesis nemesis;
    private final Cluster cluster;
    private final FaultLog log;
    private final Random random;
    private final List<FaultKind> kinds;
    private final long endNs;
    private final Timing timing;
    private final List<String> crashes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile int faults;
    private volatile boolean stopped;

    FaultScheduler(Nemesis nemesis, Cluster cluster, FaultLog log, Random random, List<FaultKind> kinds, long endNs,
                   Timing timing) {
        this.nemesis = nemesis;
        this.cluster = cluster;
        this.log = log;
        this.random = random;
        this.kinds = List.copyOf(kinds);
        this.endNs = endNs;
        this.timing = timing;
    }

    int faults() {
        return faults;
    }

    /** Server processes that exited on their own, one line each. */
    List<String> crashes() {
        return List.copyOf(crashes);
    }

    /** Injections or heals that failed (harness or environment trouble, not a verdict on the cluster). */
    List<String> errors() {
        return List.copyOf(errors);
    }

    /** Ends the schedule after the fault in force is healed. */
    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        Deque<FaultKind> coverage = new ArrayDeque<>(shuffled());
        int n = 0;
        while (!stopped && System.nanoTime() - endNs < 0) {
            FaultKind kind = coverage.isEmpty() ? kinds.get(random.nextInt(kinds.size())) : coverage.poll();
            if (kind == FaultKind.ROLLING_RESTART && endNs - System.nanoTime() < ROLLING_RESTART_BUDGET_NS) {
                continue;
            }
            long hold = timing.minHoldMs() + (long) (random.nextDouble() * (timing.maxHoldMs() - timing.minHoldMs()));
            hold = Math.max(hold, kind == FaultKind.COMBINED ? maxMinHoldMs() : kind.minHoldMs());
            long quiet = timing.minQuietMs()
                + (long) (random.nextDouble() * (timing.maxQuietMs() - timing.minQuietMs()));
            n++;
            Nemesis.Active active;
            try {
                active = nemesis.inject(kind, random);
            } catch (Exception | AssertionError e) {
                error("inject " + kind.label() + " #" + n, e);
                recover();
                continue;
            }
            if (active == null) {
                Pause.ms(500);
                continue;
            }
            faults += active.count();
            log.fault("FAULT #" + n + " " + kind.label() + ": " + active.description() + "; holding " + hold + " ms");
            Pause.ms(hold);
            try {
                log.fault("HEAL  #" + n + " " + kind.label() + ": " + active.heal());
            } catch (Exception | AssertionError e) {
                error("heal " + kind.label() + " #" + n, e);
                recover();
            }
            checkCrashes();
            Pause.ms(quiet);
            checkCrashes();
        }
        log.info("fault schedule over: " + faults + " faults injected");
    }

    /**
     * Every kind in a seeded order; the rolling restart (the slowest, needing {@link #ROLLING_RESTART_BUDGET_NS})
     * among the first three, so a short run still has the time for it.
     */
    private List<FaultKind> shuffled() {
        List<FaultKind> order = new ArrayList<>(kinds);
        Collections.shuffle(order, random);
        if (order.remove(FaultKind.ROLLING_RESTART)) {
            order.add(random.nextInt(Math.min(3, order.size() + 1)), FaultKind.ROLLING_RESTART);
        }
        return order;
    }

    private long maxMinHoldMs() {
        return kinds.stream().mapToLong(FaultKind::minHoldMs).max().orElse(0);
    }

    /** Restarts any server that exited without the harness killing it; such an exit is a finding. */
    void checkCrashes() {
        for (ServerProcess p : cluster.processes()) {
            Integer code = p.exitedOnItsOwn();
            if (code != null) {
                String line = p.name() + " exited on its own with code " + code + " at +"
                    + String.format("%.1f", log.elapsedSeconds()) + "s; see " + p.logFile();
                crashes.add(line);
                log.warn("CRASH: " + line);
                try {
                    p.start();
                    if (p == cluster.coordinator()) {
                        cluster.awaitCoordinatorListening(30);
                    }
                } catch (Exception e) {
                    error("restart " + p.name() + " after its crash", e);
                }
            }
        }
    }

    private void recover() {
        try {
            List<String> done = nemesis.healEverything();
            if (!done.isEmpty()) {
                log.fault("HEAL  everything after an error: " + String.join("; ", done));
            }
        } catch (Exception e) {
            error("heal everything", e);
        }
    }

    private void error(String what, Throwable e) {
        String line = what + " failed: " + e;
        errors.add(line);
        log.warn(line);
    }
}
