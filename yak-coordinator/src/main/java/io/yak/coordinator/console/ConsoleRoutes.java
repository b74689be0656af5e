package io.yak.coordinator.console;

import io.yak.http.HttpAnswer;
import io.yak.http.HttpRoute;
import io.yak.http.HttpRoutes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The web console on the coordinator's HTTP port: the page and its script and style at {@code /}, uPlot (the charts)
 * from its WebJar at {@code /vendor/uplot/}, and the JSON API at {@code /api/overview} and {@code /api/rates},
 * answered on the state thread. Files are read from the jar once, at start, so a missing one fails the start.
 */
public final class ConsoleRoutes {
    /** The uPlot WebJar's version (the pom's {@code uplot.version}); its files are found by it. */
    static final String UPLOT_VERSION = "1.6.30";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/";
    private static final String OWN = "io/yak/coordinator/console/";
    /** Browsers may keep the static files this long; the data is never cached by them. */
    private static final int STATIC_CACHE_SECONDS = 300;
    private static final long API_CACHE_NS = 1_000_000_000L;

    private ConsoleRoutes() {
    }

    /** Adds the console's routes to {@code routes}; the API runs on {@code stateThread}. */
    public static HttpRoutes add(HttpRoutes routes, ConsoleApi api, Executor stateThread) {
        routes.get("/", file(OWN + "index.html", "text/html; charset=utf-8"));
        routes.get("/console.js", file(OWN + "console.js", "text/javascript; charset=utf-8"));
        routes.get("/console.css", file(OWN + "console.css", "text/css; charset=utf-8"));
        routes.get("/vendor/uplot/uPlot.iife.min.js", file(UPLOT + "uPlot.iife.min.js",
            "text/javascript; charset=utf-8"));
        routes.get("/vendor/uplot/uPlot.min.css", file(UPLOT + "uPlot.min.css", "text/css; charset=utf-8"));
        routes.get("/api/overview", json(api::overview, stateThread));
        routes.get("/api/rates", json(() -> api.rates(api.topicNames()), stateThread));
        return routes;
    }

    /**
     * An API answer made on the state thread and shared for {@link #API_CACHE_NS}: however many pages and scripts
     * ask, the state thread builds it at most once a second (and once at a time).
     */
    private static HttpRoute json(Supplier<byte[]> body, Executor stateThread) {
        AtomicReference<Made> latest = new AtomicReference<>();
        return q -> {
            long now = System.nanoTime();
            Made m = latest.get();
            if (m != null && now - m.startNs < API_CACHE_NS) {
                return m.answer;
            }
            Made made = new Made(now, CompletableFuture.supplyAsync(() -> HttpAnswer.json(200, body.get()),
                stateThread));
            return latest.compareAndSet(m, made) ? made.answer : latest.get().answer;
        };
    }

    /** An answer being made or made, and when it was asked for. */
    private record Made(long startNs, CompletableFuture<HttpAnswer> answer) {
    }

    private static HttpRoute file(String resource, String contentType) {
        byte[] bytes = read(resource);
        HttpAnswer answer = new HttpAnswer(200, contentType, bytes, STATIC_CACHE_SECONDS);
        return q -> CompletableFuture.completedFuture(answer);
    }

    static byte[] read(String resource) {
        try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("console file " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console file " + resource, e);
        }
    }
}
