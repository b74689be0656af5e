package io.yak.broker.partition;

import io.yak.wire.config.HostPort;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import java.util.concurrent.CompletableFuture;

/** Sends a follower's replica fetch to a leader broker. */
public interface ReplicaFetchClient extends AutoCloseable {
    /** Completes with the leader's answer, which the caller then owns (and releases), or exceptionally. */
    CompletableFuture<ReplicaFetchResponse> fetch(HostPort leader, ReplicaFetchRequest request, long timeoutMs);

    @Override
    void close();
}
