package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hot paths allocate nothing per record and (almost) nothing per call: counted in bytes by the JVM, not timed.
 * Under {@code -ea} an append allocates one {@code CRC32C} for its assertion; nothing else.
 */
class LogAllocationTest {
    private static final int CALLS = 20_000;

    @TempDir
    Path dataDir;

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
            .getCurrentThreadAllocatedBytes();
    }

    @Test
    void shouldAppendIndexAndLookUpWithoutAllocatingPerRecord() throws IOException {
        LogConfig config = LogConfig.defaults().withSegmentBytes(32 * 1024 * 1024).withIndexIntervalBytes(0);
        // A heap buffer: the tests run with paranoid leak detection, whose pooled buffers record every access.
        ByteBuf batch = Unpooled.buffer();
        try (PartitionLog log = PartitionLog.open(dataDir.resolve("a-0"), "a", 0, config)) {
            LogTestSupport.appendBatch(batch, LogTestSupport.values(0, 10));
            for (int i = 0; i < CALLS; i++) {
                log.append(batch, 1);
            }
            long before = allocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                log.append(batch, 1);
            }
            long perAppend = (allocatedBytes() - before) / CALLS;
            System.out.println("LogAllocationTest: " + perAppend + " bytes allocated per append of 10 records");
            // Ten records and an index entry (interval 0) per append: well below one object per record.
            assertThat(perAppend).as("bytes allocated per append of 10 records").isLessThan(64);

            long end = log.logEndOffset();
            long sink = 0;
            for (int i = 0; i < CALLS; i++) {
                sink += log.offsetForTimestamp(LogTestSupport.TIMESTAMP + i % 12);
            }
            before = allocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                sink += log.offsetForTimestamp(LogTestSupport.TIMESTAMP + i % 12);
            }
            assertThat((allocatedBytes() - before) / CALLS).as("bytes per timestamp lookup").isZero();

            Segment segment = Segment.class.cast(firstSegment(log));
            before = allocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                sink += segment.index().floorEntry((i * 7919L) % end);
                sink += segment.timeIndex().lastSlotBefore(LogTestSupport.TIMESTAMP + i % 12);
            }
            assertThat((allocatedBytes() - before) / CALLS).as("bytes per index lookup").isZero();

            for (int i = 0; i < CALLS; i++) {
                log.read((i * 7919L) % end, 4096).release();
            }
            before = allocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                log.read((i * 7919L) % end, 4096).release();
            }
            // Three small objects, whatever the size read: the slice of the mapping, Netty's own slice of it and the
            // ByteBuf wrapper; no byte is copied.
            long perRead = (allocatedBytes() - before) / CALLS;
            System.out.println("LogAllocationTest: " + perRead + " bytes allocated per read");
            assertThat(perRead).as("bytes per read").isLessThan(320);
            assertThat(sink).isNotZero();
        } finally {
            batch.release();
        }
    }

    private static Object firstSegment(PartitionLog log) {
        try {
            java.lang.reflect.Field field = PartitionLog.class.getDeclaredField("segments");
            field.setAccessible(true);
            Object segments = field.get(log);
            java.lang.reflect.Field list = segments.getClass().getDeclaredField("list");
            list.setAccessible(true);
            return ((Segment[]) list.get(segments))[0];
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
