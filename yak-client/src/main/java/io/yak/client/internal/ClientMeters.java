package io.yak.client.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * The meters one client (producer or consumer) registers in the application's {@link MeterRegistry}, every one
 * tagged {@code client.id}; remembers them so {@link #close()} removes exactly these from the registry
 * ({@code METRICS.md}, "Clients"). Meters are registered off the hot paths (once per partition, topic or error
 * code) and then kept by the caller, so recording never looks anything up.
 *
 * <p>Thread-safe: the sender, event loop and application threads register and record. A meter registered after
 * {@link #close()} (a late answer racing with close) is removed at once, so none outlives the client. Two clients
 * with the same {@code client.id} in one registry share their meters, and the first to close removes them: give
 * each client its own id (the default ids are unique).
 */
public final class ClientMeters implements AutoCloseable {
    /** The tag every client meter carries. */
    public static final String CLIENT_ID_TAG = "client.id";
    /** Request latency histograms span what a request can take, as the broker's {@code yak.broker.request.latency}. */
    private static final Duration LATENCY_MIN = Duration.ofNanos(100_000);
    private static final Duration LATENCY_MAX = Duration.ofSeconds(30);

    private final MeterRegistry registry;
    private final Tags clientTags;
    /** Guarded by {@code this}. */
    private final Set<Meter> registered = new LinkedHashSet<>();
    /** Guarded by {@code this}. */
    private boolean closed;

    public ClientMeters(MeterRegistry registry, String clientId) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clientTags = Tags.of(CLIENT_ID_TAG, clientId);
    }

    /** A counter tagged {@code client.id} plus {@code tags} (key, value pairs). */
    public Counter counter(String name, String description, String... tags) {
        return track(Counter.builder(name).description(description).tags(clientTags).tags(tags).register(registry));
    }

    /** A distribution summary in {@code baseUnit}, tagged {@code client.id}. */
    public DistributionSummary summary(String name, String description, String baseUnit) {
        return track(DistributionSummary.builder(name).description(description).baseUnit(baseUnit).tags(clientTags)
            .register(registry));
    }

    /**
     * A request latency timer tagged {@code client.id}, with a percentile histogram from 100 µs to 30 s, so
     * percentiles add up across clients ({@code histogram_quantile} over the buckets).
     */
    public Timer latencyTimer(String name, String description) {
        return track(Timer.builder(name).description(description).tags(clientTags)
            .publishPercentileHistogram().minimumExpectedValue(LATENCY_MIN).maximumExpectedValue(LATENCY_MAX)
            .register(registry));
    }

    /**
     * A gauge reading {@code value} of {@code state}, tagged {@code client.id} plus {@code tags}. The registry keeps
     * {@code state} weakly: the caller keeps it alive while the gauge is wanted and {@link #remove removes} the gauge
     * after that.
     */
    public <T> Gauge gauge(String name, String description, T state, ToDoubleFunction<T> value, String... tags) {
        return track(Gauge.builder(name, state, value).description(description).tags(clientTags).tags(tags)
            .register(registry));
    }

    /** Removes one meter of this client from the registry (a gauge of a partition no longer assigned). */
    public void remove(Meter meter) {
        synchronized (this) {
            registered.remove(meter);
        }
        registry.remove(meter);
    }

    /** Removes every meter this client registered. Idempotent. */
    @Override
    public void close() {
        List<Meter> meters;
        synchronized (this) {
            closed = true;
            meters = new ArrayList<>(registered);
            registered.clear();
        }
        for (Meter m : meters) {
            registry.remove(m);
        }
    }

    private <M extends Meter> M track(M meter) {
        boolean late;
        synchronized (this) {
            late = closed;
            if (!late) {
                registered.add(meter);
            }
        }
        if (late) {
            registry.remove(meter);
        }
        return meter;
    }
}
