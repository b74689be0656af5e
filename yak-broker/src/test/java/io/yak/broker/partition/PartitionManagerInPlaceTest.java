package io.yak.broker.partition;

import static io.yak.broker.partition.PartitionManagerWaitTest.batch;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.LogConfig;
import io.yak.wire.ErrorCode;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordCursor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Small publishes appended in place on the caller's thread (an event loop in the broker) while the writer thread
 * appends the rest: each caller's publishes keep their order, none is lost or doubled.
 */
@Timeout(60)
class PartitionManagerInPlaceTest {
    @TempDir
    Path dir;
    private PartitionManager pm;

    @BeforeEach
    void lead() {
        pm = PartitionManagerWaitTest.leadingTopicT(dir, LogConfig.defaults().withSegmentBytes(256 * 1024));
    }

    @AfterEach
    void close() {
        pm.close();
    }

    private String publishAndName(String value) throws Exception {
        CompletableFuture<String> thread = new CompletableFuture<>();
        pm.publish("t", 0, batch(value), true, (error, epoch, base, start) -> {
            assertThat(error).isEqualTo(ErrorCode.NONE);
            thread.complete(Thread.currentThread().getName());
        });
        return thread.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldAppendASmallPublishOnTheCallingThreadOnceTheWriterHasWrittenItsPage() throws Exception {
        String caller = Thread.currentThread().getName();
        assertThat(publishAndName("first")).as("an empty log: the writer starts it").startsWith("yak-log-");
        // a copy into the written page, on the caller (allowing for a stall of over a second on a loaded machine,
        // after which the page counts as possibly cleaned and the writer takes one more)
        assertThat(List.of(publishAndName("second"), publishAndName("third"), publishAndName("fourth")))
            .as("a copy into the written page, on the caller").contains(caller);
        assertThat(pm.inPlaceAppends()).isPositive();
        assertThat(publishAndName("x".repeat(5000))).as("larger than a page: the writer").startsWith("yak-log-");
    }

    @Test
    void shouldKeepEachCallersPublishesInOrderAndLoseNoneWhileCallersAndTheWriterInterleave() throws Exception {
        int callers = 4;
        int perCaller = 3000;
        long seed = Long.getLong("yak.seed", System.nanoTime());
        System.out.println("PartitionManagerInPlaceTest seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        AtomicLongArray bases = new AtomicLongArray(callers * perCaller);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger onCaller = new AtomicInteger();
        CountDownLatch answered = new CountDownLatch(callers * perCaller);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int id = c;
            Random random = new Random(seed + c);
            // a connection's requests in flight are bounded (the client's in-flight limit): the writer's queue drains
            Semaphore inFlight = new Semaphore(2 + random.nextInt(7));
            threads.add(new Thread(() -> {
                for (int i = 0; i < perCaller; i++) {
                    inFlight.acquireUninterruptibly();
                    int slot = id * perCaller + i;
                    // now and then one the writer must take (a page or more), queued ahead of the small ones after it
                    String pad = random.nextInt(8) == 0 ? "p".repeat(4096 + random.nextInt(4096))
                        : "s".repeat(random.nextInt(80));
                    Thread self = Thread.currentThread();
                    pm.publish("t", 0, batch(id + "-" + i + "-" + pad), true, (error, epoch, base, start) -> {
                        if (error != ErrorCode.NONE) {
                            failures.incrementAndGet();
                        }
                        if (Thread.currentThread() == self) {
                            onCaller.incrementAndGet();
                        }
                        bases.set(slot, base);
                        inFlight.release();
                        answered.countDown();
                    });
                }
            }, "caller-" + c));
        }
        threads.forEach(Thread::start);
        assertThat(answered.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failures.get()).isZero();
        assertThat(onCaller.get()).as("publishes appended in place").isPositive();
        for (int c = 0; c < callers; c++) {
            for (int i = 1; i < perCaller; i++) {
                assertThat(bases.get(c * perCaller + i)).as("caller %d publish %d after %d", c, i, i - 1)
                    .isGreaterThan(bases.get(c * perCaller + i - 1));
            }
        }
        Map<Long, String> stored = readAll(callers * perCaller);
        assertThat(stored).hasSize(callers * perCaller);
        for (int c = 0; c < callers; c++) {
            for (int i = 0; i < perCaller; i++) {
                assertThat(stored.get(bases.get(c * perCaller + i))).as("offset of caller %d publish %d", c, i)
                    .startsWith(c + "-" + i + "-");
            }
        }
    }

    private Map<Long, String> readAll(int count) throws Exception {
        Map<Long, String> values = new HashMap<>();
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        RecordCursor cursor = new RecordCursor();
        long offset = 0;
        while (values.size() < count) {
            CompletableFuture<ByteBuf> read = new CompletableFuture<>();
            pm.consume("t", 0, -1, offset, 1 << 20, 0, (error, epoch, hw, start, records) -> {
                assertThat(error).isEqualTo(ErrorCode.NONE);
                read.complete(records);
            });
            ByteBuf records = read.get(10, TimeUnit.SECONDS);
            assertThat(records.readableBytes()).as("records from offset %d", offset).isPositive();
            int index = records.readerIndex();
            while (index < records.writerIndex()) {
                batch.wrap(records, index, records.writerIndex());
                cursor.wrap(batch);
                while (cursor.next()) {
                    if (cursor.offset() >= offset) {
                        assertThat(values.put(cursor.offset(), new String(cursor.valueBytes(), UTF_8))).isNull();
                    }
                }
                offset = batch.lastOffset() + 1;
                index += batch.sizeInBytes();
            }
            records.release();
        }
        return values;
    }
}
