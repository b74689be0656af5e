package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.CoordinatorConfig;
import io.yak.coordinator.CoordinatorServer;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import io.yak.wire.testing.CapturedLogs;
import io.yak.wire.testing.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers with one broker.id: the second is refused (BROKER_ID_IN_USE) and keeps trying with growing delays,
 * one ERROR on the broker and one WARN on the coordinator however often it tries; once the first is declared dead
 * the second registers. The coordinator runs on a manual clock, so the first broker stays alive until the test
 * says otherwise.
 */
@Timeout(60)
class DuplicateBrokerIdIT {
    private static final long HEARTBEAT_TIMEOUT_MS = 1000;
    /** Heartbeats far apart: the first broker must not re-register by itself after it is declared dead. */
    private static final long HEARTBEAT_INTERVAL_MS = 60_000;
    private static final Duration AWAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static double registrations(CoordinatorServer coordinator) {
        return coordinator.meterRegistry().get("yak.coordinator.requests").tag("type", "REGISTER_BROKER_REQUEST")
            .counter().count();
    }

    @Test
    void shouldRetryARefusedIdWithBackoffAndBoundedLogsUntilTheOtherBrokerIsDead() {
        ManualClock clock = new ManualClock(1_000_000);
        CoordinatorServer coordinator = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0),
            dir.resolve("coordinator"), HEARTBEAT_TIMEOUT_MS, true, 3, FrameLayout.DEFAULT_MAX_FRAME_BYTES), clock);
        try (CapturedLogs linkLogs = new CapturedLogs(CoordinatorLink.class);
             CapturedLogs stateLogs = new CapturedLogs("io.yak.coordinator.cluster.ClusterState")) {
            coordinator.start();
            HostPort address = new HostPort("127.0.0.1", coordinator.address().getPort());
            try (CoordinatorLink first = new CoordinatorLink(3, address, HEARTBEAT_INTERVAL_MS,
                     FrameLayout.DEFAULT_MAX_FRAME_BYTES, md -> { }, List::of);
                 CoordinatorLink second = new CoordinatorLink(3, address, HEARTBEAT_INTERVAL_MS,
                     FrameLayout.DEFAULT_MAX_FRAME_BYTES, md -> { }, List::of, new RefusalBackoff(5, 40, 30_000),
                     () -> System.nanoTime() / 1_000_000, CoordinatorLink.REQUEST_TIMEOUT_MS)) {
                first.start("127.0.0.1", 9001);
                await().atMost(AWAIT).until(first::registered);

                second.start("127.0.0.1", 9002);
                // Delays 5, 10, 20, 40, 40, ... ms: a dozen refusals within about half a second.
                await().atMost(AWAIT).until(() -> registrations(coordinator) >= 1 + 12);

                assertThat(second.registered()).isFalse();
                assertThat(linkLogs.at(Level.ERROR)).singleElement().asString()
                    .contains("broker 3", "refuses registration as 127.0.0.1:9002", "BROKER_ID_IN_USE",
                        "is alive at 127.0.0.1:9001", "retrying", "not yet timed out");
                assertThat(linkLogs.at(Level.WARN)).isEmpty();
                assertThat(stateLogs.at(Level.WARN)).singleElement().asString()
                    .contains("rejecting registration of broker 3 at 127.0.0.1:9002", "127.0.0.1:9001");
                assertThat(stateLogs.at(Level.DEBUG)).hasSizeGreaterThanOrEqualTo(11);

                clock.advance(HEARTBEAT_TIMEOUT_MS + 1);
                assertThat(coordinator.checkLiveness()).isTrue();

                await().atMost(AWAIT).until(second::registered);
                assertThat(coordinator.metadata().broker(3).address()).isEqualTo("127.0.0.1:9002");
                assertThat(coordinator.metadata().broker(3).alive()).isTrue();
                assertThat(linkLogs.at(Level.INFO)).anySatisfy(line -> assertThat(line)
                    .contains("registered with coordinator", "refused attempt(s)"));
                assertThat(linkLogs.at(Level.ERROR)).hasSize(1);
            }
        } finally {
            coordinator.close();
        }
    }
}
