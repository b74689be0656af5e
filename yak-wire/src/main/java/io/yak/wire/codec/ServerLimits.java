package io.yak.wire.codec;

import io.yak.wire.FrameLayout;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;

/**
 * What a server bounds per connection and across connections, read from the same keys by the broker and the
 * coordinator (documented in every file of {@code conf/}).
 *
 * @param maxFrameBytes          {@code max.frame.bytes}: largest frame length accepted
 * @param queuedMaxRequestBytes  {@code queued.max.request.bytes}: bytes of frames being read, across all
 *                               connections, before the server stops reading until some complete ({@link
 *                               RequestMemoryPool})
 * @param requestReadTimeoutMs   {@code request.read.timeout.ms}: a frame still incomplete this long after it started
 *                               arriving (counting only time the server was reading from the peer) closes the
 *                               connection with {@code REQUEST_TIMED_OUT}
 * @param responseWriteTimeoutMs {@code response.write.timeout.ms}: a peer that has not read its responses for this
 *                               long is disconnected ({@link SlowReaderGuard})
 */
public record ServerLimits(int maxFrameBytes, long queuedMaxRequestBytes, long requestReadTimeoutMs,
                           long responseWriteTimeoutMs) {
    public static final String QUEUED_MAX_REQUEST_BYTES = "queued.max.request.bytes";
    public static final String REQUEST_READ_TIMEOUT_MS = "request.read.timeout.ms";
    public static final String RESPONSE_WRITE_TIMEOUT_MS = "response.write.timeout.ms";
    public static final long DEFAULT_QUEUED_MAX_REQUEST_BYTES = 64L << 20;
    public static final long DEFAULT_REQUEST_READ_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_RESPONSE_WRITE_TIMEOUT_MS = 30_000;

    public ServerLimits {
        check("max.frame.bytes", maxFrameBytes, FrameLayout.MIN_LENGTH_FIELD, Integer.MAX_VALUE - 16);
        check(QUEUED_MAX_REQUEST_BYTES, queuedMaxRequestBytes, 1, Long.MAX_VALUE / 2);
        check(REQUEST_READ_TIMEOUT_MS, requestReadTimeoutMs, 1, 86_400_000);
        check(RESPONSE_WRITE_TIMEOUT_MS, responseWriteTimeoutMs, 1, 86_400_000);
    }

    /** Defaults for everything but the frame size. */
    public static ServerLimits defaults(int maxFrameBytes) {
        return new ServerLimits(maxFrameBytes, DEFAULT_QUEUED_MAX_REQUEST_BYTES, DEFAULT_REQUEST_READ_TIMEOUT_MS,
            DEFAULT_RESPONSE_WRITE_TIMEOUT_MS);
    }

    /** Reads the three connection keys; the frame size comes from the caller, which reads and ranges it itself. */
    public static ServerLimits from(ConfigReader r, int maxFrameBytes) {
        return new ServerLimits(maxFrameBytes,
            r.longValue(QUEUED_MAX_REQUEST_BYTES, DEFAULT_QUEUED_MAX_REQUEST_BYTES, 1 << 20, 1L << 40),
            r.longValue(REQUEST_READ_TIMEOUT_MS, DEFAULT_REQUEST_READ_TIMEOUT_MS, 100, 86_400_000),
            r.longValue(RESPONSE_WRITE_TIMEOUT_MS, DEFAULT_RESPONSE_WRITE_TIMEOUT_MS, 100, 86_400_000));
    }

    /** For a startup log line, with the config file's keys. */
    public String describe() {
        return QUEUED_MAX_REQUEST_BYTES + "=" + queuedMaxRequestBytes + ", " + REQUEST_READ_TIMEOUT_MS + "="
            + requestReadTimeoutMs + ", " + RESPONSE_WRITE_TIMEOUT_MS + "=" + responseWriteTimeoutMs;
    }

    private static void check(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException("key '" + key + "' = " + value + " outside " + min + ".." + max);
        }
    }
}
