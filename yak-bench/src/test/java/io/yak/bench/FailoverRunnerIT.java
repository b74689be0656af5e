package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.client.admin.YakAdmin;
import io.yak.wire.message.BrokerInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code yak-bench failover} against a real cluster: a coordinator and three brokers, each its own JVM started from
 * this test's class path (so the leader can really be signalled), data and logs in the test directory. The tool
 * finds the leader's process through /proc by its port, as it does without {@code --pids}. The processes are
 * stopped after each test, by the {@link Process} objects that started them.
 */
class FailoverRunnerIT {
    private static final Pattern LINE = Pattern.compile("^signal=(\\w+) leader=(\\d+) pid=(\\d+) acked=(\\d+) "
        + "failed=(\\d+) lost=(\\d+) duplicated=(\\d+) max_ack_gap_ms=([\\d.]+) gap_start_s=([\\d.]+)$");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BenchMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        logs.forEach(l -> System.out.println("FailoverRunnerIT log: " + l));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldTerminateTheLeaderAndFindEveryAcknowledgedRecordOnce() throws Exception {
        String coordinator = startCluster();
        Map<Long, Process> byPid = new TreeMap<>();
        processes.forEach(p -> byPid.put(p.pid(), p));

        Run r = run("failover", "--coordinator", coordinator, "--topic", "fo-term", "--rate", "500", "--seconds",
            "8", "--kill-after-seconds", "3", "--signal", "TERM");
        System.out.println("FailoverRunnerIT stderr of the tool:\n" + r.err());

        assertThat(r.code()).as("exit code; stdout:%n%s%nstderr:%n%s", r.out(), r.err()).isZero();
        assertThat(r.out().lines()).as("stdout is the one result line").hasSize(1);
        Matcher m = LINE.matcher(r.out().strip());
        assertThat(m.matches()).as("result line %s", r.out()).isTrue();
        assertThat(m.group(1)).isEqualTo("TERM");
        assertThat(m.group(4)).as("acked").isEqualTo("4000");
        assertThat(m.group(5)).as("failed").isEqualTo("0");
        assertThat(m.group(6)).as("lost").isEqualTo("0");
        assertThat(m.group(7)).as("duplicated").isEqualTo("0");
        long pid = Long.parseLong(m.group(3));
        Process leader = byPid.get(pid);
        assertThat(leader).as("the signalled pid %d is one of this test's brokers", pid).isNotNull();
        assertThat(leader.waitFor(30, TimeUnit.SECONDS)).as("the leader exited").isTrue();
        assertThat(leader.exitValue()).as("a clean stop after SIGTERM").isIn(0, 143);
        assertThat(processes.stream().filter(Process::isAlive).count()).as("the other three stay up").isEqualTo(3);
        assertThat(r.err()).contains("SIGTERM sent to broker " + m.group(2) + " (127.0.0.1:")
            .contains("it stays down").contains("was started with: ").contains("failover: read back ");
        System.out.println("FailoverRunnerIT: " + r.out().strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "failover|Missing required option: '--coordinator=HOST:PORT'",
        "failover --coordinator 127.0.0.1:9 --signal HUP|--signal must be KILL or TERM",
        "failover --coordinator 127.0.0.1:9 --pids 1=2,x|--pids: 'x' is not BROKER_ID=PID",
        "failover --coordinator 127.0.0.1:9 --kill-after-seconds 30|--kill-after-seconds must be",
        "failover --coordinator nonsense|--coordinator: 'nonsense' is not host:port"})
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldRejectBadArgumentsWithOneLineAndTheUsage(String testCase) {
        String[] parts = testCase.split("\\|", -1);
        Run r = run(parts[0].split(" "));
        assertThat(r.code()).as("exit code; stderr: %s", r.err()).isEqualTo(2);
        assertThat(r.err().lines().reduce((first, second) -> second).orElse("")).as("last line").contains(parts[1]);
        assertThat(r.err()).contains("Usage: yak-bench failover");
        assertThat(r.out()).isEmpty();
    }

    /** Coordinator and brokers 1..3; returns the coordinator's address once all three brokers are alive. */
    private String startCluster() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            port = s.getLocalPort();
        }
        String coordinator = "127.0.0.1:" + port;
        start("io.yak.coordinator.CoordinatorMain", "coordinator", Map.of("listen", coordinator,
            "data.dir", dir.resolve("coordinator").toString(), "heartbeat.timeout.ms", "1500",
            "default.replication.factor", "3", "min.insync.replicas", "2", "broker.ids", "1-3"));
        for (int id = 1; id <= 3; id++) {
            start("io.yak.broker.BrokerMain", "broker-" + id, Map.of("broker.id", Integer.toString(id),
                "listen", "127.0.0.1:0", "coordinator", coordinator,
                "data.dir", dir.resolve("broker-" + id).toString(), "heartbeat.interval.ms", "100"));
        }
        try (YakAdmin admin = YakAdmin.connect(coordinator)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(admin.describeCluster().brokers().stream().filter(BrokerInfo::alive)).hasSize(3));
        }
        return coordinator;
    }

    private void start(String mainClass, String name, Map<String, String> settings) throws IOException {
        Path config = dir.resolve(name + ".properties");
        StringBuilder text = new StringBuilder();
        settings.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        Files.writeString(config, text.toString());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        // the --add-exports / --add-opens this JVM runs with (the shaded jars' manifests carry the same)
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-")).forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass, config.toString()));
        Path log = dir.resolve(name + ".log");
        logs.add(log);
        processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    }
}
