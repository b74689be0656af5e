package io.yak.faults;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.record.RecordBatchFlyweight;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads every replica's stored batches after the brokers stopped, for {@link ReplicaLogs}: each partition
 * directory is copied (so opening it, which runs recovery, never changes the evidence) and opened with the broker's
 * own {@link PartitionLog}; the bytes of {@code [log start, high watermark)} are collected as whole batches.
 */
final class ReplicaReader {
    private static final int READ_BYTES = 1 << 20;

    private ReplicaReader() {
    }

    /**
     * Adds each broker's replica of each partition to {@code out}.
     *
     * @return problems (a missing or unreadable replica), one line each
     */
    static List<String> collect(Cluster cluster, String topic, int partitions, Path scratch, ReplicaLogs out,
                                FaultLog log) throws IOException {
        List<String> problems = new ArrayList<>();
        LogConfig config = LogConfig.defaults().withSegmentBytes(Cluster.SEGMENT_BYTES);
        for (int broker : cluster.brokerIds()) {
            for (int p = 0; p < partitions; p++) {
                Path dir = PartitionLog.directoryFor(cluster.dataDir(broker), topic, p);
                if (!Files.isDirectory(dir)) {
                    problems.add("broker " + broker + " has no directory for " + topic + "-" + p);
                    continue;
                }
                Path copy = scratch.resolve("broker-" + broker).resolve(topic + "-" + p);
                copyDirectory(dir, copy);
                try (PartitionLog partitionLog = PartitionLog.open(copy, topic, p, config)) {
                    long start = partitionLog.logStartOffset();
                    long highWatermark = partitionLog.highWatermark();
                    byte[] bytes = read(partitionLog, start, highWatermark);
                    out.add(broker, p, start, highWatermark, bytes);
                    log.info("replica " + topic + "-" + p + " on broker " + broker + ": offsets [" + start + ", "
                        + highWatermark + ") below the high watermark, log end " + partitionLog.logEndOffset() + ", "
                        + bytes.length + " bytes");
                } catch (IOException | RuntimeException e) {
                    problems.add("cannot read " + topic + "-" + p + " of broker " + broker + ": " + e);
                }
            }
        }
        return problems;
    }

    private static byte[] read(PartitionLog partitionLog, long from, long to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordBatchFlyweight batch = new RecordBatchFlyweight();
        long offset = from;
        while (offset < to) {
            ByteBuf b = partitionLog.read(offset, READ_BYTES, to);
            try {
                if (!b.isReadable()) {
                    break;
                }
                long last = -1;
                for (int i = b.readerIndex(); i < b.writerIndex(); i += batch.sizeInBytes()) {
                    batch.wrap(b, i, b.writerIndex());
                    last = batch.lastOffset();
                }
                byte[] chunk = new byte[b.readableBytes()];
                b.getBytes(b.readerIndex(), chunk);
                out.writeBytes(chunk);
                offset = last + 1;
            } finally {
                b.release();
            }
        }
        return out.toByteArray();
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
