package io.yak.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.yak.wire.config.HostPort;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The routes every server's HTTP port has: {@code GET /metrics} (Prometheus text format) and {@code GET /health}
 * (200 {@code {"status":"ready"}}, or 503 with {@code "not ready"} and the reasons), plus the server's own.
 */
public final class ServerHttp {
    /** The config key of the HTTP port's address; without it a server has no HTTP port. */
    public static final String LISTEN_KEY = "http.listen";
    /** Prometheus' text exposition format, version 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final JsonFactory JSON = new JsonFactory();

    private ServerHttp() {
    }

    /** Starts the HTTP port of {@code name} with the standard routes and {@code extra}. */
    public static HttpServer start(String name, HostPort listen, ServerMetrics metrics, HealthCheck health,
                                   HttpRoutes extra) throws IOException, InterruptedException {
        HttpRoutes routes = extra == null ? new HttpRoutes() : extra;
        routes.get("/metrics", HttpRoute.of(q -> metrics(metrics.registry())));
        routes.get("/health", HttpRoute.of(q -> health(health.notReadyReasons())));
        return HttpServer.start(name, listen, routes);
    }

    static HttpAnswer metrics(PrometheusMeterRegistry registry) {
        return HttpAnswer.ok(PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    static HttpAnswer health(List<String> reasons) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("status", reasons.isEmpty() ? "ready" : "not ready");
            if (!reasons.isEmpty()) {
                g.writeArrayFieldStart("reasons");
                for (String r : reasons) {
                    g.writeString(r);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HttpAnswer.json(reasons.isEmpty() ? 200 : 503, out.toByteArray());
    }
}
