package io.yak.broker.partition;

import io.netty.buffer.ByteBuf;
import io.yak.broker.log.PartitionLog;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ReplicaFetchPartition;
import io.yak.wire.message.ReplicaFetchPartitionData;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower side of replication: one fetcher thread per leader broker ({@code yak-replica-fetcher-N}) pulls
 * every partition this broker follows there in one long-polled REPLICA_FETCH_REQUEST, hands each partition's answer
 * to that partition's writer thread, waits for all of them, and fetches again. A partition whose answer was an
 * error waits a moment before it is asked for again; the coordinator's next view usually names its new leader.
 *
 * <p>Threads: {@link #follow} and {@link #unfollow} on the metadata thread; each fetcher on its own thread; logs
 * change only on their writer threads.
 */
final class FollowerFetchers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FollowerFetchers.class);
    private static final long ERROR_PAUSE_MS = 200;
    private static final long MAX_BACKOFF_MS = 1000;

    /** Applies one partition's answer on its writer thread; see {@link FollowerApply#applyFetched}. */
    interface Applier {
        boolean apply(Partition p, ReplicaFetchPartition asked, ReplicaFetchPartitionData data, ByteBuf records);
    }

    private final int brokerId;
    private final ReplicaFetchClient client;
    private final ReplicationConfig config;
    private final LongSupplier brokerEpoch;
    private final IntFunction<BrokerInfo> brokers;
    private final Applier applier;
    /** Fetchers by leader id. Guarded by {@code this}. */
    private final Map<Integer, Fetcher> fetchers = new HashMap<>();
    /** The leader each followed partition is fetched from. Guarded by {@code this}. */
    private final Map<Partition, Integer> leaderOf = new HashMap<>();
    private volatile boolean closed;

    FollowerFetchers(int brokerId, ReplicaFetchClient client, ReplicationConfig config, LongSupplier brokerEpoch,
                     IntFunction<BrokerInfo> brokers, Applier applier) {
        this.brokerId = brokerId;
        this.client = client;
        this.config = config;
        this.brokerEpoch = brokerEpoch;
        this.brokers = brokers;
        this.applier = applier;
    }

    /** Fetches {@code p} from {@code leaderId} from now on (its leader epoch is read from the partition). */
    synchronized void follow(Partition p, int leaderId, int leaderEpoch) {
        if (closed) {
            return;
        }
        Integer old = leaderOf.put(p, leaderId);
        if (old != null && old != leaderId) {
            Fetcher f = fetchers.get(old);
            if (f != null) {
                f.partitions.remove(p);
            }
        }
        Fetcher f = fetchers.computeIfAbsent(leaderId, Fetcher::new);
        if (f.partitions.add(p)) {
            LOG.info("broker {}: following partition {} on leader {} (leader epoch {})", brokerId, p.name, leaderId,
                leaderEpoch);
        }
        f.wake();
    }

    synchronized void unfollow(Partition p) {
        Integer old = leaderOf.remove(p);
        if (old != null) {
            Fetcher f = fetchers.get(old);
            if (f != null) {
                f.partitions.remove(p);
            }
        }
    }

    @Override
    public void close() {
        List<Fetcher> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(fetchers.values());
            fetchers.clear();
        }
        for (Fetcher f : all) {
            f.stop();
        }
        client.close();
        for (Fetcher f : all) {
            try {
                f.thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final class Fetcher implements Runnable {
        final int leaderId;
        final Set<Partition> partitions = ConcurrentHashMap.newKeySet();
        final Thread thread;
        /** Fetcher thread only: partitions answered with an error, and until when they wait. */
        final Map<Partition, Long> pausedUntilMs = new HashMap<>();
        private final Object signal = new Object();
        private volatile boolean stopped;
        private long backoffMs = 50;
        private long lastWarnMs;

        Fetcher(int leaderId) {
            this.leaderId = leaderId;
            this.thread = new Thread(this, "yak-replica-fetcher-" + leaderId);
            thread.setDaemon(true);
            thread.start();
        }

        void wake() {
            synchronized (signal) {
                signal.notifyAll();
            }
        }

        void stop() {
            stopped = true;
            wake();
        }

        private void pause(long ms) {
            synchronized (signal) {
                if (!stopped) {
                    try {
                        signal.wait(ms);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stopped = true;
                    }
                }
            }
        }

        @Override
        public void run() {
            while (!stopped) {
                try {
                    fetchOnce();
                } catch (RuntimeException e) {
                    LOG.error("broker {}: replica fetcher for leader {} failed: {}", brokerId, leaderId, e.toString(),
                        e);
                    pause(MAX_BACKOFF_MS);
                }
            }
        }

        private void fetchOnce() {
            long now = System.nanoTime() / 1_000_000;
            List<Partition> ps = new ArrayList<>();
            List<ReplicaFetchPartition> asked = new ArrayList<>();
            for (Partition p : partitions) {
                Long until = pausedUntilMs.get(p);
                if (until != null && until > now) {
                    continue;
                }
                pausedUntilMs.remove(p);
                PartitionLog log = p.log;
                Partition.Role role = p.role;
                if (log == null || role.leader() || p.failure != null) {
                    continue;
                }
                ps.add(p);
                asked.add(new ReplicaFetchPartition(p.topic, p.partition, role.leaderEpoch(), log.logEndOffset(),
                    log.latestEpoch(), config.replicaFetchMaxBytes()));
            }
            BrokerInfo leader = brokers.apply(leaderId);
            if (ps.isEmpty() || leader == null) {
                pause(100);
                return;
            }
            ReplicaFetchRequest request = new ReplicaFetchRequest(brokerId, brokerEpoch.getAsLong(),
                config.replicaFetchMaxWaitMs(), config.replicaFetchResponseMaxBytes(), asked);
            ReplicaFetchResponse response;
            long timeoutMs = config.replicaFetchMaxWaitMs() + 10_000L;
            try {
                response = client.fetch(new HostPort(leader.host(), leader.port()), request, timeoutMs)
                    .get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                if (!stopped && now - lastWarnMs > 10_000) {
                    lastWarnMs = now;
                    LOG.warn("broker {}: replica fetch from leader {} at {} failed: {}; retrying", brokerId,
                        leaderId, LogText.safe(leader.address()), LogText.safe(String.valueOf(cause)));
                }
                pause(backoffMs);
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped = true;
                return;
            }
            backoffMs = 50;
            try {
                if (response.error() != ErrorCode.NONE) {
                    LOG.info("broker {}: replica fetch from leader {} answered {}", brokerId, leaderId,
                        response.error());
                    pause(ERROR_PAUSE_MS * 2);
                    return;
                }
                apply(ps, asked, response);
            } finally {
                response.release();
            }
        }

        private void apply(List<Partition> ps, List<ReplicaFetchPartition> asked, ReplicaFetchResponse response) {
            List<ReplicaFetchPartitionData> data = response.partitions();
            if (data.size() != ps.size()) {
                LOG.warn("broker {}: leader {} answered {} partitions for {} asked; ignored", brokerId, leaderId,
                    data.size(), ps.size());
                pause(ERROR_PAUSE_MS);
                return;
            }
            ByteBuf records = response.records();
            int index = records.readerIndex();
            List<CompletableFuture<Boolean>> done = new ArrayList<>(ps.size());
            for (int i = 0; i < ps.size(); i++) {
                Partition p = ps.get(i);
                ReplicaFetchPartitionData d = data.get(i);
                ReplicaFetchPartition a = asked.get(i);
                if (d.recordsLength() > records.writerIndex() - index || !d.topic().equals(a.topic())
                    || d.partition() != a.partition()) {
                    LOG.warn("broker {}: leader {} answered an inconsistent replica fetch; ignored", brokerId,
                        leaderId);
                    break;
                }
                ByteBuf slice = records.retainedSlice(index, d.recordsLength());
                index += d.recordsLength();
                CompletableFuture<Boolean> f = new CompletableFuture<>();
                try {
                    p.onWriter(() -> {
                        try {
                            f.complete(applier.apply(p, a, d, slice));
                        } catch (RuntimeException e) {
                            f.completeExceptionally(e);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    slice.release();
                    stopped = true;
                    return;
                }
                done.add(f);
            }
            long now = System.nanoTime() / 1_000_000;
            for (int i = 0; i < done.size(); i++) {
                boolean ok;
                try {
                    ok = done.get(i).get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    ok = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopped = true;
                    return;
                }
                if (!ok) {
                    pausedUntilMs.put(ps.get(i), now + ERROR_PAUSE_MS);
                }
            }
        }
    }
}
