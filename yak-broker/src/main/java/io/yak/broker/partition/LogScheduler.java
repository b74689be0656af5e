package io.yak.broker.partition;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.yak.broker.log.LogConfig;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.message.TopicInfo;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The periodic jobs of a broker's logs on one thread, {@code yak-log-timer}: retention, timed flushes, deleting the
 * files retention let go, high-watermark checkpoints, plus the ISR check and the expiry of topic creations it is
 * given. A job that changes a log only queues the change on the partition's writer thread.
 */
final class LogScheduler {
    /** Logs as the manager whose lines these always were (log filters and tests name it). */
    private static final Logger LOG = LoggerFactory.getLogger(PartitionManager.class);

    private final int brokerId;
    private final PartitionTable table;
    private final RetentionConfig retention;
    private final OfflinePartitions offline;
    /** Retention and timed flushes. */
    private final ScheduledExecutorService timer;

    LogScheduler(int brokerId, PartitionTable table, RetentionConfig retention, OfflinePartitions offline) {
        this.brokerId = brokerId;
        this.table = table;
        this.retention = retention;
        this.offline = offline;
        this.timer = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("yak-log-timer", true));
    }

    /**
     * Schedules every job: retention, timed flushes (when {@code flush.ms} is set), {@code expireCreations} every
     * {@link TopicCreations#CREATE_RETRY_MS}, {@code checkIsr} every {@code replica.lag.time.max.ms / 2} (at least
     * 10 ms), high-watermark checkpoints.
     */
    void start(LogConfig logConfig, ReplicationConfig replication, Runnable expireCreations, Runnable checkIsr) {
        timer.scheduleWithFixedDelay(this::scheduleRetention, retention.checkIntervalMs(),
            retention.checkIntervalMs(), TimeUnit.MILLISECONDS);
        if (logConfig.flushMs() != Long.MAX_VALUE) {
            // flush.ms must hold when appends stop too: each writer checks its partitions' time policy.
            long periodMs = Math.max(1, Math.min(logConfig.flushMs(), 1000));
            timer.scheduleWithFixedDelay(this::scheduleTimedFlushes, periodMs, periodMs, TimeUnit.MILLISECONDS);
        }
        timer.scheduleWithFixedDelay(expireCreations, TopicCreations.CREATE_RETRY_MS, TopicCreations.CREATE_RETRY_MS,
            TimeUnit.MILLISECONDS);
        long isrCheckMs = Math.max(10, replication.replicaLagTimeMaxMs() / 2);
        timer.scheduleWithFixedDelay(checkIsr, isrCheckMs, isrCheckMs, TimeUnit.MILLISECONDS);
        timer.scheduleWithFixedDelay(this::scheduleHwCheckpoints, replication.hwCheckpointIntervalMs(),
            replication.hwCheckpointIntervalMs(), TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the timer thread after {@code delayMs}; dropped when closing. */
    void later(Runnable task, long delayMs) {
        try {
            timer.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("broker {}: closing; a delayed task is dropped", brokerId);
        }
    }

    /** Stops every job; files retention let go and not deleted yet are released when the logs close. */
    void shutdownNow() {
        timer.shutdownNow();
    }

    /**
     * Runs retention once for every partition whose log this broker has open, each on its writer thread: the ones
     * it leads, and the ones it took offline itself (a failed write on a full disk). Retention is local to the
     * log, as in Kafka, whoever the coordinator names as leader.
     */
    void scheduleRetention() {
        Map<String, TopicInfo> current = table.topics();
        for (Partition p : table.all()) {
            TopicInfo topic = current.get(p.topic);
            if (p.log == null || topic == null) {
                continue;
            }
            long retentionMs = topic.longConfig("retention.ms", retention.retentionMs());
            long retentionBytes = topic.longConfig("retention.bytes", retention.retentionBytes());
            if (retentionMs == RetentionConfig.UNLIMITED && retentionBytes == RetentionConfig.UNLIMITED) {
                continue;
            }
            p.onWriter(() -> {
                PartitionLog log = p.log;
                try {
                    if (log != null && log.deleteOldSegments(retentionMs, retentionBytes) > 0) {
                        releaseLater(p, log);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.error("broker {}: retention of {} failed: {}", brokerId, p.name, e.toString(), e);
                    offline.offlineIfFailed(p, log, e);
                }
            });
        }
    }

    /**
     * Deletes the files retention let go once {@code file.delete.delay.ms} passed, as its log line says, rather than
     * at the log's next roll, flush or retention check (minutes away, and never a flush for a failed log: on a full
     * disk that is when the space comes back).
     */
    private void releaseLater(Partition p, PartitionLog log) {
        try {
            timer.schedule(() -> p.onWriter(() -> {
                if (p.log == log) {
                    log.releaseDueFiles();
                }
            }), log.config().fileDeleteDelayMs() + 1, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing: close() releases everything
        }
    }

    /**
     * Lets every open log apply {@code flush.ms} even when appends stopped, on its writer thread: also a log this
     * broker took offline for a corrupt read, whose acknowledged tail must still reach the disk. A failed log is
     * skipped (its force would fail again, once a second per partition).
     */
    private void scheduleTimedFlushes() {
        for (Partition p : table.all()) {
            if (p.log != null) {
                p.onWriter(() -> {
                    try {
                        PartitionLog log = p.log;
                        if (log != null && !log.failed()) {
                            log.maybeFlush();
                        }
                    } catch (IOException e) {
                        LOG.error("broker {}: flushing {} failed: {}", brokerId, p.name, e.toString(), e);
                        offline.offlineIfFailed(p, p.log, e);
                    }
                });
            }
        }
    }

    /** Writes each open log's high watermark to its checkpoint file, on its writer thread. */
    private void scheduleHwCheckpoints() {
        for (Partition p : table.all()) {
            if (p.log != null) {
                p.onWriter(() -> {
                    PartitionLog log = p.log;
                    try {
                        if (log != null && !log.failed()) {
                            log.checkpointHighWatermark();
                        }
                    } catch (IOException e) {
                        LOG.warn("broker {}: checkpointing the high watermark of {} failed: {}", brokerId, p.name,
                            e.toString());
                    }
                });
            }
        }
    }
}
