package io.yak.wire.net;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One request on its way: written by a task on the channel's event loop ({@link #run()}), matched to its response
 * by correlation id in {@link ResponseHandler}, failed by the write listener, the timeout sweep or the channel
 * closing. Whoever finishes it first releases its in-flight permit; the others do nothing. The request's payload
 * is owned by this object until it is handed to the channel (or released when it never gets there).
 */
final class InFlight implements Runnable, ChannelFutureListener {
    private static final AtomicIntegerFieldUpdater<InFlight> DONE =
        AtomicIntegerFieldUpdater.newUpdater(InFlight.class, "done");

    final Connection connection;
    final int correlationId;
    final short expectedResponseType;
    final long deadlineNs;
    final boolean expectsResponse;
    final boolean usesPermit;
    final CompletableFuture<Message> future;
    private Message request;
    private Link link;
    private volatile int done;

    InFlight(Connection connection, int correlationId, Message request, long deadlineNs, boolean expectsResponse,
             boolean usesPermit, CompletableFuture<Message> future) {
        this.connection = connection;
        this.correlationId = correlationId;
        this.request = request;
        this.expectedResponseType = (short) (request.type().id() + 1);
        this.deadlineNs = deadlineNs;
        this.expectsResponse = expectsResponse;
        this.usesPermit = usesPermit;
        this.future = future;
    }

    /** Called once the channel is connected (or failed to); continues on the event loop. */
    void connected(Link link) {
        ChannelFuture cf = link.connectFuture();
        if (!cf.isSuccess()) {
            releaseRequest();
            fail(connection.connectFailure(cf.cause()));
            return;
        }
        this.link = link;
        if (cf.channel().eventLoop().inEventLoop()) {
            run();
        } else {
            try {
                cf.channel().eventLoop().execute(this);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                releaseRequest();
                fail(connection.closedFailure());
            }
        }
    }

    /** Registers and writes; runs on the channel's event loop. */
    @Override
    public void run() {
        Message m = request;
        request = null;
        if (!link.connectFuture().channel().isActive()) {
            m.release();
            fail(connection.lostFailure(null));
            return;
        }
        if (expectsResponse) {
            link.handler().register(this);
        }
        link.connectFuture().channel().writeAndFlush(Frame.of(correlationId, m)).addListener(this);
    }

    /** Write outcome. On failure the pipeline has already released the payload. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (!f.isSuccess()) {
            if (expectsResponse) {
                link.handler().unregister(this);
            }
            fail(connection.lostFailure(f.cause()));
        } else if (!expectsResponse) {
            complete(null);
        }
    }

    /** Fails before reaching any channel: releases the request too. */
    void abort(Throwable t) {
        releaseRequest();
        fail(t);
    }

    void complete(Message response) {
        if (finish()) {
            if (response != null && response.type().id() != expectedResponseType) {
                response.release();
                future.completeExceptionally(connection.failures().requestFailed(ErrorCode.UNKNOWN_SERVER_ERROR,
                    connection.shownAddress() + " answered " + response.type() + " to a request expecting type id "
                        + expectedResponseType, null));
                return;
            }
            if (!future.complete(response) && response != null) {
                response.release();
            }
        } else if (response != null) {
            response.release();
        }
    }

    void fail(Throwable t) {
        if (finish()) {
            future.completeExceptionally(t);
        }
    }

    private boolean finish() {
        if (DONE.compareAndSet(this, 0, 1)) {
            if (usesPermit) {
                connection.releasePermit();
            }
            return true;
        }
        return false;
    }

    private void releaseRequest() {
        Message m = request;
        request = null;
        if (m != null) {
            m.release();
        }
    }

    /** The channel of one connect attempt and the handler of its pipeline. */
    record Link(ChannelFuture connectFuture, ResponseHandler handler) {
    }
}
