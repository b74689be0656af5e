package io.yak.faults;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One fault-injection run from start to verdict: creates the network (or says loudly why it cannot), starts the
 * cluster from the real jars, creates the topic, starts the workload and the fault schedule, and at the end heals
 * everything, waits for a healthy cluster, drains the producers, reads every partition back, stops the servers
 * cleanly, reads every replica's files and hands the lot to {@link Checker}. Processes and namespaces are removed
 * in every case: at the end, on failure, and by a JVM shutdown hook if the harness itself is stopped. The work
 * directory (configs, server logs, data) is deleted when the run passes and kept otherwise.
 */
final class FaultRun {
    static final String TOPIC = "faults";
    static final int PARTITIONS = 3;
    private static final long STARTUP_TIMEOUT_MS = 60_000;
    private static final long HEAL_TIMEOUT_MS = 60_000;
    private static final long READ_BACK_TIMEOUT_MS = 60_000;
    private static final long PROGRESS_INTERVAL_S = 10;
    private static final long WARM_UP_RECORDS = 5000;
    private static final long WARM_UP_TIMEOUT_MS = 15_000;

    private final FaultSettings settings;
    private final FaultLog log;
    private final long startNs = System.nanoTime();

    FaultRun(FaultSettings settings, PrintStream out) {
        this.settings = settings;
        this.log = new FaultLog(out);
    }

    FaultReport run() throws Exception {
        log.info("seed=" + settings.seed());
        log.info("fault phase " + settings.faultPhaseMs() / 1000 + " s, " + settings.recordsPerSecond()
            + " records/s, coordinator jar " + settings.coordinatorJar() + ", broker jar " + settings.brokerJar());
        Files.createDirectories(settings.workRoot());
        Path workDir = Files.createTempDirectory(settings.workRoot(), "yak-faults-");
        log.info("work dir " + workDir);
        String prefix = "yk" + Long.toString(Math.floorMod(settings.seed() ^ System.nanoTime(), 36L * 36 * 36 * 36),
            36);
        String networkWarning = null;
        NetworkNamespaces network = null;
        if (!settings.networkFaults()) {
            networkWarning = "network faults switched off (--no-network)";
        } else {
            networkWarning = NetworkNamespaces.unavailableReason();
            if (networkWarning == null) {
                try {
                    network = NetworkNamespaces.create(prefix, List.of(0, 1, 2, 3));
                    log.info("network: " + network.describe());
                } catch (RuntimeException e) {
                    networkWarning = "cannot create network namespaces: " + e.getMessage();
                }
            }
        }
        if (networkWarning != null) {
            log.warn("NETWORK NAMESPACES UNAVAILABLE: " + networkWarning + ". Running PROCESS FAULTS ONLY on "
                + "127.0.0.1; network partitions are NOT tested (run as root with iproute2 for them).");
        }
        NetworkNamespaces ownedNetwork = network;
        // Read by the shutdown hook's thread.
        AtomicReference<Cluster> cluster = new AtomicReference<>();
        Thread hook = new Thread(() -> cleanUp(cluster.get(), ownedNetwork), "yak-faults-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        FaultReport report = null;
        try {
            cluster.set(Cluster.create(settings.coordinatorJar(), settings.brokerJar(), workDir, network));
            report = runCluster(cluster.get(), networkWarning, workDir);
            return report;
        } finally {
            cleanUp(cluster.get(), network);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the hook runs anyway, and did the same
            }
            if (report != null && report.passed() && !settings.keepWorkDir()) {
                deleteTree(workDir);
            } else {
                log.info("work dir kept: " + workDir + (cluster.get() == null ? ""
                    : " (server logs: " + cluster.get().logFiles() + ")"));
            }
        }
    }

    /** Kills what still runs and removes the namespaces; also the shutdown hook's job. */
    private static void cleanUp(Cluster cluster, NetworkNamespaces network) {
        if (cluster != null) {
            cluster.destroyAll();
        }
        if (network != null) {
            network.close();
        }
    }

