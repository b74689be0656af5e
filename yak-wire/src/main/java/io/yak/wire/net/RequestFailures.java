package io.yak.wire.net;

import io.yak.wire.ErrorCode;

/**
 * Builds the exceptions a {@link NetworkClient} fails request futures with, so that each user of the machinery
 * keeps its own exception types: brokers use {@link #WIRE} ({@link RequestFailedException},
 * {@link ConnectionFailedException}); the client library passes one that builds its public {@code YakException}
 * and {@code YakConnectionException}. Implementations must be thread-safe and cheap: they are called on event
 * loops.
 */
public interface RequestFailures {
    /** The machinery's own exception types. */
    RequestFailures WIRE = new RequestFailures() {
        @Override
        public RuntimeException requestFailed(ErrorCode code, String message, Throwable cause) {
            return new RequestFailedException(code, message, cause);
        }

        @Override
        public RuntimeException connectionFailed(String address, String reason, String message, Throwable cause) {
            return new ConnectionFailedException(address, reason, message, cause);
        }
    };

    /**
     * A request failed with an error code: an {@code ERROR_RESPONSE} from the server, {@code REQUEST_TIMED_OUT}
     * (deadline passed, no in-flight slot in time, interrupted while waiting for one), or
     * {@code UNKNOWN_SERVER_ERROR} (the client is closed, the server answered with the wrong message type).
     *
     * @param message already escaped for log lines
     * @param cause may be null
     */
    RuntimeException requestFailed(ErrorCode code, String message, Throwable cause);

    /**
     * The connection to {@code address} could not be opened or was lost. The result must be reported retriable.
     *
     * @param address the peer as {@code host:port}, unescaped
     * @param reason short text for people ("connection refused", "connection lost")
     * @param message already escaped for log lines
     * @param cause may be null
     */
    RuntimeException connectionFailed(String address, String reason, String message, Throwable cause);
}
