package io.yak.client.internal;

import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import java.util.Enumeration;
import java.util.Map;
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
     *
     * <p>As Kafka's clients do, values may be given typed ({@code props.put("max.request.size", 4_000_000)}: numbers
     * and booleans count as their text) and a {@code Properties} may carry defaults ({@code new Properties(defaults)});
     * anything else (a non-String key, another type of value) is refused, never silently dropped.
     */
    public static void parse(Properties props, String source, Consumer<ConfigReader> body) {
        Properties copy = new Properties();
        Enumeration<?> names;
        try {
            names = props.propertyNames(); // the keys of the defaults too
        } catch (ClassCastException e) {
            throw new IllegalArgumentException(source + ": a config key is not a String", e);
        }
        while (names.hasMoreElements()) {
            String name = (String) names.nextElement();
            String text = props.getProperty(name); // null for a value that is not a String
            if (text != null) {
                copy.setProperty(name, text);
            } else if (!props.containsKey(name)) {
                // a typed value in the defaults: Properties offers no way to read it, so it is refused, not dropped
                throw new IllegalArgumentException(source + ": key '" + name + "' has a value that is not a String in "
                    + "the Properties' defaults: give it as a String there, or typed in the Properties itself");
            }
        }
        for (Map.Entry<Object, Object> e : props.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException(source + ": config key " + e.getKey() + " is a "
                    + e.getKey().getClass().getSimpleName() + ", not a String");
            }
            Object value = e.getValue();
            if (value instanceof Number || value instanceof Boolean) {
                copy.setProperty(key, value.toString());
            } else if (!(value instanceof String)) {
                throw new IllegalArgumentException(source + ": key '" + key + "' has a value of type "
                    + value.getClass().getSimpleName() + " (" + value + "): give a String, a number or a boolean");
            }
        }
        if (copy.containsKey("bootstrap.servers") && !copy.containsKey("coordinator")) {
            throw new IllegalArgumentException(source + ": unknown key 'bootstrap.servers': YaK clients bootstrap "
                + "from the coordinator, set 'coordinator' to its host:port");
        }
        ConfigReader r = new ConfigReader(copy, source);
        try {
            body.accept(r);
            r.finish();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
