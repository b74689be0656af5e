package io.yak.http;

import java.util.concurrent.CompletableFuture;

/**
 * Answers one GET path. Runs on the HTTP event loop: work that waits on another thread (a server's state thread)
 * returns a future that completes there instead of blocking.
 */
@FunctionalInterface
public interface HttpRoute {
    CompletableFuture<HttpAnswer> answer(HttpQuery query) throws Exception;

    /** A route that computes its answer at once. */
    static HttpRoute of(java.util.function.Function<HttpQuery, HttpAnswer> f) {
        return q -> CompletableFuture.completedFuture(f.apply(q));
    }
}
