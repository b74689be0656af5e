package io.yak.broker.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.yak.broker.partition.PartitionManager;
import io.yak.wire.ErrorCode;
import io.yak.wire.WireException;
import io.yak.wire.codec.ReadGate;
import io.yak.wire.log.LogText;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.ConsumeResponse;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.ListOffsetsResponse;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.message.ReplicaFetchRequest;
import io.yak.wire.message.ReplicaFetchResponse;
import io.yak.broker.partition.PublishCallback;
import io.netty.buffer.Unpooled;
import java.util.List;
import io.yak.wire.message.PublishResponse;
import io.yak.wire.record.RecordBatchFlyweight;
import io.yak.wire.record.RecordCursor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection: validates publish batches (the whole request before any state changes), hands requests
 * to the {@link PartitionManager} and writes its answers. One instance per channel; its flyweights belong to the
 * channel's event loop. Stops reading from a peer that has too many requests in flight (the {@link ReadGate};
 * the server front stops it for a peer that does not drain). Rejected requests are counted and logged through
 * the broker's {@link RejectionLog}, rate-limited per host and reason.
 */
final class BrokerRequestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerRequestHandler.class);
    /** Requests of one connection being served at once; reading pauses above it. */
    static final int MAX_IN_FLIGHT = 1024;

    private final PartitionManager partitions;
    private final long timestampAfterMaxMs;
    private final RejectionLog rejections;
    private final RequestMetrics metrics;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final RecordCursor cursor = new RecordCursor();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long[] offsetOut = new long[1];
    private Channel channel;
    private ReadGate gate;
    /**
     * Event-loop only: publish answers the writer thread gave that are not written yet. While there are any, no
     * publish of this connection is appended in place, whose answer would go out before theirs.
     */
    private int writerAnswersPending;
    /** Event-loop only: inside a read burst, so writes wait for the flush in channelReadComplete. */
    private boolean reading;
    private boolean pendingFlush;

    BrokerRequestHandler(PartitionManager partitions, long timestampAfterMaxMs, RejectionLog rejections,
                         RequestMetrics metrics) {
        this.partitions = partitions;
        this.timestampAfterMaxMs = timestampAfterMaxMs;
        this.rejections = rejections;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        gate = ReadGate.of(channel);
        if (gate == null) {
            throw new IllegalStateException("BrokerRequestHandler needs a ReadGate on " + channel);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Frame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        reading = true;
        int id = frame.correlationId();
        switch (frame.type()) {
            case PUBLISH_REQUEST -> publish(ctx, id, (PublishRequest) frame.message());
            case CONSUME_REQUEST -> consume(id, (ConsumeRequest) frame.message());
            case LIST_OFFSETS_REQUEST -> listOffsets(ctx, id, (ListOffsetsRequest) frame.message());
            case REPLICA_FETCH_REQUEST -> replicaFetch(id, (ReplicaFetchRequest) frame.message());
            case ERROR_RESPONSE -> {
                // Never answered (WIRE.md, "Errors and closing", rule 6): answering a peer's error would start
                // an error ping-pong between two servers.
                ErrorResponse error = (ErrorResponse) frame.message();
                frame.release();
                rejections.reject(channel.remoteAddress(), RejectReason.ERROR_RESPONSE_RECEIVED, "ignored "
                    + error.error() + " (correlation id " + id + "): " + LogText.safe(error.message()));
            }
            default -> {
                frame.release();
                rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "answered INVALID_REQUEST: "
                    + frame.type() + " is not served by brokers");
                reply(ctx, Frame.of(id, new ErrorResponse(ErrorCode.INVALID_REQUEST,
                    frame.type() + " is not served by brokers")));
            }
        }
    }

    private void publish(ChannelHandlerContext ctx, int id, PublishRequest req) {
        ByteBuf records = req.records();
        try {
            validate(records);
        } catch (WireException e) {
            records.release();
            rejections.reject(channel.remoteAddress(), e.errorCode() == ErrorCode.INVALID_TIMESTAMP
                    ? RejectReason.INVALID_TIMESTAMP : RejectReason.CORRUPT_RECORD_BATCH,
                "publish to " + LogText.safe(req.topic()) + "-" + req.partition() + " answered " + e.errorCode()
                    + ": " + e.getMessage());
            if (req.acks() != 0) {
                reply(ctx, Frame.of(id, new PublishResponse(e.errorCode(), partitions.epoch(), -1, -1)));
            }
            return;
        }
        if (req.acks() != 0 && req.acks() != 1 && req.acks() != -1 || req.timeoutMs() < 0) {
            records.release();
            rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "publish answered "
                + "INVALID_REQUEST: acks " + req.acks() + ", timeout_ms " + req.timeoutMs());
            reply(ctx, Frame.of(id, new PublishResponse(ErrorCode.INVALID_REQUEST, partitions.epoch(), -1, -1)));
            return;
        }
        boolean ack = req.acks() != 0;
        long startNs = System.nanoTime();
        started();
        // An answer appended in place must not overtake one the writer thread has given and not yet written here.
        // The callback runs on this event loop exactly when publish returns true (in place, or refused at once); a
        // writer thread's callback (publish returned false) is never on an event loop, so it always takes the task
        // that decrements the count.
        boolean answered = partitions.publish(req.topic(), req.partition(), req.acks(), req.timeoutMs(), records,
            writerAnswersPending == 0, new PublishCallback() {
                @Override
                public void onPublished(ErrorCode error, long epoch, long base, long start) {
                    finished();
                    metrics.answered(RequestMetrics.Type.PUBLISH, startNs, error);
                    if (ack) {
                        send(Frame.of(id, new PublishResponse(error, epoch, base, start)));
                    } else if (error != ErrorCode.NONE) {
                        LOG.debug("broker: acks=0 publish to {}-{} failed: {}", LogText.safe(req.topic()),
                            req.partition(), error);
                    }
                }

                @Override
                public void onPublishedLater(ErrorCode error, long epoch, long base, long start) {
                    // Always through the event loop's queue, even from this very event loop (an acks=all publish
                    // completed by a follower's fetch on another channel): the count below must drop exactly once.
                    finished();
                    metrics.answered(RequestMetrics.Type.PUBLISH, startNs, error);
                    if (!ack) {
                        return;
                    }
                    Frame answer = Frame.of(id, new PublishResponse(error, epoch, base, start));
                    try {
                        channel.eventLoop().execute(() -> {
                            writerAnswersPending--;
                            send(answer);
                        });
                    } catch (RejectedExecutionException e) {
                        LOG.debug("broker: connection {} closing, publish answer dropped", channel.remoteAddress());
                    }
                }
            });
        if (!answered && ack) {
            writerAnswersPending++;
        }
    }

    /**
     * Checks every batch in the request: bounds, magic, CRC32C and each record's layout, and that no record's
     * timestamp (the batch's {@code max_timestamp}) is more than {@code log.message.timestamp.after.max.ms} ahead of
     * this broker's clock: a far-future timestamp would keep its segment from ever expiring by {@code retention.ms}.
     */
    private void validate(ByteBuf records) {
        int index = records.readerIndex();
        int end = records.writerIndex();
        if (index == end) {
            throw new WireException(ErrorCode.CORRUPT_RECORD_BATCH, "publish without record batches");
        }
        long latestMs = latestAcceptedTimestamp();
        while (index < end) {
            batch.wrap(records, index, end).validateDeep(cursor);
            long max = batch.maxTimestamp();
            if (max > latestMs) {
                throw new WireException(ErrorCode.INVALID_TIMESTAMP, "record timestamp " + max + " is "
                    + (max - (latestMs - timestampAfterMaxMs)) + " ms ahead of the broker's clock, more than "
                    + "log.message.timestamp.after.max.ms " + timestampAfterMaxMs);
            }
            index += batch.sizeInBytes();
        }
    }

    /** The largest record timestamp a publish may carry now; {@link Long#MAX_VALUE} when there is no limit. */
    private long latestAcceptedTimestamp() {
        if (timestampAfterMaxMs == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long nowMs = System.currentTimeMillis();
        return nowMs > Long.MAX_VALUE - timestampAfterMaxMs ? Long.MAX_VALUE : nowMs + timestampAfterMaxMs;
    }

    private void consume(int id, ConsumeRequest req) {
        if (req.maxBytes() <= 0 || req.maxWaitMs() < 0) {
            rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "consume answered "
                + "INVALID_REQUEST: max_bytes " + req.maxBytes() + ", max_wait_ms " + req.maxWaitMs());
            send(Frame.of(id, new ErrorResponse(ErrorCode.INVALID_REQUEST,
                "max_bytes " + req.maxBytes() + " and max_wait_ms " + req.maxWaitMs() + " must be positive")));
            return;
        }
        if (req.currentLeaderEpoch() < ConsumeRequest.NO_LEADER_EPOCH) {
            rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "consume answered "
                + "INVALID_REQUEST: current_leader_epoch " + req.currentLeaderEpoch());
            send(Frame.of(id, new ErrorResponse(ErrorCode.INVALID_REQUEST,
                "current_leader_epoch " + req.currentLeaderEpoch() + " must be -1 (unknown) or >= 0")));
            return;
        }
        long startNs = System.nanoTime();
        started();
        partitions.consume(req.topic(), req.partition(), req.currentLeaderEpoch(), req.offset(), req.maxBytes(),
            req.maxWaitMs(), (error, epoch, hw, start, records) -> {
                finished();
                metrics.answered(RequestMetrics.Type.CONSUME, startNs, error);
                send(Frame.of(id, new ConsumeResponse(error, epoch, hw, start, records)));
            });
    }

    private void replicaFetch(int id, ReplicaFetchRequest req) {
        if (req.maxBytes() <= 0 || req.maxWaitMs() < 0) {
            rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "replica fetch answered "
                + "INVALID_REQUEST: max_bytes " + req.maxBytes() + ", max_wait_ms " + req.maxWaitMs());
            send(Frame.of(id, new ReplicaFetchResponse(ErrorCode.INVALID_REQUEST, List.of(), Unpooled.EMPTY_BUFFER)));
            return;
        }
        long startNs = System.nanoTime();
        started();
        partitions.replicaFetch(req, channel.eventLoop(), response -> {
            finished();
            metrics.answered(RequestMetrics.Type.REPLICA_FETCH, startNs, response.error());
            send(Frame.of(id, response));
        });
    }

    private void listOffsets(ChannelHandlerContext ctx, int id, ListOffsetsRequest req) {
        if (req.currentLeaderEpoch() < ListOffsetsRequest.NO_LEADER_EPOCH) {
            rejections.reject(channel.remoteAddress(), RejectReason.INVALID_REQUEST, "list offsets answered "
                + "INVALID_REQUEST: current_leader_epoch " + req.currentLeaderEpoch());
            reply(ctx, Frame.of(id, new ListOffsetsResponse(ErrorCode.INVALID_REQUEST, partitions.epoch(), -1)));
            return;
        }
        long startNs = System.nanoTime();
        ErrorCode error = partitions.listOffset(req.topic(), req.partition(), req.currentLeaderEpoch(),
            req.timestamp(), offsetOut);
        metrics.answered(RequestMetrics.Type.LIST_OFFSETS, startNs, error);
        long offset = error == ErrorCode.NONE ? offsetOut[0] : -1;
        reply(ctx, Frame.of(id, new ListOffsetsResponse(error, partitions.epoch(), offset)));
    }

    /** On the event loop. */
    private void started() {
        if (inFlight.incrementAndGet() >= MAX_IN_FLIGHT) {
            gate.pause(ReadGate.Reason.IN_FLIGHT);
        }
    }

    /**
     * From any thread. Reading resumes once half the requests are answered; a writer thread hands that to the
     * event loop, which owns the gate, each time the count drops through the mark (so no resume is missed).
     */
    private void finished() {
        if (inFlight.decrementAndGet() != MAX_IN_FLIGHT / 2 - 1) {
            return;
        }
        if (channel.eventLoop().inEventLoop()) {
            resumeIfDrained();
        } else {
            try {
                channel.eventLoop().execute(this::resumeIfDrained);
            } catch (RejectedExecutionException e) {
                LOG.debug("broker: connection {} closing, not resuming reads", channel.remoteAddress());
            }
        }
    }

    private void resumeIfDrained() {
        if (inFlight.get() < MAX_IN_FLIGHT / 2) {
            gate.resume(ReadGate.Reason.IN_FLIGHT);
        }
    }

    /** On the event loop: write now, flush once at the end of the read burst. */
    private void reply(ChannelHandlerContext ctx, Frame frame) {
        ctx.write(frame, ctx.voidPromise());
        pendingFlush = true;
    }

    /** From any thread. Takes ownership of {@code frame}'s payload. */
    private void send(Frame frame) {
        if (channel.eventLoop().inEventLoop()) {
            write(frame);
        } else {
            try {
                channel.eventLoop().execute(() -> write(frame));
            } catch (RejectedExecutionException e) {
                frame.release();
                LOG.debug("broker: connection {} closing, answer dropped", channel.remoteAddress());
            }
        }
    }

    /**
     * On the event loop. A closed channel's pipeline no longer passes writes through the encoder, and Netty releases
     * only reference-counted messages it drops: a {@link Frame} is not, so its payload (the records of a consume or
     * replica fetch answered after the peer left, e.g. a parked fetch of a follower that stopped) would leak. Issue 14.
     */
    private void write(Frame frame) {
        if (!channel.isActive()) {
            frame.release();
            return;
        }
        if (reading) {
            channel.write(frame, channel.voidPromise());
            pendingFlush = true;
        } else {
            channel.writeAndFlush(frame, channel.voidPromise());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (pendingFlush) {
            pendingFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }
}
