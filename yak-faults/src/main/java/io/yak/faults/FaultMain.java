package io.yak.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The long form of the fault-injection suite: {@code java -jar yak-faults/target/yak-faults.jar --minutes 30
 * --seed S}. Starts a coordinator and three brokers from their jars (found next to this one in the checkout unless
 * given), injects faults for as long as asked, heals, reads back and checks; prints the same summary as the IT and
 * exits 0 when the history is valid and nothing else went wrong, 1 otherwise (2 for bad arguments).
 */
@Command(name = "yak-faults", mixinStandardHelpOptions = true,
    description = "Jepsen-style fault injection against a real YaK cluster (coordinator + 3 brokers).")
public final class FaultMain implements Callable<Integer> {
    @Option(names = "--minutes", description = "How long to inject faults (default ${DEFAULT-VALUE}).",
        defaultValue = "5")
    double minutes;

    @Option(names = "--seed", description = "Seed of the fault schedule (default: random, printed).")
    Long seed;

    @Option(names = "--rate", description = "Records per second, all producers together (default ${DEFAULT-VALUE}).",
        defaultValue = "3000")
    double rate;

    @Option(names = "--coordinator-jar", description = "The coordinator's shaded jar (default: next to this jar).")
    Path coordinatorJar;

    @Option(names = "--broker-jar", description = "The broker's shaded jar (default: next to this jar).")
    Path brokerJar;

    @Option(names = "--work-dir", description = "Where the run's directory goes (default: the temp dir).")
    Path workRoot;

    @Option(names = "--no-network", description = "Process faults only, no network namespaces (still warns).")
    boolean noNetwork;

    @Option(names = "--short", description = "Short holds and quiet periods, as the IT.")
    boolean shortTiming;

    @Option(names = "--keep", description = "Keep the work dir even when the run passes.")
    boolean keep;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FaultMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long s = seed != null ? seed : System.nanoTime();
        FaultSettings settings = new FaultSettings((long) (minutes * 60_000), 0, s,
            jar(coordinatorJar, "yak-coordinator"), jar(brokerJar, "yak-broker"),
            workRoot != null ? workRoot : Path.of(System.getProperty("java.io.tmpdir")), !noNetwork, rate, 2, 2,
            shortTiming ? FaultScheduler.Timing.SHORT : FaultScheduler.Timing.LONG, keep);
        FaultReport report = new FaultRun(settings, System.out).run();
        return report.passed() ? 0 : 1;
    }

    /**
     * The given jar, or the module's jar in the same checkout as this one: this jar is
     * {@code ROOT/yak-faults/TARGET/yak-faults.jar}, the other {@code ROOT/MODULE/TARGET/MODULE.jar}.
     */
    private static Path jar(Path given, String module) {
        if (given != null) {
            return require(given);
        }
        String property = System.getProperty(module.replace('-', '.') + ".jar");
        if (property != null) {
            return require(Path.of(property));
        }
        try {
            Path self = Path.of(FaultMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = self.getParent();
            return require(target.getParent().getParent().resolve(module).resolve(target.getFileName())
                .resolve(module + ".jar"));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw new CommandLine.ParameterException(new CommandLine(new FaultMain()),
                "cannot find " + module + ".jar next to this jar; pass --" + module.substring(4) + "-jar");
        }
    }

    private static Path require(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " does not exist: build with `mvn -DskipTests package` first");
        }
        return jar.toAbsolutePath();
    }
}
