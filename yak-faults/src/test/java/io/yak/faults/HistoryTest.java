package io.yak.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.faults.History.Outcome;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HistoryTest {
    @Test
    void shouldCountSendsByOutcome() {
        History history = new History();
        history.send("p1", 0, 10, Outcome.OK, 0);
        history.send("p1", 0, 11, Outcome.OK, 1);
        history.send("p2", 1, 12, Outcome.FAILED, -1);
        history.send("p2", 1, 13, Outcome.UNKNOWN, -1);

        assertThat(history.sendsInvoked()).isEqualTo(4);
        assertThat(history.acknowledged()).isEqualTo(2);
        assertThat(history.failed()).isEqualTo(1);
        assertThat(history.unknown()).isEqualTo(1);
    }

    @Test
    void shouldKeepEveryFieldOfEveryEvent() {
        History history = new History();
        history.send("producer-a", 7, 1234, Outcome.OK, 99);
        history.send("producer-b", History.MAX_PARTITION, -5, Outcome.UNKNOWN, 42);
        history.assign("consumer-a", List.of(7, 8));
        history.poll("consumer-a", 7, 99, 1234);
        history.readBack(7, History.MAX_OFFSET, Long.MIN_VALUE);

        History.Sends sends = history.sends();
        assertThat(sends.size()).isEqualTo(2);
        assertThat(sends.client(0)).isEqualTo("producer-a");
        assertThat(sends.partition(0)).isEqualTo(7);
        assertThat(sends.value(0)).isEqualTo(1234);
        assertThat(sends.outcome(0)).isEqualTo(Outcome.OK);
        assertThat(sends.offset(0)).isEqualTo(99);
        assertThat(sends.client(1)).isEqualTo("producer-b");
        assertThat(sends.partition(1)).isEqualTo(History.MAX_PARTITION);
        assertThat(sends.value(1)).isEqualTo(-5);
        assertThat(sends.outcome(1)).isEqualTo(Outcome.UNKNOWN);
        assertThat(sends.offset(1)).as("offset of a send that was not acknowledged").isEqualTo(-1);

        History.Polls polls = history.polls();
        assertThat(polls.size()).isEqualTo(2);
        assertThat(polls.isAssign(0)).isTrue();
        assertThat(polls.client(0)).isEqualTo("consumer-a");
        assertThat(polls.isAssign(1)).isFalse();
        assertThat(polls.client(1)).isEqualTo("consumer-a");
        assertThat(polls.partition(1)).isEqualTo(7);
        assertThat(polls.offset(1)).isEqualTo(99);
        assertThat(polls.value(1)).isEqualTo(1234);
        assertThat(history.polled()).as("assignments are not polls").isEqualTo(1);

        History.ReadBacks readBacks = history.readBacks();
        assertThat(readBacks.size()).isEqualTo(1);
        assertThat(readBacks.partition(0)).isEqualTo(7);
        assertThat(readBacks.offset(0)).isEqualTo(History.MAX_OFFSET);
        assertThat(readBacks.value(0)).isEqualTo(Long.MIN_VALUE);
        assertThat(history.readBackCount()).isEqualTo(1);
    }

    @Test
    void shouldRejectPositionsThatDoNotPack() {
        History history = new History();
        assertThatThrownBy(() -> history.send("p", -1, 1, Outcome.FAILED, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition -1");
        assertThatThrownBy(() -> history.send("p", History.MAX_PARTITION + 1, 1, Outcome.FAILED, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition 65536");
        assertThatThrownBy(() -> history.send("p", 0, 1, Outcome.OK, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset -1");
        assertThatThrownBy(() -> history.poll("c", 0, History.MAX_OFFSET + 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
        assertThat(history.sendsInvoked()).isZero();
    }

    @Test
    @Timeout(30)
    void shouldKeepEveryConcurrentlyRecordedEventAndEachClientsOrder() throws Exception {
        int threads = 8;
        int perThread = 50_000;
        History history = new History();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Future<?>[] futures = new Future<?>[threads];
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures[t] = pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        long value = (long) thread * perThread + i;
                        history.send("producer-" + thread, thread, value, Outcome.OK, i);
                        history.poll("consumer-" + thread, thread, i, value);
                    }
                    return null;
                });
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(20, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(history.sendsInvoked()).isEqualTo((long) threads * perThread);
        assertThat(history.acknowledged()).isEqualTo((long) threads * perThread);
        assertThat(history.polled()).isEqualTo((long) threads * perThread);
        History.Polls polls = history.polls();
        long[] nextOffset = new long[threads];
        for (int row = 0; row < polls.size(); row++) {
            int thread = polls.partition(row);
            assertThat(polls.client(row)).isEqualTo("consumer-" + thread);
            assertThat(polls.offset(row)).isEqualTo(nextOffset[thread]++);
            assertThat(polls.value(row)).isEqualTo((long) thread * perThread + polls.offset(row));
        }
    }
}
