package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ClientMeterReportTest {
    @Test
    void shouldPrintOneSortedLinePerMeterWithWhatFitsItsType() {
        MeterRegistry registry = new SimpleMeterRegistry();
        Counter.builder("yak.producer.records.sent").tags("client.id", "p-1", "topic", "t").register(registry)
            .increment(1_234_567);
        DistributionSummary size = DistributionSummary.builder("yak.producer.batch.size").baseUnit("bytes")
            .tags("client.id", "p-1").register(registry);
        size.record(1000);
        size.record(3000);
        Timer latency = Timer.builder("yak.producer.request.latency").tags("client.id", "p-1").register(registry);
        latency.record(Duration.ofMillis(2));
        latency.record(Duration.ofMillis(4));
        AtomicLong lag = new AtomicLong(42);
        Gauge.builder("yak.consumer.lag", lag, AtomicLong::get).tags("client.id", "c-1", "topic", "t", "partition", "0")
            .register(registry);
        Gauge.builder("yak.consumer.lag", lag, l -> Double.NaN).tags("client.id", "c-1", "topic", "t",
            "partition", "1").register(registry);

        assertThat(ClientMeterReport.lines(registry)).containsExactly(
            "yak.consumer.lag{client.id=c-1, partition=0, topic=t}: value 42",
            "yak.consumer.lag{client.id=c-1, partition=1, topic=t}: value NaN (not known yet)",
            "yak.producer.batch.size{client.id=p-1}: count 2, total 4,000 bytes, mean 2,000.0 bytes, max 3,000 bytes",
            "yak.producer.records.sent{client.id=p-1, topic=t}: count 1,234,567",
            "yak.producer.request.latency{client.id=p-1}: count 2, total 0.006 s, mean 3.000 ms, max 4.000 ms");

        StringWriter text = new StringWriter();
        ClientMeterReport.print("W1", registry, new PrintWriter(text));
        assertThat(text.toString()).startsWith("W1 client meters (--client-metrics):" + System.lineSeparator()
            + "  yak.consumer.lag{");
    }

    @Test
    void shouldPrintNothingForAnEmptyRegistry() {
        StringWriter text = new StringWriter();
        ClientMeterReport.print("W1", new SimpleMeterRegistry(), new PrintWriter(text));
        assertThat(text.toString()).isEmpty();
    }
}
