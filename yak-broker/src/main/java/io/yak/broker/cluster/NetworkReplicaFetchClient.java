package io.yak.broker.cluster;

import io.yak.broker.partition.ReplicaFetchClient;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.net.RequestFailedException;
import java.util.concurrent.CompletableFuture;

/**
 * Replica fetches over the shared request/response client ({@link NetworkClient}): one connection per leader
 * broker, answers matched by correlation id, a lost connection reopened by the next fetch.
 */
public final class NetworkReplicaFetchClient implements ReplicaFetchClient {
    private final NetworkClient client;

    public NetworkReplicaFetchClient(int brokerId, int maxResponseFrameBytes) {
        this.client = NetworkClient.builder("broker-" + brokerId + "-replica-fetcher")
            .ioThreadName("yak-replica-io")
            .maxInFlight(4)
            .maxResponseFrameBytes(maxResponseFrameBytes)
            .build();
    }

    @Override
    public CompletableFuture<ReplicaFetchResponse> fetch(HostPort leader, ReplicaFetchRequest request,
                                                        long timeoutMs) {
        return client.connection(leader).send(request, timeoutMs).thenApply(NetworkReplicaFetchClient::fetched);
    }

    private static ReplicaFetchResponse fetched(Message m) {
        if (m instanceof ReplicaFetchResponse r) {
            return r;
        }
        m.release();
        ErrorCode code = m instanceof ErrorResponse e ? e.error() : ErrorCode.UNKNOWN_SERVER_ERROR;
        throw new RequestFailedException(code, "replica fetch answered " + m.type(), null);
    }

    @Override
    public void close() {
        client.close();
    }
}
