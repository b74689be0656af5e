package io.yak.client.internal;

import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.net.RequestFailures;

/**
 * The request/response machinery of yak-wire ({@link NetworkClient}) as the client library uses it: request
 * futures fail with the library's public exceptions, {@link YakException} (error codes, timeouts) and
 * {@link YakConnectionException} (a peer that cannot be reached or vanished), exactly as users have always seen
 * them; each client instance (producer, consumer, admin) gets its own event loop thread {@code yak-client-io-*}.
 */
public final class ClientNetwork {
    /** Builds the client library's exceptions. Stateless, thread-safe. */
    public static final RequestFailures FAILURES = new RequestFailures() {
        @Override
        public RuntimeException requestFailed(ErrorCode code, String message, Throwable cause) {
            return new YakException(code, message, cause);
        }

        @Override
        public RuntimeException connectionFailed(String address, String reason, String message, Throwable cause) {
            return new YakConnectionException(address, reason, message, cause);
        }
    };

    private ClientNetwork() {
    }

    /** A network client for one client instance: its own event loop, {@link #FAILURES}. */
    public static NetworkClient create(String clientId, long requestTimeoutMs, int connectTimeoutMs, int maxInFlight) {
        return NetworkClient.builder(clientId).requestTimeoutMs(requestTimeoutMs).connectTimeoutMs(connectTimeoutMs)
            .maxInFlight(maxInFlight).ioThreadName("yak-client-io").failures(FAILURES).build();
    }

    /** As {@link #create(String, long, int, int)} with the settings every client reads. */
    public static NetworkClient create(CommonConfig config) {
        return create(config.clientId(), config.requestTimeoutMs(), config.connectTimeoutMs(),
            NetworkClient.DEFAULT_MAX_IN_FLIGHT);
    }
}
