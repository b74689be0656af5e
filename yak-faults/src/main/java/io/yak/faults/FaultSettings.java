package io.yak.faults;

import java.nio.file.Path;

/**
 * What one run does: how long faults are injected, the seed of every random choice, the server jars, where the
 * work directory goes, whether network faults are wanted (they still need root and {@code ip}), the client load
 * and the fault timing. Immutable.
 *
 * @param faultPhaseMs     how long faults are injected (the end phase, healing and checking, comes on top)
 * @param faultsEndByMs    when set (above 0), faults end at the latest this long after the run started, however
 *                         long the start took, but never before {@link #MIN_FAULT_PHASE_MS} of faults: keeps the
 *                         IT within its time on a slow or busy machine
 * @param recordsPerSecond total send rate of all producers
 * @param keepWorkDir      keep the work directory even when the run passes (it is always kept when it fails)
 */
record FaultSettings(long faultPhaseMs, long faultsEndByMs, long seed, Path coordinatorJar, Path brokerJar, Path workRoot,
                     boolean networkFaults, double recordsPerSecond, int producers, int consumers,
                     FaultScheduler.Timing timing, boolean keepWorkDir) {
    static final long MIN_FAULT_PHASE_MS = 45_000;

    FaultSettings {
        if (faultPhaseMs <= 0 || recordsPerSecond <= 0 || producers < 1 || consumers < 0) {
            throw new IllegalArgumentException("bad settings: fault phase " + faultPhaseMs + " ms, "
                + recordsPerSecond + " records/s, " + producers + " producers, " + consumers + " consumers");
        }
    }

    /** The form {@code mvn verify} runs: about 90 s of faults, quick holds, two producers and two consumers. */
    static FaultSettings shortForm(long seed, Path coordinatorJar, Path brokerJar, Path workRoot) {
        return new FaultSettings(90_000, 110_000, seed, coordinatorJar, brokerJar, workRoot, true, 2000, 2, 2,
            FaultScheduler.Timing.SHORT, false);
    }
}
