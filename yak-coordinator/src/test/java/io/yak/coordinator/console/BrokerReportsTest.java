package io.yak.coordinator.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.message.PartitionStats;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rates from the growth of the brokers' counters, new baselines after restarts and moves, forgotten topics. */
class BrokerReportsTest {
    private final BrokerReports reports = new BrokerReports();

    private static PartitionStats stats(String topic, int partition, long in, long out) {
        return new PartitionStats(topic, partition, 0, in, in, in * 10, in, out, in * 10, out * 10);
    }

    @Test
    void shouldTurnTheGrowthOfEachPartitionsCountersIntoRecordsPerSecond() {
        reports.sample(1_000, Set.of("a"));
        reports.report(1, List.of(stats("a", 0, 100, 0), stats("a", 1, 50, 0)), 10_000);
        reports.sample(3_000, Set.of("a")); // a first report is a baseline: no rate yet
        reports.report(1, List.of(stats("a", 0, 300, 100), stats("a", 1, 250, 100)), 12_000);
        reports.sample(5_000, Set.of("a"));
        reports.sample(7_000, Set.of("a")); // no report since: the broker's latest rates stand
        assertThat(reports.sampleTimes()).containsExactly(1_000L, 3_000L, 5_000L, 7_000L);
        assertThat(reports.rates("a", true)).containsExactly(0f, 0f, 200f, 200f); // 400 records in 2 s
        assertThat(reports.rates("a", false)).containsExactly(0f, 0f, 100f, 100f);
        assertThat(reports.stats(1, "a", 1).highWatermark()).isEqualTo(250);
        assertThat(reports.lastReportMs(1)).isEqualTo(12_000);
        assertThat(reports.lastReportMs(2)).isEqualTo(-1);
    }

    @Test
    void shouldStartANewBaselineWhenABrokerRestartsOrAnotherLeads() {
        reports.sample(0, Set.of("a"));
        reports.report(1, List.of(stats("a", 0, 1_000, 0)), 0);
        reports.report(1, List.of(stats("a", 0, 10, 0)), 1_000); // restarted: counters from zero
        reports.sample(1_000, Set.of("a"));
        assertThat(reports.rates("a", true)).containsExactly(0f, 0f);
        reports.report(2, List.of(stats("a", 0, 5_000, 0)), 2_000); // broker 2 leads now: its own counters
        reports.report(1, List.of(), 2_000);
        reports.sample(2_000, Set.of("a"));
        assertThat(reports.rates("a", true)).containsExactly(0f, 0f, 0f);
        reports.report(2, List.of(stats("a", 0, 5_500, 0)), 3_000);
        reports.sample(3_000, Set.of("a"));
        assertThat(reports.rates("a", true)).containsExactly(0f, 0f, 0f, 500f);
        assertThat(reports.stats(1, "a", 0)).isNull();
    }

    @Test
    void shouldForgetDeletedTopicsAndSilentBrokersAndKeepABoundedHistory() {
        reports.report(1, List.of(stats("a", 0, 0, 0), stats("b", 0, 0, 0)), 0);
        reports.report(1, List.of(stats("a", 0, 1, 0), stats("b", 0, 1, 0)), 1_000);
        reports.sample(0, Set.of("a"));
        assertThat(reports.topicsWithRates()).containsExactly("a");
        for (int i = 1; i <= BrokerReports.SAMPLES + 10; i++) {
            reports.sample(i * 2_000L, Set.of("a"));
        }
        assertThat(reports.sampleTimes()).hasSize(BrokerReports.SAMPLES).startsWith(22_000L);
        assertThat(reports.rates("a", true)).hasSize(BrokerReports.SAMPLES);
        reports.expire(1_000 + BrokerReports.REPORT_MAX_AGE_MS + 1, BrokerReports.REPORT_MAX_AGE_MS);
        assertThat(reports.lastReportMs(1)).isEqualTo(-1);
    }
}
