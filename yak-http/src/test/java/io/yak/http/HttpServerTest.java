package io.yak.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.RejectReason;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP port: metrics, health, routes, and the answers to bad requests. */
class HttpServerTest {
    private final ServerMetrics metrics = new ServerMetrics();
    private final AtomicReference<List<String>> notReady = new AtomicReference<>(List.of());
    private final CompletableFuture<HttpAnswer> later = new CompletableFuture<>();
    private HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Counter.builder("yak.test.requests").tag("topic", "clicks").register(metrics.registry()).increment(3);
        HttpRoutes routes = new HttpRoutes()
            .get("/boom", q -> {
                throw new IllegalStateException("a bug");
            })
            .get("/later", q -> later)
            .get("/echo", HttpRoute.of(q -> HttpAnswer.text(200, "name=" + q.parameter("name"))))
            .prefix("/files/", HttpRoute.of(q -> HttpAnswer.text(200, "file " + q.path())));
        server = ServerHttp.start("test", new HostPort("127.0.0.1", 0), metrics, notReady::get, routes);
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServePrometheusTextWithTheProcessAndJvmMeters() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(ServerHttp.PROMETHEUS_TEXT);
        assertThat(r.body()).contains("yak_test_requests_total{topic=\"clicks\"} 3.0")
            .contains("jvm_memory_used_bytes").contains("jvm_threads_live_threads").contains("process_uptime_seconds")
            .contains("process_files_open_files").contains("system_cpu_count");
    }

    @Test
    void shouldAnswerHealthReadyOrNotReadyWithReasons() throws Exception {
        HttpResponse<String> ready = get("/health");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"ready\"}");
        notReady.set(List.of("not registered with the coordinator at 127.0.0.1:7000", "a \"quoted\" reason"));
        HttpResponse<String> not = get("/health");
        assertThat(not.statusCode()).isEqualTo(503);
        assertThat(not.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(not.body()).isEqualTo("{\"status\":\"not ready\",\"reasons\":[\"not registered with the "
            + "coordinator at 127.0.0.1:7000\",\"a \\\"quoted\\\" reason\"]}");
    }

    @Test
    void shouldRouteExactPathsPrefixesAndParametersAndAnswerLater() throws Exception {
        assertThat(get("/echo?name=a%20b").body()).isEqualTo("name=a b\n");
        assertThat(get("/files/app.js").body()).isEqualTo("file /files/app.js\n");
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.address().getPort() + "/later")).build(),
            HttpResponse.BodyHandlers.ofString());
        Thread.sleep(50);
        assertThat(pending).isNotDone();
        new Thread(() -> later.complete(HttpAnswer.text(200, "done"))).start(); // another thread, as a state thread
        assertThat(pending.get().body()).isEqualTo("done\n");
    }

    @Test
    void shouldAnswerBadRequestsWithTheirStatusAndKeepServing() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> boom = get("/boom");
        assertThat(boom.statusCode()).isEqualTo(500);
        assertThat(boom.body()).contains("internal error").doesNotContain("a bug");
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.address().getPort() + "/health")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).hasValue("GET, HEAD");
        HttpResponse<String> big = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + server.address().getPort() + "/health")).method("GET",
            HttpRequest.BodyPublishers.ofString("x".repeat(HttpServer.MAX_REQUEST_BYTES + 1))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);

        assertThat(raw("NOT HTTP AT ALL\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "y".repeat(HttpServer.MAX_REQUEST_BYTES)
            + "\r\n\r\n")).startsWith("HTTP/1.1 431");

        assertThat(server.rejections().count(RejectReason.INVALID_REQUEST)).isEqualTo(1);
        assertThat(server.rejections().count(RejectReason.FRAME_TOO_LARGE)).isEqualTo(2);
        assertThat(server.rejections().count(RejectReason.MALFORMED_FRAME)).isEqualTo(1);
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderOneAtATime() throws Exception {
        // the first answer comes from another thread later; the second is ready at once but must wait its turn
        String get = "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n";
        new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            later.complete(HttpAnswer.text(200, "slow"));
        }).start();
        String answers = raw(String.format(get, "/later", "") + String.format(get, "/echo?name=fast",
            "Connection: close\r\n"));
        assertThat(answers).containsSubsequence("slow", "name=fast");
    }

    @Test
    void shouldRefuseOtherHostNamesOnTheLoopbackAndOverlongRequestLines() throws Exception {
        assertThat(raw("GET /health HTTP/1.1\r\nHost: evil.example:8080\r\n\r\n")).startsWith("HTTP/1.1 403");
        assertThat(raw("GET /health HTTP/1.1\r\nHost: localhost:8080\r\nConnection: close\r\n\r\n"))
            .startsWith("HTTP/1.1 200");
        assertThat(raw("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
            .startsWith("HTTP/1.1 414");
        assertThat(HttpRequestHandler.hostName("[::1]:8080")).isEqualTo("[::1]");
        assertThat(HttpServer.loopbackNames("0.0.0.0")).isNull();
    }

    /** Sends raw bytes and reads the answer until the server closes the connection. */
    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), UTF_8);
        }
    }
}