    private FaultReport runCluster(Cluster cluster, String networkWarning, Path workDir) throws Exception {
        List<String> problems = new ArrayList<>();
        History history = new History();
        Random random = new Random(settings.seed());
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "yak-faults-progress");
            t.setDaemon(true);
            return t;
        });
        try (ClusterAdmin admin = new ClusterAdmin(cluster.bootstrap())) {
            cluster.startAll();
            if (!ClusterAdmin.await(() -> admin.aliveBrokers().size() == Cluster.BROKERS, STARTUP_TIMEOUT_MS)) {
                throw new IllegalStateException("not every broker registered within " + STARTUP_TIMEOUT_MS
                    + " ms; see " + cluster.logFiles());
            }
            admin.createTopic(TOPIC, PARTITIONS, STARTUP_TIMEOUT_MS);
            ClusterAdmin.await(() -> admin.fullyInSync(TOPIC, Cluster.BROKERS), STARTUP_TIMEOUT_MS);
            log.info("cluster up at " + cluster.bootstrap() + ": " + admin.describeLine(TOPIC));

            Workload workload = new Workload(cluster.bootstrap(), TOPIC, PARTITIONS, settings.producers(),
                settings.consumers(), settings.recordsPerSecond(), history, log);
            workload.start();
            // Faults start once records flow, so the first one already hits a log with data in it.
            ClusterAdmin.await(() -> history.acknowledged() >= WARM_UP_RECORDS, WARM_UP_TIMEOUT_MS);
            log.info("workload running: " + history.acknowledged() + " records acknowledged");
            List<FaultKind> kinds = new ArrayList<>();
            for (FaultKind k : FaultKind.values()) {
                if (!k.network() || cluster.network() != null) {
                    kinds.add(k);
                }
            }
            Nemesis nemesis = new Nemesis(cluster, admin, TOPIC, PARTITIONS, log);
            FaultScheduler scheduler = new FaultScheduler(nemesis, cluster, log, random, kinds, faultsEndNs(),
                settings.timing());
            progress.scheduleAtFixedRate(() -> log.info(String.format(
                    "progress: faults %d, sent %d, acked %d, unknown %d, failed %d, polled %d", scheduler.faults(),
                    history.sendsInvoked(), history.acknowledged(), history.unknown(), history.failed(),
                    history.polled())),
                PROGRESS_INTERVAL_S, PROGRESS_INTERVAL_S, TimeUnit.SECONDS);
            Thread schedulerThread = new Thread(scheduler, "yak-faults-scheduler");
            schedulerThread.setDaemon(true);
            schedulerThread.start();
            schedulerThread.join(settings.faultPhaseMs() + 180_000);
            if (schedulerThread.isAlive()) {
                scheduler.stop();
                problems.add("the fault schedule did not end within 180 s of its deadline");
                schedulerThread.join(60_000);
            }

            log.info("healing: " + String.join("; ", nemesis.healEverything()));
            scheduler.checkCrashes();
            boolean healthy = ClusterAdmin.await(() -> admin.aliveBrokers().size() == Cluster.BROKERS
                && admin.fullyInSync(TOPIC, Cluster.BROKERS), HEAL_TIMEOUT_MS);
            log.info((healthy ? "healthy: " : "NOT healthy after " + HEAL_TIMEOUT_MS + " ms: ")
                + admin.describeLine(TOPIC));
            if (!healthy) {
                problems.add("the cluster did not get every partition back to a full ISR within " + HEAL_TIMEOUT_MS
                    + " ms of healing: " + admin.describeLine(TOPIC));
            }
            if (!workload.drainProducers(ProducerWorker.DELIVERY_TIMEOUT_MS + 15_000)) {
                problems.add("producers did not drain");
            }
            FinalRead read = new FinalRead(cluster.bootstrap(), TOPIC, PARTITIONS, history, log);
            if (!read.run(READ_BACK_TIMEOUT_MS)) {
                problems.add("the read-back did not reach the end of every partition");
            }
            workload.stopConsumers();
            progress.shutdownNow();
            log.info(String.format("done: faults %d, sent %d, acked %d, unknown %d, failed %d, polled %d, read back %d",
                scheduler.faults(), history.sendsInvoked(), history.acknowledged(), history.unknown(),
                history.failed(), history.polled(), history.readBackCount()));

            stopServers(cluster, problems);
            scheduler.checkCrashes();
            ReplicaLogs replicas = new ReplicaLogs();
            problems.addAll(ReplicaReader.collect(cluster, TOPIC, PARTITIONS, workDir.resolve("replica-copies"),
                replicas, log));
            CheckResult result = Checker.check(history, replicas);
            FaultReport report = new FaultReport(settings.seed(), result, scheduler.faults(),
                history.acknowledged(), history.readBackCount(), networkWarning,
                workload.idempotent(), scheduler.crashes(), scheduler.errors(), problems, log.faultLines(), workDir);
            log.info("\n" + report.summary());
            return report;
        } finally {
            progress.shutdownNow();
        }
    }

    /** The fault phase's end: {@code faultPhaseMs} from now, shortened to {@code faultsEndByMs} if that is set. */
    private long faultsEndNs() {
        long now = System.nanoTime();
        long end = now + TimeUnit.MILLISECONDS.toNanos(settings.faultPhaseMs());
        if (settings.faultsEndByMs() > 0) {
            long latest = Math.max(startNs + TimeUnit.MILLISECONDS.toNanos(settings.faultsEndByMs()),
                now + TimeUnit.MILLISECONDS.toNanos(Math.min(settings.faultPhaseMs(), FaultSettings.MIN_FAULT_PHASE_MS)));
            if (latest - end < 0) {
                log.info("the start took " + (now - startNs) / 1_000_000 + " ms: faults for "
                    + (latest - now) / 1_000_000 + " ms instead of " + settings.faultPhaseMs());
                end = latest;
            }
        }
        return end;
    }

    /** Brokers first (SIGTERM: each hands its leaderships over and closes its logs cleanly), then the coordinator. */
    private void stopServers(Cluster cluster, List<String> problems) throws InterruptedException {
        for (int id : cluster.brokerIds()) {
            if (!cluster.broker(id).stop(30)) {
                problems.add("broker " + id + " did not stop within 30 s of SIGTERM");
            }
        }
        cluster.coordinator().stop(15);
        log.info("servers stopped");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
