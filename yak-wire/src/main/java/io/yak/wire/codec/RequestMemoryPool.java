package io.yak.wire.codec;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds the bytes of requests a server is reading, across all its connections ({@code queued.max.request.bytes},
 * as Kafka's memory pool): a frame that does not arrive in one read reserves its whole length when its header has
 * been read, and gives it back once complete or when its connection closes. When nothing is left, the connection
 * stops reading ({@link ReadGate.Reason#MEMORY}) until the pool, as memory is given back, has reserved its frame
 * for it, instead of allocating (issue 19: 40
 * connections announcing 8 MiB frames and stalling exhausted the broker's direct memory).
 *
 * <p>As in Kafka, a reservation succeeds while any memory is left, even if it is smaller than the frame, so a
 * frame of {@code max.frame.bytes} is never refused forever: the bytes reserved stay below capacity plus one
 * frame. Thread-safe; shared by a server's event loops.
 */
public final class RequestMemoryPool {
    private final long capacityBytes;
    private final AtomicLong availableBytes;
    private final ConcurrentLinkedQueue<ReadGate> waiting = new ConcurrentLinkedQueue<>();
    private final LongAdder pauses = new LongAdder();

    public RequestMemoryPool(long capacityBytes) {
        if (capacityBytes <= 0) {
            throw new IllegalArgumentException("capacityBytes " + capacityBytes + " <= 0");
        }
        this.capacityBytes = capacityBytes;
        this.availableBytes = new AtomicLong(capacityBytes);
    }

    /** Takes {@code bytes} when any memory is left; false (nothing taken) when none is. */
    public boolean tryReserve(int bytes) {
        long available = availableBytes.get();
        while (available > 0) {
            if (availableBytes.compareAndSet(available, available - bytes)) {
                return true;
            }
            available = availableBytes.get();
        }
        return false;
    }

    /** Gives back what {@link #tryReserve} took; wakes the connections waiting for memory once some is free. */
    public void release(int bytes) {
        if (availableBytes.addAndGet(bytes) > 0 && !waiting.isEmpty()) {
            wakeAll();
        }
    }

    /**
     * Stops reading from the gate's connection until {@code bytes} are reserved for it. On the connection's event
     * loop. When memory frees, the pool reserves them on that event loop and only then resumes reading, so a
     * waiting connection reads nothing it has no reservation for; the decoder takes the reservation
     * ({@link #takeGranted}).
     */
    void await(ReadGate gate, int bytes) {
        gate.pause(ReadGate.Reason.MEMORY);
        gate.wantedBytes = bytes;
        pauses.increment();
        if (!gate.waitingForMemory) {
            gate.waitingForMemory = true;
            waiting.add(gate);
        }
        // memory given back between the failed reservation and the registration woke nobody: check again
        if (availableBytes.get() > 0) {
            wakeAll();
        }
    }

    /** What the pool reserved for the gate's connection while it waited, now owned by the caller; 0 if none. */
    static int takeGranted(ReadGate gate) {
        int granted = gate.grantedBytes;
        gate.grantedBytes = 0;
        return granted;
    }

    /** On the gate's event loop: reserve what it waits for and let it read, or keep it waiting. */
    private void grant(ReadGate gate) {
        gate.waitingForMemory = false;
        if (!gate.channel().isActive()) {
            return;
        }
        if (tryReserve(gate.wantedBytes)) {
            gate.grantedBytes += gate.wantedBytes;
            gate.resume(ReadGate.Reason.MEMORY);
        } else {
            await(gate, gate.wantedBytes);
        }
    }

    /** The gate's connection is gone: it no longer waits, and what was reserved for it comes back. Event loop. */
    void forget(ReadGate gate) {
        if (gate.waitingForMemory) {
            gate.waitingForMemory = false;
            waiting.remove(gate);
        }
        int granted = takeGranted(gate);
        if (granted > 0) {
            release(granted);
        }
    }

    private void wakeAll() {
        ReadGate gate;
        while ((gate = waiting.poll()) != null) {
            ReadGate g = gate;
            try {
                g.channel().eventLoop().execute(() -> grant(g));
            } catch (RejectedExecutionException e) {
                g.waitingForMemory = false; // its event loop is shutting down: the connection goes with it
            }
        }
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** Bytes not reserved now; negative while the last reservation exceeded what was left. */
    public long availableBytes() {
        return availableBytes.get();
    }

    /** Connections waiting for memory now. */
    public int waitingConnections() {
        return waiting.size();
    }

    /** Times a connection stopped reading for lack of memory since start. */
    public long pauses() {
        return pauses.sum();
    }
}
