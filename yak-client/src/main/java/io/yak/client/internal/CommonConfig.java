package io.yak.client.internal;

import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Settings every client (producer, consumer, admin) reads: {@code coordinator} (host:port, default
 * 127.0.0.1:7000), {@code client.id}, {@code request.timeout.ms} (default 30000), {@code connect.timeout.ms}
 * (default 10000) and {@code retry.backoff.ms} (default 100).
 */
public record CommonConfig(HostPort coordinator, String clientId, int requestTimeoutMs, int connectTimeoutMs,
                           long retryBackoffMs) {
    public static final HostPort DEFAULT_COORDINATOR = new HostPort("127.0.0.1", 7000);
    private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

    /** Reads the common keys; {@code role} names the default client id ({@code yak-producer-3}). */
    public static CommonConfig read(ConfigReader r, String role) {
        HostPort coordinator = r.hostPort("coordinator", DEFAULT_COORDINATOR);
        String clientId = r.string("client.id", "");
        if (clientId.isEmpty()) {
            clientId = "yak-" + role + "-" + CLIENT_IDS.incrementAndGet();
        }
        int requestTimeoutMs = r.intValue("request.timeout.ms", 30_000, 1, Integer.MAX_VALUE);
        int connectTimeoutMs = r.intValue("connect.timeout.ms", 10_000, 1, Integer.MAX_VALUE);
        long retryBackoffMs = r.longValue("retry.backoff.ms", 100, 0, 3_600_000);
        return new CommonConfig(coordinator, clientId, requestTimeoutMs, connectTimeoutMs, retryBackoffMs);
    }

    /**
     * Runs {@code body} over a reader of {@code props}, then rejects unread keys. Every configuration error
     * (unknown key, bad value) becomes an {@link IllegalArgumentException} naming the key.
     */
    public static void parse(Properties props, String source, Consumer<ConfigReader> body) {
        Properties copy = new Properties();
        copy.putAll(props);
        ConfigReader r = new ConfigReader(copy, source);
        try {
            body.accept(r);
            r.finish();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
