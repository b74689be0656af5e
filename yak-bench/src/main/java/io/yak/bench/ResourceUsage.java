package io.yak.bench;

/**
 * What one workload cost the JVM that runs the embedded node. That JVM also runs the benchmark's clients, so
 * process CPU, heap and GC are shared; {@code serverCpuNs} counts only the coordinator's and broker's own threads.
 *
 * @param wallNs             wall time the figures cover
 * @param processCpuNs       CPU time of the whole process (clients, node, GC, JIT)
 * @param serverCpuNs        CPU time of the broker and coordinator threads ({@code yak-broker-*}, {@code yak-log-*},
 *                           {@code yak-consume-timer*}, {@code yak-coordinator-*})
 * @param clientCpuNs        CPU time of the client library threads ({@code yak-producer-*}, {@code yak-client-*}) and
 *                           of yak-bench's send and poll loops (the e2e loop included)
 * @param heapUsedEndBytes   heap in use when the workload ended
 * @param heapUsedPeakBytes  largest heap in use seen (sampled once per second and at the end)
 * @param heapMaxBytes       the heap limit ({@code -Xmx})
 * @param gcCount            collections during the workload
 * @param gcTimeMs           time the collectors report for them
 * @param jitMs              time the JIT compilers spent (warm-up shows here; -1 when not reported)
 * @param cores              available processors
 */
record ResourceUsage(long wallNs, long processCpuNs, long serverCpuNs, long clientCpuNs, long heapUsedEndBytes,
                     long heapUsedPeakBytes, long heapMaxBytes, long gcCount, long gcTimeMs, long jitMs,
                     int cores) {
    /** Average cores busy: CPU time over wall time. */
    static double cores(long cpuNs, long wallNs) {
        return wallNs <= 0 ? 0 : cpuNs / (double) wallNs;
    }
}
