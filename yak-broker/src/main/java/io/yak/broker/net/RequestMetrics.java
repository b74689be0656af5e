package io.yak.broker.net;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.yak.wire.ErrorCode;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Latency and error answers of the requests a broker serves, by request type ({@code METRICS.md}). The timers are
 * resolved once; an error counter at its first use, then kept, so recording looks nothing up by name.
 */
public final class RequestMetrics {
    /** The request types timed; the {@code type} tag. */
    enum Type {
        PUBLISH("publish"), CONSUME("consume"), REPLICA_FETCH("replica_fetch"), LIST_OFFSETS("list_offsets");

        final String tag;

        Type(String tag) {
            this.tag = tag;
        }
    }

    private static final ErrorCode[] CODES = ErrorCode.values();
    private final MeterRegistry registry;
    private final Timer[] latency = new Timer[Type.values().length];
    private final AtomicReferenceArray<Counter> errors = new AtomicReferenceArray<>(Type.values().length
        * CODES.length);

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Type t : Type.values()) {
            latency[t.ordinal()] = Timer.builder("yak.broker.request.latency").tag("type", t.tag)
                .description("time from a request's arrival to its answer (acks=all publishes and parked consumes "
                    + "include their wait)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        }
    }

    /** A request of type {@code t} that arrived at {@code startNs} ({@link System#nanoTime}) was answered. */
    void answered(Type t, long startNs, ErrorCode error) {
        latency[t.ordinal()].record(System.nanoTime() - startNs, TimeUnit.NANOSECONDS);
        if (error != ErrorCode.NONE) {
            errorCounter(t, error).increment();
        }
    }

    private Counter errorCounter(Type t, ErrorCode error) {
        int index = t.ordinal() * CODES.length + error.ordinal();
        Counter c = errors.get(index);
        if (c == null) {
            c = Counter.builder("yak.broker.request.errors").tag("type", t.tag).tag("error", error.name())
                .description("requests answered with an error, by request type and error code").register(registry);
            errors.set(index, c);
        }
        return c;
    }
}
