package io.yak.bench.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Secondary results: records and bytes handled, which JMH reports as rates (records/s, bytes/s) next to the
 * primary ops/s score. A benchmark method adds what one operation handled. Public: JMH generates code around it.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class RecordCounters {
    public long records;
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
        records = 0;
        bytes = 0;
    }
}
