package io.yak.http;

/**
 * A running server process: its server(s), its HTTP port (null without one) and its meters, closed in that
 * order (the HTTP port first, so nobody scrapes a half-closed server).
 */
public record RunningNode(AutoCloseable server, HttpServer http, ServerMetrics metrics) implements AutoCloseable {
    @Override
    public void close() throws Exception {
        try {
            if (http != null) {
                http.close();
            }
            server.close();
        } finally {
            metrics.close();
        }
    }
}
