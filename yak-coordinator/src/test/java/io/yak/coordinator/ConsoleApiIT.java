package io.yak.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.http.HttpRoutes;
import io.yak.http.HttpServer;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.BrokerStatsRequest;
import io.yak.wire.message.BrokerStatsResponse;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.HeartbeatRequest;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.PartitionStats;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's JSON API on a real coordinator: a broker's report (BROKER_STATS_REQUEST) is kept only from that
 * broker's own connection, and the API shows its offsets, the group's lag against them and the topic's rate.
 */
@Timeout(60)
class ConsoleApiIT {
    @TempDir
    Path dataDir;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private static PartitionStats stats(long highWatermark, long recordsIn) {
        return new PartitionStats("orders", 0, 0, highWatermark, highWatermark, 4096, recordsIn, 0, recordsIn * 40,
            0);
    }

    @Test
    void shouldServeTheReportsOfRegisteredBrokersWithLagAndRates() throws Exception {
        CoordinatorServer server = new CoordinatorServer(new CoordinatorConfig(new HostPort("127.0.0.1", 0), dataDir,
            60_000, true, 1, FrameLayout.DEFAULT_MAX_FRAME_BYTES));
        resources.add(server);
        server.start();
        HttpServer console = HttpServer.start("test", new HostPort("127.0.0.1", 0),
            server.consoleRoutes(new HttpRoutes()));
        resources.add(console);
        String base = "http://127.0.0.1:" + console.address().getPort();

        WireTestClient broker = WireTestClient.connect(server.address());
        resources.add(broker);
        assertThat(broker.request(new RegisterBrokerRequest(1, "127.0.0.1", 9001, 7, true),
            RegisterBrokerResponse.class).error()).isEqualTo(ErrorCode.NONE);
        broker.request(new HeartbeatRequest(1), HeartbeatResponse.class);
        assertThat(broker.request(new CreateTopicRequest("orders", 1), CreateTopicResponse.class).error())
            .isEqualTo(ErrorCode.NONE);
        assertThat(broker.request(new CommitOffsetRequest("billing", "orders", 0, 30, -1, "", null),
            CommitOffsetResponse.class).error()).isEqualTo(ErrorCode.NONE);

        assertThat(broker.request(new BrokerStatsRequest(1, List.of(stats(100, 100))), BrokerStatsResponse.class)
            .error()).isEqualTo(ErrorCode.NONE);
        WireTestClient impostor = WireTestClient.connect(server.address());
        resources.add(impostor);
        assertThat(impostor.request(new BrokerStatsRequest(1, List.of(stats(999, 999))), BrokerStatsResponse.class)
            .error()).as("broker 1's report from another connection").isEqualTo(ErrorCode.UNKNOWN_BROKER);
        assertThat(impostor.request(new BrokerStatsRequest(2, List.of(stats(999, 999))), BrokerStatsResponse.class)
            .error()).as("an unknown broker").isEqualTo(ErrorCode.UNKNOWN_BROKER);

        String overview = get(base + "/api/overview");
        assertThat(overview).contains("\"name\":\"orders\"", "\"highWatermark\":100", "\"sizeBytes\":4096",
            "\"group\":\"billing\"", "\"committed\":30", "\"lag\":70", "\"lastReportMsAgo\":")
            .doesNotContain("999");

        // 1,000 more records between two reports: the next samples show them as a rate above zero
        broker.request(new BrokerStatsRequest(1, List.of(stats(1_100, 1_100))), BrokerStatsResponse.class);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
            assertThat(get(base + "/api/rates")).containsPattern("\"orders\":\\{\"t\":\\[[0-9,]+],\"in\":\\[[^]]*[1-9]"));
        assertThat(get(base + "/")).contains("<title>YaK console</title>", "/vendor/uplot/uPlot.iife.min.js");
        assertThat(get(base + "/vendor/uplot/uPlot.iife.min.js")).contains("uPlot");
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", url).isEqualTo(200);
        return r.body();
    }
}
