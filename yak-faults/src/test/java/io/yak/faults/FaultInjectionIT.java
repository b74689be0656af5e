package io.yak.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short form of the fault-injection suite, in {@code mvn verify}: a coordinator and three brokers from the real
 * jars ({@code -Dyak.coordinator.jar}, {@code -Dyak.broker.jar}, set by failsafe), about 90 s of faults (every kind
 * at least once: kills of leaders, followers and the coordinator, SIGSTOP, rolling restarts, a power loss, network
 * partitions when namespaces can be made, combinations) under acks=all load, then heal, read back and check. The
 * history must be valid, the servers must not crash, and enough must have happened for that to mean something.
 * Without root or {@code ip} it runs the process faults only and says so loudly.
 *
 * <p>The seed is printed; replay with {@code -Dyak.faults.seed=S}. A failing run keeps its work dir (configs, server
 * logs, data) under {@code yak-faults/target/fault-runs/}; the summary names it.
 */
class FaultInjectionIT {
    /** Faults the short form injects at the least (it usually does about twice as many). */
    private static final int MIN_FAULTS = 6;
    /** Two producers at 2000 records/s for 90 s send about 180,000; this allows for long outages. */
    private static final long MIN_ACKNOWLEDGED = 20_000;

    @Test
    @Timeout(value = 175, unit = TimeUnit.SECONDS)
    void shouldLoseNothingAcknowledgedUnderInjectedFaults() throws Exception {
        long seed = Long.getLong("yak.faults.seed", System.nanoTime());
        System.out.println("FaultInjectionIT seed " + seed + " (replay: -Dyak.faults.seed=" + seed + ")");
        FaultSettings settings = FaultSettings.shortForm(seed, jar("yak.coordinator.jar"), jar("yak.broker.jar"),
            workRoot());

        FaultReport report = new FaultRun(settings, System.out).run();

        if (report.networkWarning() != null) {
            System.err.println("FaultInjectionIT WARN: process faults only, network partitions NOT tested: "
                + report.networkWarning());
        }
        assertThat(report.passed()).as("fault run (seed %d):%n%s", seed, report.summary()).isTrue();
        assertThat(report.faults()).as("faults injected (seed %d)", seed).isGreaterThanOrEqualTo(MIN_FAULTS);
        assertThat(report.acknowledged()).as("records acknowledged (seed %d)", seed)
            .isGreaterThanOrEqualTo(MIN_ACKNOWLEDGED);
        assertThat(report.readBack()).as("records read back (seed %d)", seed)
            .isGreaterThanOrEqualTo(report.acknowledged());
    }

    private static Path jar(String property) {
        String jar = System.getProperty(property);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(property + " = " + jar + " is not a built jar (run through `mvn verify`, "
                + "which packages the servers first)");
        }
        return Path.of(jar);
    }

    /** Inside this module's build directory, so a kept work dir goes with {@code mvn clean}. */
    private static Path workRoot() {
        String self = System.getProperty("yak.faults.jar");
        return self != null ? Path.of(self).getParent().resolve("fault-runs")
            : Path.of(System.getProperty("java.io.tmpdir"));
    }
}
