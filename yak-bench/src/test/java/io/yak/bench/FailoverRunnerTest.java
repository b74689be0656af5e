package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.bench.FailoverSignaller.Signal;
import java.util.BitSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailoverRunnerTest {
    private static FailoverRunner.Settings settings(int rate, int seconds, int killAfter, int partition) {
        return new FailoverRunner.Settings("127.0.0.1:7000", "t", rate, seconds, killAfter, Signal.KILL, partition,
            Map.of());
    }

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }

    @Test
    void shouldFindTheLongestGapBetweenSortedAckTimesOfAcknowledgedRecordsOnly() {
        // record 3 was never acknowledged: its (zero) time must not count; 4 was acknowledged before 2
        long[] ackNs = {1_000, 2_000, 9_000, 0, 2_500, 9_100};
        FailoverRunner.Gap gap = FailoverRunner.longestGap(ackNs, bits(0, 1, 2, 4, 5), 500);
        assertThat(gap).isEqualTo(new FailoverRunner.Gap(6_500, 2_500));
    }

    @Test
    void shouldListTheLongestGapsLongestFirst() {
        long[] sorted = {100, 900, 1_000, 1_300, 1_400, 1_700};
        assertThat(FailoverRunner.longestGaps(sorted, 3)).containsExactly(new FailoverRunner.Gap(800, 100),
            new FailoverRunner.Gap(300, 1_000), new FailoverRunner.Gap(300, 1_400));
        assertThat(FailoverRunner.longestGaps(sorted, 10)).hasSize(5);
        assertThat(FailoverRunner.longestGaps(new long[] {5}, 3)).isEmpty();
    }

    @Test
    void shouldHandleNegativeNanoTimes() {
        long[] ackNs = {-5_000, -4_000, 1_000};
        assertThat(FailoverRunner.longestGap(ackNs, bits(0, 1, 2), -6_000))
            .isEqualTo(new FailoverRunner.Gap(5_000, -4_000));
    }

    @Test
    void shouldReportNoGapWithFewerThanTwoAcknowledgements() {
        assertThat(FailoverRunner.longestGap(new long[] {7, 8}, bits(1), 3)).isEqualTo(new FailoverRunner.Gap(0, 3));
        assertThat(FailoverRunner.longestGap(new long[0], new BitSet(), 3)).isEqualTo(new FailoverRunner.Gap(0, 3));
    }

    @Test
    void shouldCountLostAsAcknowledgedUnreadAndDuplicatedAsReadTwice() {
        int[] read = {1, 0, 2, 0, 3, 1};
        // 1: acked, never read (lost); 3: not acked, not read (fine); 2 and 4: read more than once, acked or not
        FailoverRunner.Tally t = FailoverRunner.tally(bits(0, 1, 2, 5), read);
        assertThat(t).isEqualTo(new FailoverRunner.Tally(1, 2));
    }

    @Test
    void shouldPrintTheAnchorsFieldsVerbatim() {
        FailoverRunner.Outcome o = new FailoverRunner.Outcome(Signal.TERM, 2, 4242, 150_000, 0, 0, 0, 128_456_789,
            10.0123, true);
        assertThat(o.line()).isEqualTo("signal=TERM leader=2 pid=4242 acked=150000 failed=0 lost=0 duplicated=0 "
            + "max_ack_gap_ms=128.5 gap_start_s=10.01");
        assertThat(o.line()).containsPattern(
            "acked=\\d+ failed=\\d+ lost=\\d+ duplicated=\\d+ max_ack_gap_ms=[\\d.]+ gap_start_s=[\\d.]+$");
        assertThat(o.ok()).isTrue();
        assertThat(new FailoverRunner.Outcome(Signal.KILL, 1, 1, 10, 0, 1, 0, 0, 0, true).ok()).isFalse();
        assertThat(new FailoverRunner.Outcome(Signal.KILL, 1, 1, 10, 0, 0, 1, 0, 0, true).ok()).isFalse();
        assertThat(new FailoverRunner.Outcome(Signal.KILL, 1, 1, 10, 0, 0, 0, 0, 0, false).ok()).isFalse();
    }

    @Test
    void shouldAbbreviateALongCommandLineInTheMiddle() {
        assertThat(FailoverRunner.abbreviate("java -jar b.jar", 400)).isEqualTo("java -jar b.jar");
        String s = FailoverRunner.abbreviate("java -cp " + "x".repeat(1000) + " Main conf", 45);
        assertThat(s).startsWith("java -cp xxx").endsWith("x Main conf").contains(" ... ").hasSize(45);
    }

    @Test
    void shouldValidateTheSettings() {
        assertThat(settings(5000, 30, 10, 0).validate()).isNull();
        assertThat(settings(0, 30, 10, 0).validate()).contains("--rate must be positive");
        assertThat(settings(5000, 0, 0, 0).validate()).contains("--seconds must be positive");
        assertThat(settings(5000, 30, 30, 0).validate()).contains("--kill-after-seconds must be");
        assertThat(settings(5000, 30, -1, 0).validate()).contains("--kill-after-seconds must be");
        assertThat(settings(5000, 30, 10, -1).validate()).contains("--partition must not be negative");
        assertThat(settings(5_000_000, 30, 10, 0).validate()).contains("at most 50,000,000 records");
        assertThat(new FailoverRunner.Settings("x", " ", 1, 2, 1, Signal.KILL, 0, Map.of()).validate())
            .contains("--topic");
    }
}
