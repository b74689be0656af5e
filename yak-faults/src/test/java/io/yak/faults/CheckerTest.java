package io.yak.faults;

import static io.yak.faults.History.Outcome.FAILED;
import static io.yak.faults.History.Outcome.OK;
import static io.yak.faults.History.Outcome.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.faults.CheckResult.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class CheckerTest {
    private static final List<Integer> ALL = List.of(0, 1, 2);

    @RepeatedTest(3)
    void shouldPassACorrectRun() {
        long seed = System.nanoTime();
        System.out.println("CheckerTest.shouldPassACorrectRun seed " + seed);
        History history = correctRun(new Random(seed), 100_000);

        CheckResult result = Checker.check(history, null);

        assertThat(result.anomalies()).as("seed %d", seed).isEmpty();
        assertThat(result.valid()).isTrue();
    }

    @Test
    void shouldReportAcknowledgedValueMissingFromReadBack() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, OK, 1);
        history.send("p", 0, 102, OK, 2);
        history.readBack(0, 0, 100);
        history.readBack(0, 1, 101);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.LOST, 1);
        assertThat(result.anomalies().get(0)).contains("value 102", "partition 0 offset 2", "p");
    }

    @Test
    void shouldReportAcknowledgedValueMissingBelowOffsetsReadPastIt() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, OK, 1);
        history.send("p", 0, 102, OK, 2);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.readBack(0, 0, 100);
        history.readBack(0, 2, 102);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.LOST, 1);
        assertThat(result.anomalies().get(0)).contains("value 101", "offset 1", "holds offsets 0..2",
                "c polled up to offset 0");
    }

    @Test
    void shouldReportPolledValueOfIndeterminateSendMissingFromReadBack() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, UNKNOWN, -1);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 1, 101);
        history.readBack(0, 0, 100);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.LOST, 1);
        assertThat(result.anomalies().get(0)).contains("value 101", "polled by c at partition 0 offset 1");
    }

    @Test
    void shouldReportValueAtTwoOffsetsOfTheReadBack() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, OK, 1);
        history.readBack(0, 0, 100);
        history.readBack(0, 1, 101);
        history.readBack(0, 2, 100);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.DUPLICATE, 1);
        assertThat(result.anomalies().get(0)).contains("value 100", "partition 0 offset 0", "partition 0 offset 2");
    }

    @Test
    void shouldReportValuePolledAtAnotherOffsetThanReadBack() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, OK, 1);
        history.readBack(0, 0, 100);
        history.readBack(0, 1, 101);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 1, 101);
        history.poll("c", 0, 2, 100);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.DUPLICATE, 1);
        assertThat(result.anomalies().get(0)).contains("value 100", "polled by c at partition 0 offset 2",
                "read back at partition 0 offset 0");
    }

    @Test
    void shouldReportValuePolledAtTwoOffsetsBeyondTheReadBack() {
        History history = new History();
        history.send("p", 0, 100, UNKNOWN, -1);
        history.assign("c1", ALL);
        history.poll("c1", 0, 5, 100);
        history.assign("c2", ALL);
        history.poll("c2", 0, 6, 100);

        CheckResult result = Checker.check(history, null);

        assertThat(result.duplicated()).isEqualTo(1);
        assertThat(result.lost()).as("polled, indeterminate and not read back").isEqualTo(1);
        assertThat(result.anomalies()).anySatisfy(line -> assertThat(line).startsWith("duplicate:")
                .contains("polled by c1 at partition 0 offset 5", "polled by c2 at partition 0 offset 6"));
    }

    @Test
    void shouldReportAcknowledgedOffsetHoldingAnotherValueInTheReadBack() {
        History history = new History();
        history.send("p1", 0, 100, OK, 0);
        history.send("p2", 0, 101, OK, 0);
        history.readBack(0, 0, 100);
        history.readBack(0, 1, 101);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.INCONSISTENT_OFFSET, 1);
        assertThat(result.anomalies().get(0)).contains("partition 0 offset 0", "value 100", "value 101",
                "acknowledged to p2");
    }

    @Test
    void shouldReportPollsDisagreeingOnAnOffsetBeyondTheReadBack() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, UNKNOWN, -1);
        history.send("p", 0, 102, UNKNOWN, -1);
        history.readBack(0, 0, 100);
        history.assign("c1", ALL);
        history.poll("c1", 0, 0, 100);
        history.poll("c1", 0, 1, 101);
        history.assign("c2", ALL);
        history.poll("c2", 0, 0, 100);
        history.poll("c2", 0, 1, 102);

        CheckResult result = Checker.check(history, null);

        assertThat(result.inconsistentOffsets()).isEqualTo(1);
        assertThat(result.lost()).isEqualTo(2);
        assertThat(result.duplicated() + result.nonMonotonic() + result.skipped()).isZero();
        assertThat(result.anomalies()).anySatisfy(line -> assertThat(line).startsWith("inconsistent offset:")
                .contains("partition 0 offset 1", "value 101 was polled by c1", "value 102 was polled by c2"));
    }

    @Test
    void shouldReportReadBackHoldingTwoValuesAtOneOffset() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 101, UNKNOWN, -1);
        history.readBack(0, 0, 100);
        history.readBack(0, 0, 101);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.INCONSISTENT_OFFSET, 1);
    }

    @Test
    void shouldReportPollGoingBackWithinASession() {
        History history = readBackOf(4);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 1, 101);
        history.poll("c", 1, 0, 200);
        history.poll("c", 0, 2, 102);
        history.poll("c", 0, 1, 101);
        history.poll("c", 0, 2, 102);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.NON_MONOTONIC, 1);
        assertThat(result.anomalies().get(0)).contains("c polled partition 0 offset 1 (value 101) after offset 2");
    }

    @Test
    void shouldStartANewSessionOnAssign() {
        History history = readBackOf(4);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 1, 101);
        history.assign("c", List.of(0));
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 1, 101);
        history.assign("c", List.of(0));
        history.poll("c", 0, 3, 103);

        CheckResult result = Checker.check(history, null);

        assertThat(result.anomalies()).isEmpty();
    }

    @Test
    void shouldReportPollSkippingOverStoredRecords() {
        History history = readBackOf(4);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 1, 101);
        history.poll("c", 0, 3, 103);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.SKIPPED, 1);
        assertThat(result.anomalies().get(0)).contains("c polled partition 0 offset 3", "after offset 1",
                "offset 2 (value 102)");
    }

    @Test
    void shouldAcceptPollJumpingOverOffsetsTheLogDoesNotHold() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.send("p", 0, 102, OK, 2);
        history.readBack(0, 0, 100);
        history.readBack(0, 2, 102);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);
        history.poll("c", 0, 2, 102);

        assertThat(Checker.check(history, null).anomalies()).isEmpty();
    }

    @Test
    void shouldReportReadOfFailedSendOncePerValue() {
        History history = new History();
        history.send("p", 0, 100, FAILED, -1);
        history.readBack(0, 0, 100);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.READ_OF_FAILED, 1);
        assertThat(result.anomalies().get(0)).contains("value 100", "read back at partition 0 offset 0", "by p");
    }

    @Test
    void shouldReportPolledValueOfFailedSend() {
        History history = new History();
        history.send("p", 0, 100, FAILED, -1);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);

        assertOnly(Checker.check(history, null), Kind.READ_OF_FAILED, 1);
    }

    @Test
    void shouldReportValueThatWasNeverSent() {
        History history = new History();
        history.send("p", 0, 100, OK, 0);
        history.readBack(0, 0, 100);
        history.readBack(0, 1, 999);
        history.assign("c", ALL);
        history.poll("c", 0, 1, 999);

        CheckResult result = Checker.check(history, null);

        assertOnly(result, Kind.UNEXPECTED, 1);
        assertThat(result.anomalies().get(0)).contains("value 999", "never sent");
    }

    @Test
    void shouldReportDivergingReplicas() {
        History history = readBackOf(2);
        ReplicaLogs replicas = new ReplicaLogs();
        replicas.add(1, 0, 0, 2, ReplicaLogsTest.batch(0, 100, 101));
        replicas.add(2, 0, 0, 2, ReplicaLogsTest.batch(0, 100, 777));

        CheckResult result = Checker.check(history, replicas);

        assertOnly(result, Kind.REPLICA_DIVERGENCE, 1);
        assertThat(result.anomalies().get(0)).startsWith("replica divergence: partition 0: brokers 1 and 2");
    }

    @Test
    void shouldCountEveryAnomalyButListOnlyTheFirstOfEachKind() {
        History history = new History();
        for (int i = 0; i < 120; i++) {
            history.send("p", 0, 100 + i, OK, i);
        }

        CheckResult result = Checker.check(history, null);

        assertThat(result.lost()).isEqualTo(120);
        assertThat(result.anomalies()).hasSize(CheckResult.LINES_PER_KIND + 1);
        assertThat(result.anomalies().get(CheckResult.LINES_PER_KIND)).isEqualTo("lost: 70 more not listed");
    }

    @Test
    void shouldSummarizeTotalsAndEveryCount() {
        History history = readBackOf(3);
        history.send("p", 0, 1, FAILED, -1);
        history.send("p", 0, 2, UNKNOWN, -1);
        history.assign("c", ALL);
        history.poll("c", 0, 0, 100);

        String summary = Checker.check(history, null).summary(7);

        assertThat(summary).containsPattern("faults injected +7\n").containsPattern("records sent +8\n")
                .containsPattern("acknowledged +6\n").containsPattern("failed +1\n")
                .containsPattern("unknown +1\n").containsPattern("read back +6\n").containsPattern("polled +1\n")
                .containsPattern("lost +0\n").containsPattern("replica divergence +0\n").contains("VALID");
    }

    @Test
    void shouldRefuseAValueSentTwice() {
        History history = new History();
        history.send("p1", 0, 100, OK, 0);
        history.send("p2", 1, 100, OK, 0);

        assertThatThrownBy(() -> Checker.check(history, null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("value 100");
    }

    @RepeatedTest(5)
    void shouldSortKeysWithTheirRows() {
        long seed = System.nanoTime();
        System.out.println("CheckerTest.shouldSortKeysWithTheirRows seed " + seed);
        Random random = new Random(seed);
        int size = random.nextInt(100_000);
        long[] original = new long[size];
        for (int i = 0; i < size; i++) {
            original[i] = random.nextBoolean() ? random.nextLong() : random.nextInt(1000);
        }
        if (random.nextBoolean()) {
            Arrays.sort(original);
        }

        Checker.SortedIndex index = Checker.SortedIndex.of(original.clone());

        long[] expected = original.clone();
        Arrays.sort(expected);
        boolean[] seen = new boolean[size];
        for (int i = 0; i < size; i++) {
            assertThat(index.key(i)).as("seed %d index %d", seed, i).isEqualTo(expected[i]);
            assertThat(original[index.row(i)]).as("seed %d row of index %d", seed, i).isEqualTo(index.key(i));
            assertThat(seen[index.row(i)]).as("seed %d row %d twice", seed, index.row(i)).isFalse();
            seen[index.row(i)] = true;
        }
    }

    /** Partitions 0 and 1 each hold {@code records} acknowledged values: 100.. and 200... */
    private static History readBackOf(int records) {
        History history = new History();
        for (int partition = 0; partition < 2; partition++) {
            for (int offset = 0; offset < records; offset++) {
                long value = (partition + 1) * 100L + offset;
                history.send("p", partition, value, OK, offset);
                history.readBack(partition, offset, value);
            }
        }
        return history;
    }

    /**
     * A run with no anomaly: failed sends are not stored, indeterminate ones sometimes are, and consumers read every
     * partition in several sessions, repositioning between them.
     */
    private static History correctRun(Random random, int sends) {
        History history = new History();
        int partitions = 3;
        List<List<Long>> logs = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            logs.add(new ArrayList<>());
        }
        long value = random.nextLong() >>> 8;
        for (int i = 0; i < sends; i++) {
            int partition = random.nextInt(partitions);
            List<Long> log = logs.get(partition);
            long sent = value++;
            int dice = random.nextInt(10);
            if (dice == 0) {
                history.send("producer-" + i % 4, partition, sent, FAILED, -1);
            } else if (dice == 1) {
                if (random.nextBoolean()) {
                    log.add(sent);
                }
                history.send("producer-" + i % 4, partition, sent, UNKNOWN, -1);
            } else {
                log.add(sent);
                history.send("producer-" + i % 4, partition, sent, OK, log.size() - 1);
            }
        }
        for (int p = 0; p < partitions; p++) {
            for (int offset = 0; offset < logs.get(p).size(); offset++) {
                history.readBack(p, offset, logs.get(p).get(offset));
            }
        }
        for (int consumer = 0; consumer < 3; consumer++) {
            String client = "consumer-" + consumer;
            for (int session = 0; session < 3; session++) {
                history.assign(client, ALL);
                int[] next = new int[partitions];
                for (int p = 0; p < partitions; p++) {
                    next[p] = random.nextInt(logs.get(p).size() + 1);
                }
                boolean more = true;
                while (more) {
                    more = false;
                    for (int p = 0; p < partitions; p++) {
                        int end = Math.min(logs.get(p).size(), next[p] + random.nextInt(500));
                        for (; next[p] < end; next[p]++) {
                            history.poll(client, p, next[p], logs.get(p).get(next[p]));
                        }
                        more |= next[p] < logs.get(p).size();
                    }
                }
            }
        }
        return history;
    }

    /** The result holds {@code count} anomalies of {@code kind}, none of any other kind. */
    private static void assertOnly(CheckResult result, Kind kind, long count) {
        for (Kind other : Kind.values()) {
            assertThat(result.count(other)).as("%s in %s", other, result.anomalies())
                    .isEqualTo(other == kind ? count : 0);
        }
        assertThat(result.valid()).isEqualTo(count == 0);
        assertThat(result.anomalies()).hasSize((int) Math.min(count, CheckResult.LINES_PER_KIND))
                .allSatisfy(line -> assertThat(line).startsWith(kind.label() + ": "));
    }
}
