package io.yak.client.fake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ConsumeResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.PublishResponse;
import io.yak.wire.message.TopicInfo;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A small but real broker for client tests: PUBLISH appends validated batches to the shared {@link FakeLogStore}
 * and answers with the base offset; CONSUME serves whole batches from the one holding the offset (long-polling up
 * to maxWaitMs at the log end); LIST_OFFSETS answers -2/-1 and timestamps {@code >= 0} (from the batches' max
 * timestamps, see {@link FakeLogStore#offsetForTimestamp}). It leads what the {@link FakeCoordinator}'s metadata
 * says and answers NOT_LEADER otherwise; a CONSUME or LIST_OFFSETS naming another leader epoch than the
 * coordinator's (-1 is not checked) is fenced as the real broker fences it. Faults: fail the next publishes with a
 * code; drop a publish and close the connection; trail the coordinator's leader epochs.
 */
public final class FakeBroker implements AutoCloseable {
    private final int id;
    private final FakeCoordinator coordinator;
    private final FakeLogStore store;
    private final FakeServer server;
    private final AtomicInteger failNext = new AtomicInteger();
    private volatile ErrorCode failWith = ErrorCode.NONE;
    private final AtomicInteger dropAndCloseAt = new AtomicInteger(-1);
    private final AtomicBoolean holdPublishes = new AtomicBoolean();
    /** Publish answers come up to this many ms late (0: off), in arrival order per connection. */
    private volatile long answerJitterMs;
    private java.util.SplittableRandom answerJitter = new java.util.SplittableRandom(0);
    /** Per publish appended, in arrival order: the base sequences of its batches (idempotent producers). */
    public final java.util.List<int[]> appendedSequences = java.util.Collections.synchronizedList(
        new java.util.ArrayList<>());
    public final AtomicInteger publishRequests = new AtomicInteger();
    /** {@code acks} and {@code timeout_ms} of the last publish received. */
    public volatile short lastAcks;
    public volatile int lastPublishTimeoutMs;
    /** Record batches received in publishes, and the largest publish payload in bytes. */
    public final AtomicInteger publishedBatches = new AtomicInteger();
    public final AtomicInteger largestPublishBytes = new AtomicInteger();
    private volatile long publishAnswerDelayMs;
    public final AtomicInteger consumeRequests = new AtomicInteger();
    public final AtomicInteger notLeaderAnswers = new AtomicInteger();
    public final AtomicInteger droppedConnections = new AtomicInteger();
    public final AtomicInteger listOffsetsRequests = new AtomicInteger();
    private final AtomicInteger failNextListOffsets = new AtomicInteger();
    /** While set, a timestamp no record reaches is answered -1 instead of the log end offset. */
    private volatile boolean noneAsMinusOne;
    /** While set, the broker serves every partition it is asked for, like one that has not heard of a move yet. */
    private volatile boolean staleLeadership;
    private final AtomicInteger failNextConsumes = new AtomicInteger();
    private volatile ErrorCode failConsumesWith = ErrorCode.NONE;
    /** How far this broker's high watermark trails the log end (a new leader that has not caught up on it yet). */
    private volatile long highWatermarkLag;
    /** How far the leader epochs this broker knows trail the coordinator's (a leader that has not heard yet). */
    private volatile int leaderEpochLag;
    /** The {@code current_leader_epoch} of the last CONSUME and LIST_OFFSETS received. */
    public volatile int lastConsumeLeaderEpoch = Integer.MIN_VALUE;
    public volatile int lastListOffsetsLeaderEpoch = Integer.MIN_VALUE;
    /** CONSUME and LIST_OFFSETS answered FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH. */
    public final AtomicInteger fencedConsumes = new AtomicInteger();
    public final AtomicInteger fencedListOffsets = new AtomicInteger();

    public FakeBroker(int id, FakeCoordinator coordinator, FakeLogStore store) {
        this.id = id;
        this.coordinator = coordinator;
        this.store = store;
        this.server = new FakeServer("fake-broker-" + id, Handler::new);
        coordinator.addBroker(id, server.port());
    }

    public int id() {
        return id;
    }

    public int port() {
        return server.port();
    }

    /** Publishes are appended at once but answered {@code ms} later (a slow round trip). */
    public void delayPublishAnswers(long ms) {
        publishAnswerDelayMs = ms;
    }

    /** The next {@code n} publishes are answered with {@code code} (nothing appended). */
    public void failNextPublishes(int n, ErrorCode code) {
        failWith = code;
        failNext.set(n);
    }

    /** The {@code n}-th publish from now (1 = next) is dropped unanswered and its connection closed. */
    public void dropAndCloseOnPublish(int n) {
        dropAndCloseAt.set(n);
    }

    /** While on, publishes are neither appended nor answered (the client times out). */
    public void holdPublishes(boolean on) {
        holdPublishes.set(on);
    }

    /**
     * Publishes are appended at once and answered after a random delay of up to {@code maxMs} (seeded; one in five
     * takes all of it), still in arrival order on each connection, as a leader answers a partition's publishes.
     */
    public synchronized void jitterPublishAnswers(long maxMs, long seed) {
        answerJitter = new java.util.SplittableRandom(seed);
        answerJitterMs = maxMs;
    }

    /** With jitter: one answer in five takes the whole {@code maxMs}, the others up to a quarter of it. */
    private synchronized long nextAnswerDelayMs() {
        long max = answerJitterMs;
        if (max <= 0) {
            return publishAnswerDelayMs;
        }
        return answerJitter.nextInt(5) == 0 ? max : answerJitter.nextLong(max / 4 + 1);
    }

    public void dropConnections() {
        server.dropConnections();
    }

    /** The next {@code n} LIST_OFFSETS with a timestamp {@code >= 0} are answered NOT_LEADER. */
    public void failNextTimestampLookups(int n) {
        failNextListOffsets.set(n);
    }

    /** Answer "no record that recent" as offset -1 (a broker that says none) instead of the log end. */
    public void answerNoneAsMinusOne(boolean on) {
        noneAsMinusOne = on;
    }

    public void staleLeadership(boolean on) {
        staleLeadership = on;
    }

    /** The next {@code n} CONSUME requests of a partition this broker leads are answered with {@code code}. */
    public void failNextConsumes(int n, ErrorCode code) {
        failConsumesWith = code;
        failNextConsumes.set(n);
    }

    /**
     * This broker's high watermark is {@code lag} below the log end: it serves only batches below it, and a fetch
     * above it is OFFSET_OUT_OF_RANGE (as {@code WIRE.md} says), like a new leader that learns the high watermark a
     * round trip after its election.
     */
    public void highWatermarkLag(long lag) {
        highWatermarkLag = lag;
    }

    /**
     * The leader epochs this broker knows are {@code lag} below the coordinator's: a client naming the current one
     * is answered UNKNOWN_LEADER_EPOCH, like a leader that has not received the cluster view yet.
     */
    public void leaderEpochLag(int lag) {
        leaderEpochLag = lag;
    }

    private long highWatermark(String topic, int partition) {
        return Math.max(store.start(topic, partition), store.end(topic, partition) - highWatermarkLag);
    }

    @Override
    public void close() {
        server.close();
    }

    /** NONE when this broker leads the partition, else the error to answer. */
    private ErrorCode leads(String topic, int partition) {
        return leads(topic, partition, -1, null);
    }

    /**
     * As {@link #leads(String, int)}, then a {@code currentLeaderEpoch} other than -1 must be the one this broker
     * knows: older is FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH (counted in {@code fenced}). A broker with
     * stale leadership knows no newer epoch and does not check.
     */
    private ErrorCode leads(String topic, int partition, int currentLeaderEpoch, AtomicInteger fenced) {
        ClusterMetadata m = coordinator.metadata();
        TopicInfo t = m.topic(topic);
        if (t == null) {
            return ErrorCode.UNKNOWN_TOPIC;
        }
        PartitionInfo p = t.partition(partition);
        if (p == null) {
            return ErrorCode.UNKNOWN_PARTITION;
        }
        if (p.leader() != id && !staleLeadership) {
            notLeaderAnswers.incrementAndGet();
            return ErrorCode.NOT_LEADER;
        }
        if (currentLeaderEpoch == -1 || p.leader() != id) {
            return ErrorCode.NONE;
        }
        int known = p.leaderEpoch() - leaderEpochLag;
        if (currentLeaderEpoch == known) {
            return ErrorCode.NONE;
        }
        fenced.incrementAndGet();
        return currentLeaderEpoch < known ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        /** When the last delayed publish answer of this connection goes out (event loop only). */
        private long lastAnswerAtNs = System.nanoTime();
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame f = (Frame) msg;
            try {
                Message m = f.message();
                if (m instanceof PublishRequest r) {
                    publish(ctx, f.correlationId(), r);
                } else if (m instanceof ConsumeRequest r) {
                    consume(ctx, f.correlationId(), r);
                } else if (m instanceof ListOffsetsRequest r) {
                    listOffsets(ctx, f.correlationId(), r);
                } else {
                    throw new WireException(ErrorCode.INVALID_REQUEST, f.correlationId(),
                        "fake broker does not serve " + m.type());
                }
            } finally {
                f.release();
            }
        }

        private void publish(ChannelHandlerContext ctx, int correlationId, PublishRequest r) {
            publishRequests.incrementAndGet();
            lastAcks = r.acks();
            lastPublishTimeoutMs = r.timeoutMs();
            ByteBuf records = r.records();
            largestPublishBytes.accumulateAndGet(records.readableBytes(), Math::max);
            io.yak.wire.record.RecordBatchFlyweight fw = new io.yak.wire.record.RecordBatchFlyweight();
            for (int i = records.readerIndex(); i < records.writerIndex(); i += fw.sizeInBytes()) {
                fw.wrap(records, i, records.writerIndex());
                publishedBatches.incrementAndGet();
            }
            if (dropAndCloseAt.get() > 0 && dropAndCloseAt.decrementAndGet() == 0) {
                dropAndCloseAt.set(-1);
                droppedConnections.incrementAndGet();
                ctx.close();
                return;
            }
            if (holdPublishes.get()) {
                return;
            }
            long epoch = coordinator.metadata().epoch();
            ErrorCode error = leads(r.topic(), r.partition());
            if (error == ErrorCode.NONE && failNext.get() > 0 && failNext.decrementAndGet() >= 0) {
                error = failWith;
            }
            long base = -1;
            if (error == ErrorCode.NONE) {
                int[] sequences = new int[publishedBatchCount(records)];
                for (int i = records.readerIndex(), b = 0; i < records.writerIndex(); i += fw.sizeInBytes()) {
                    sequences[b++] = fw.wrap(records, i, records.writerIndex()).baseSequence();
                }
                try {
                    base = store.append(r.topic(), r.partition(), r.records());
                    appendedSequences.add(sequences);
                } catch (WireException e) {
                    error = e.errorCode();
                }
            }
            if (r.acks() != 0) {
                Frame answer = Frame.of(correlationId, new PublishResponse(error, epoch, base,
                    store.start(r.topic(), r.partition())));
                long delayMs = nextAnswerDelayMs();
                if (delayMs > 0 || lastAnswerAtNs - System.nanoTime() > 0) {
                    long at = Math.max(lastAnswerAtNs, System.nanoTime() + delayMs * 1_000_000);
                    lastAnswerAtNs = at;
                    ctx.executor().schedule(() -> ctx.writeAndFlush(answer), Math.max(0, at - System.nanoTime()),
                        java.util.concurrent.TimeUnit.NANOSECONDS);
                } else {
                    ctx.writeAndFlush(answer);
                }
            }
        }

        private int publishedBatchCount(ByteBuf records) {
            io.yak.wire.record.RecordBatchFlyweight fw = new io.yak.wire.record.RecordBatchFlyweight();
            int n = 0;
            for (int i = records.readerIndex(); i < records.writerIndex(); i += fw.sizeInBytes()) {
                fw.wrap(records, i, records.writerIndex());
                n++;
            }
            return n;
        }

        private void consume(ChannelHandlerContext ctx, int correlationId, ConsumeRequest r) {
            consumeRequests.incrementAndGet();
            lastConsumeLeaderEpoch = r.currentLeaderEpoch();
            long epoch = coordinator.metadata().epoch();
            ErrorCode error = leads(r.topic(), r.partition(), r.currentLeaderEpoch(), fencedConsumes);
            if (error == ErrorCode.NONE && failNextConsumes.get() > 0 && failNextConsumes.decrementAndGet() >= 0) {
                error = failConsumesWith;
            }
            if (error != ErrorCode.NONE) {
                reply(ctx, correlationId, error, epoch, r, List.of());
                return;
            }
            long start = store.start(r.topic(), r.partition());
            long end = highWatermark(r.topic(), r.partition());
            if (r.offset() < start || r.offset() > end) {
                reply(ctx, correlationId, ErrorCode.OFFSET_OUT_OF_RANGE, epoch, r, List.of());
                return;
            }
            if (r.offset() < end || r.maxWaitMs() <= 0) {
                reply(ctx, correlationId, ErrorCode.NONE, epoch, r, belowHighWatermark(r));
                return;
            }
            // Long poll: answer on the next append or after maxWaitMs, whichever comes first.
            AtomicBoolean answered = new AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Consumer<String>> listener =
                new java.util.concurrent.atomic.AtomicReference<>();
            Runnable answer = () -> {
                if (answered.compareAndSet(false, true)) {
                    store.removeListener(r.topic(), r.partition(), listener.get());
                    reply(ctx, correlationId, ErrorCode.NONE, epoch, r, belowHighWatermark(r));
                }
            };
            listener.set(k -> ctx.executor().execute(answer));
            store.onAppend(r.topic(), r.partition(), listener.get());
            ctx.executor().schedule(answer, r.maxWaitMs(), TimeUnit.MILLISECONDS);
            if (highWatermark(r.topic(), r.partition()) > r.offset()) {
                ctx.executor().execute(answer);
            }
        }

        private List<FakeLogStore.StoredBatch> belowHighWatermark(ConsumeRequest r) {
            long hw = highWatermark(r.topic(), r.partition());
            List<FakeLogStore.StoredBatch> out = new java.util.ArrayList<>();
            for (FakeLogStore.StoredBatch b : store.read(r.topic(), r.partition(), r.offset(), r.maxBytes())) {
                if (b.baseOffset() + b.records() <= hw) {
                    out.add(b);
                }
            }
            return out;
        }

        private void reply(ChannelHandlerContext ctx, int correlationId, ErrorCode error, long epoch, ConsumeRequest r,
                           List<FakeLogStore.StoredBatch> batches) {
            if (!ctx.channel().isActive()) {
                return; // a long poll outlived its connection: nobody to answer
            }
            ByteBuf records = ctx.alloc().buffer();
            for (FakeLogStore.StoredBatch b : batches) {
                records.writeBytes(b.bytes());
            }
            ctx.writeAndFlush(Frame.of(correlationId, new ConsumeResponse(error, epoch,
                highWatermark(r.topic(), r.partition()), store.start(r.topic(), r.partition()), records)))
                .addListener(f -> {
                    // A write that failed before the encoder took the payload (pipeline already torn down) leaves
                    // it with us; one the encoder took was released by the failed write.
                    if (!f.isSuccess() && records.refCnt() > 0) {
                        records.release();
                    }
                });
        }

        private void listOffsets(ChannelHandlerContext ctx, int correlationId, ListOffsetsRequest r) {
            long epoch = coordinator.metadata().epoch();
            lastListOffsetsLeaderEpoch = r.currentLeaderEpoch();
            ErrorCode error = leads(r.topic(), r.partition(), r.currentLeaderEpoch(), fencedListOffsets);
            long offset = -1;
            listOffsetsRequests.incrementAndGet();
            if (error == ErrorCode.NONE && r.timestamp() >= 0 && failNextListOffsets.get() > 0
                    && failNextListOffsets.decrementAndGet() >= 0) {
                error = ErrorCode.NOT_LEADER;
            }
            if (error == ErrorCode.NONE) {
                if (r.timestamp() == ListOffsetsRequest.EARLIEST) {
                    offset = store.start(r.topic(), r.partition());
                } else if (r.timestamp() == ListOffsetsRequest.LATEST) {
                    offset = highWatermark(r.topic(), r.partition()); // "latest" is the high watermark, as in Kafka
                } else if (r.timestamp() >= 0) {
                    offset = store.offsetForTimestamp(r.topic(), r.partition(), r.timestamp());
                    if (noneAsMinusOne && offset == store.end(r.topic(), r.partition())) {
                        offset = -1;
                    }
                } else {
                    error = ErrorCode.INVALID_REQUEST;
                }
            }
            ctx.writeAndFlush(Frame.of(correlationId, new ListOffsetsResponse(error, epoch, offset)));
        }
    }
}
