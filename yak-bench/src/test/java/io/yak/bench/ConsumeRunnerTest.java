package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ConsumeRunnerTest {
    private static ProgressMeter meter() {
        return new ProgressMeter("w4", new PrintWriter(new StringWriter()), -1, false, null);
    }

    /** One poll handing out {@code n} records whose value sizes are {@code firstSize, firstSize + 1, ...}. */
    private static void poll(ConsumeRunner.Quota quota, long startNs, int n, int firstSize) {
        quota.beginPoll(startNs);
        for (int i = 0; i < n; i++) {
            quota.count(firstSize + i);
        }
        quota.endPoll();
    }

    /** Sum of the sizes {@code firstSize .. firstSize + n - 1}. */
    private static long sizes(int firstSize, int n) {
        return (long) n * firstSize + (long) n * (n - 1) / 2;
    }

    @Test
    void shouldNotCountTheRecordsOfTheLastPollBeyondTheTarget() throws Exception {
        try (ProgressMeter meter = meter()) {
            ConsumeRunner.Shared shared = new ConsumeRunner.Shared(meter, 0, 50);
            shared.startMeasuring(System.nanoTime());
            ConsumeRunner.Quota quota = new ConsumeRunner.Quota(shared);
            poll(quota, System.nanoTime(), 97, 10);
            assertThat(quota.countedMeasuredThisPoll()).isTrue();
            assertThat(meter.records()).isEqualTo(50);
            assertThat(meter.bytes()).isEqualTo(sizes(10, 50));
            assertThat(shared.reached()).isTrue();
            meter.finish(System.nanoTime());
        }
    }

    @Test
    void shouldCountExactlyTheTargetBetweenConsumersWhosePollsOvershootIt() throws Exception {
        try (ProgressMeter meter = meter()) {
            ConsumeRunner.Shared shared = new ConsumeRunner.Shared(meter, 0, 1_000);
            shared.startMeasuring(System.nanoTime());
            ConsumeRunner.Quota a = new ConsumeRunner.Quota(shared);
            ConsumeRunner.Quota b = new ConsumeRunner.Quota(shared);
            poll(a, System.nanoTime(), 300, 1);      // took a grant of 1,000, gives back 700
            poll(b, System.nanoTime(), 800, 1_000);  // 700 counted, 100 not
            poll(a, System.nanoTime(), 500, 301);    // nothing left
            assertThat(a.counted()).isEqualTo(300);
            assertThat(b.counted()).isEqualTo(700);
            assertThat(a.countedMeasuredThisPoll()).isFalse();
            assertThat(meter.records()).isEqualTo(1_000);
            assertThat(meter.bytes()).isEqualTo(sizes(1, 300) + sizes(1_000, 700));
            meter.finish(System.nanoTime());
        }
    }

    @Test
    void shouldStartMeasuringWhenThePollThatEndsTheWarmUpStartedAndCountOnlyRecordsAfterIt() throws Exception {
        try (ProgressMeter meter = meter()) {
            ConsumeRunner.Shared shared = new ConsumeRunner.Shared(meter, 1_000, 500);
            ConsumeRunner.Quota quota = new ConsumeRunner.Quota(shared);
            long t = System.nanoTime() - 1_000_000_000L;
            poll(quota, t, 600, 10);                 // warm-up only
            assertThat(shared.measuring.get()).isFalse();
            assertThat(quota.countedMeasuredThisPoll()).isFalse();
            poll(quota, t + 2_000_000, 500, 1);      // crosses 1,000: the last 100 are measured
            assertThat(shared.measuring.get()).isTrue();
            assertThat(meter.startNs()).isEqualTo(t + 2_000_000);
            assertThat(meter.records()).isEqualTo(100);
            assertThat(meter.bytes()).isEqualTo(sizes(401, 100));
            poll(quota, t + 4_000_000, 450, 7);      // 400 reach the target, 50 are not counted
            assertThat(meter.records()).isEqualTo(500);
            assertThat(meter.bytes()).isEqualTo(sizes(401, 100) + sizes(7, 400));
            assertThat(shared.warmupCounted.get()).isEqualTo(1_000);
            assertThat(shared.reached()).isTrue();
            meter.finish(t + 5_000_000);
        }
    }

    /**
     * Consumers on their own threads with random poll sizes and value sizes: together they count exactly the target,
     * and the bytes are exactly those of the records counted (each consumer counts a prefix of what it was handed).
     */
    @RepeatedTest(20)
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCountExactlyTheTargetWhenConsumersRace() throws Exception {
        long seed = System.nanoTime();
        System.out.println("shouldCountExactlyTheTargetWhenConsumersRace seed " + seed);
        Random random = new Random(seed);
        long target = 1 + random.nextInt(20_000);
        int consumers = 1 + random.nextInt(6);
        try (ProgressMeter meter = meter()) {
            ConsumeRunner.Shared shared = new ConsumeRunner.Shared(meter, 0, target);
            shared.startMeasuring(System.nanoTime());
            List<Thread> threads = new ArrayList<>();
            long[] expectedBytes = new long[consumers];
            AtomicReference<Throwable> error = new AtomicReference<>();
            for (int c = 0; c < consumers; c++) {
                int id = c;
                Random mine = new Random(random.nextLong());
                Thread t = new Thread(() -> {
                    try {
                        ConsumeRunner.Quota quota = new ConsumeRunner.Quota(shared);
                        List<Integer> handed = new ArrayList<>();
                        while (!shared.reached()) {
                            quota.beginPoll(System.nanoTime());
                            int n = 1 + mine.nextInt(700);
                            for (int i = 0; i < n; i++) {
                                int size = mine.nextInt(2_000);
                                handed.add(size);
                                quota.count(size);
                            }
                            quota.endPoll();
                        }
                        long bytes = 0;
                        for (int i = 0; i < quota.counted(); i++) {
                            bytes += handed.get(i);
                        }
                        expectedBytes[id] = bytes;
                    } catch (Throwable e) {
                        error.compareAndSet(null, e);
                    }
                }, "test-poll-" + c);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(error.get()).as("seed %d", seed).isNull();
            assertThat(meter.records()).as("seed %d", seed).isEqualTo(target);
            assertThat(meter.bytes()).as("seed %d", seed).isEqualTo(Arrays.stream(expectedBytes).sum());
            meter.finish(System.nanoTime());
        }
    }

    @Test
    void shouldDealEachPartitionToExactlyOneConsumer() {
        assertThat(ConsumeRunner.deal(6, 8)).containsExactly(List.of(0), List.of(1), List.of(2), List.of(3),
            List.of(4), List.of(5));
        assertThat(ConsumeRunner.deal(5, 2)).containsExactly(List.of(0, 2, 4), List.of(1, 3));
        assertThat(ConsumeRunner.deal(3, 1)).containsExactly(List.of(0, 1, 2));
    }
}
