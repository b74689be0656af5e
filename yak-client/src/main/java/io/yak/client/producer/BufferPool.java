package io.yak.client.producer;

import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Accounts {@code buffer.memory}: the bytes of all batches not yet completed. {@link #reserve} blocks the sending
 * thread up to {@code max.block.ms} while the total would exceed the limit; the buffers themselves come from
 * Netty's pooled allocator. Thread-safe.
 */
final class BufferPool {
    private final long totalBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    /** Guarded by lock. */
    private long availableBytes;

    BufferPool(long totalBytes) {
        this.totalBytes = totalBytes;
        this.availableBytes = totalBytes;
    }

    /**
     * Takes {@code bytes} from the budget, waiting up to {@code maxBlockNs}.
     *
     * @throws YakException REQUEST_TIMED_OUT when the budget stays short, FRAME_TOO_LARGE when it can never fit
     */
    void reserve(int bytes, long maxBlockNs) throws InterruptedException {
        if (bytes > totalBytes) {
            throw new YakException(ErrorCode.FRAME_TOO_LARGE,
                "a batch of " + bytes + " bytes is larger than buffer.memory " + totalBytes);
        }
        lock.lock();
        try {
            long remainingNs = maxBlockNs;
            while (availableBytes < bytes) {
                if (remainingNs <= 0) {
                    throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "buffer.memory " + totalBytes
                        + " bytes exhausted for max.block.ms " + TimeUnit.NANOSECONDS.toMillis(maxBlockNs) + " ms");
                }
                remainingNs = freed.awaitNanos(remainingNs);
            }
            availableBytes -= bytes;
        } finally {
            lock.unlock();
        }
    }

    void release(int bytes) {
        lock.lock();
        try {
            availableBytes += bytes;
            if (availableBytes > totalBytes) {
                throw new IllegalStateException("released more than reserved: " + availableBytes + " > " + totalBytes);
            }
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long availableBytes() {
        lock.lock();
        try {
            return availableBytes;
        } finally {
            lock.unlock();
        }
    }

    long totalBytes() {
        return totalBytes;
    }
}
