package io.yak.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Measures the CPU, heap and GC of this JVM between {@link #start()} and {@link #finish()}, for a node embedded in
 * it. Thread CPU is attributed by thread name; a thread that ends during the workload loses its share (the node's
 * threads live as long as the node). The peak heap is the largest heap in use seen just before a collection (GC
 * notifications) or by {@link #sample()}, which may be called from another thread (the progress ticker).
 */
final class ResourceProbe {
    private static final String[] SERVER_THREADS = {"yak-broker", "yak-log-", "yak-consume-timer", "yak-coordinator"};
    /** The client library's threads and yak-bench's own send and poll loops. */
    private static final String[] CLIENT_THREADS = {"yak-producer", "yak-client", "yak-bench-send", "yak-bench-poll"};

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os = osBean();
    private long startNs;
    private long startProcessCpuNs;
    private long startGcCount;
    private long startGcMs;
    private long startJitMs;
    private Map<Long, Long> startServer;
    private Map<Long, Long> startClient;
    /** The thread that started the probe also drives the workload (e2e runs its loop on it): a client thread. */
    private long driverThreadId;
    private final Set<String> heapPools = heapPoolNames();
    private final NotificationListener gcListener = this::onGc;
    private volatile long peakHeapBytes;
    /** Owned by the thread that calls start, finish and close. */
    private boolean listening;

    /** Null when this JVM does not report process CPU time (not HotSpot/OpenJDK). */
    private static com.sun.management.OperatingSystemMXBean osBean() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o
            ? o : null;
    }

    void start() {
        peakHeapBytes = memory.getHeapMemoryUsage().getUsed();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(gcListener, null, null);
            }
        }
        listening = true;
        driverThreadId = Thread.currentThread().getId();
        startServer = threadCpu(SERVER_THREADS, -1);
        startClient = threadCpu(CLIENT_THREADS, driverThreadId);
        startGcCount = gcCount();
        startGcMs = gcMs();
        startJitMs = jitMs();
        startProcessCpuNs = processCpuNs();
        startNs = System.nanoTime();
    }

    /** Records the heap in use for the peak figure. */
    void sample() {
        peak(memory.getHeapMemoryUsage().getUsed());
    }

    private synchronized void peak(long used) {
        if (used > peakHeapBytes) {
            peakHeapBytes = used;
        }
    }

    /** On a GC thread: the heap just before a collection is a local maximum. */
    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
            (CompositeData) n.getUserData());
        long used = 0;
        for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageBeforeGc().entrySet()) {
            if (heapPools.contains(e.getKey())) {
                used += e.getValue().getUsed();
            }
        }
        peak(used);
    }

    private static Set<String> heapPoolNames() {
        Set<String> names = new HashSet<>();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                names.add(p.getName());
            }
        }
        return names;
    }

    ResourceUsage finish() {
        long wall = System.nanoTime() - startNs;
        long cpu = processCpuNs() - startProcessCpuNs;
        long heapUsed = memory.getHeapMemoryUsage().getUsed();
        peak(heapUsed);
        close();
        return new ResourceUsage(wall, cpu, delta(startServer, threadCpu(SERVER_THREADS, -1)),
            delta(startClient, threadCpu(CLIENT_THREADS, driverThreadId)), heapUsed, peakHeapBytes,
            memory.getHeapMemoryUsage().getMax(), gcCount() - startGcCount, gcMs() - startGcMs,
            startJitMs < 0 ? -1 : jitMs() - startJitMs,
            Runtime.getRuntime().availableProcessors());
    }

    /** Stops listening to GC notifications; idempotent. */
    void close() {
        if (!listening) {
            return;
        }
        listening = false;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                try {
                    e.removeNotificationListener(gcListener);
                } catch (ListenerNotFoundException ex) {
                    throw new IllegalStateException("GC listener vanished from " + gc.getName(), ex);
                }
            }
        }
    }

    private long processCpuNs() {
        return os == null ? -1 : os.getProcessCpuTime();
    }

    /** CPU time per thread whose name starts with one of {@code prefixes}, plus thread {@code alsoId}. */
    private Map<Long, Long> threadCpu(String[] prefixes, long alsoId) {
        Map<Long, Long> cpu = new HashMap<>();
        if (!threads.isThreadCpuTimeSupported()) {
            return cpu;
        }
        for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && (t.getThreadId() == alsoId || startsWithAny(t.getThreadName(), prefixes))) {
                long ns = threads.getThreadCpuTime(t.getThreadId());
                if (ns >= 0) {
                    cpu.put(t.getThreadId(), ns);
                }
            }
        }
        return cpu;
    }

    private static boolean startsWithAny(String name, String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /** Threads started during the workload count from zero. */
    private static long delta(Map<Long, Long> before, Map<Long, Long> after) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : after.entrySet()) {
            sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return sum;
    }

    private static long jitMs() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    private static long gcCount() {
        long n = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    private static long gcMs() {
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ms += Math.max(0, gc.getCollectionTime());
        }
        return ms;
    }
}
