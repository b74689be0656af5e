package io.yak.wire.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Deep validation must read the same bytes whatever kind of buffer holds the batches: the broker serves
 * read-only views of mapped files, whose NIO views are positioned at the requested index rather than at 0.
 */
class RecordBatchViewsTest {
    @Test
    void shouldValidateEveryBatchOfAReadOnlyNioView() {
        ByteBuf heap = Unpooled.buffer();
        RecordBatchBuilder builder = new RecordBatchBuilder();
        for (int b = 0; b < 3; b++) {
            builder.begin(heap, 1000 + b, RecordBatchLayout.NO_PRODUCER_ID, RecordBatchLayout.NO_PRODUCER_EPOCH,
                RecordBatchLayout.NO_SEQUENCE);
            for (int r = 0; r <= b; r++) {
                builder.append(1000 + b, ("k" + r).getBytes(StandardCharsets.UTF_8),
                    ("value-" + b + "-" + r).getBytes(StandardCharsets.UTF_8));
            }
            builder.finish();
        }
        ByteBuffer nio = ByteBuffer.allocateDirect(heap.readableBytes());
        heap.getBytes(0, nio.duplicate());
        heap.release();
        ByteBuf view = Unpooled.wrappedBuffer(nio.asReadOnlyBuffer());
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        RecordCursor cursor = new RecordCursor();
        int index = 0;
        int batches = 0;
        while (index < view.writerIndex()) {
            batch.wrap(view, index, view.writerIndex()).validateDeep(cursor);
            index += batch.sizeInBytes();
            batches++;
        }
        assertThat(batches).isEqualTo(3);
        view.release();
    }
}
