package io.yak.wire.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import io.yak.wire.message.Messages;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Splits the inbound byte stream into frames and decodes each body into a {@link Frame} ({@code WIRE.md}, sections
 * "Frame header" and "Errors and closing"). The length is checked before anything is allocated; a bad length,
 * unknown type or version, or unparsable body raises a {@link WireException} carrying the correlation id, after
 * which this decoder discards every further byte: the connection is finished and the error handler answers and
 * closes it. Every check waits for the 12 header bytes and no more (a bad type or version is rejected without
 * buffering the body), so the outcome does not depend on how the stream was split.
 *
 * <p>A server's decoder ({@link #FrameDecoder(int, RequestMemoryPool, long)}) also bounds what a peer can hold: a frame
 * that does not arrive whole reserves its length from the server's {@link RequestMemoryPool} (reading stops while
 * none is left), and must complete within {@code request.read.timeout.ms} of the time the server was reading from
 * that peer (paused reading, see {@link ReadGate}, does not count against the peer).
 *
 * <p>One instance per channel; runs on the channel's event loop. Payload messages hold a retained slice of the
 * cumulation; the next handler owns the frame.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    /** Null on a client's decoder. */
    private final RequestMemoryPool memory;
    private final long readTimeoutMs;
    private final long readTimeoutNs;
    private boolean failed;
    /** Bytes reserved from the memory pool for the frame being read; 0 when none. */
    private int reserved;
    /** A frame has started arriving and is not complete. */
    private boolean framePending;
    /** The event loop's ticker time when that frame started arriving, and the gate's server-stopped total then. */
    private long frameStartNs;
    private long stoppedAtStartNs;
    private ScheduledFuture<?> readTimer;
    private ChannelHandlerContext ctx;
    private ReadGate gate;

    /** A client's decoder: frame rules only. */
    public FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, null, 0);
    }

    /**
     * A server's decoder: frame rules, the shared memory bound and the read timeout. The channel must have a
     * {@link ReadGate} ({@link ReadGate#install}) before the first byte arrives.
     *
     * @param memory               the server's, shared by all its connections
     * @param requestReadTimeoutMs {@code request.read.timeout.ms}
     */
    public FrameDecoder(int maxFrameBytes, RequestMemoryPool memory, long requestReadTimeoutMs) {
        if (maxFrameBytes < FrameLayout.MIN_LENGTH_FIELD) {
            throw new IllegalArgumentException("maxFrameBytes " + maxFrameBytes + " < " + FrameLayout.MIN_LENGTH_FIELD);
        }
        this.maxFrameBytes = maxFrameBytes;
        if (memory != null && requestReadTimeoutMs <= 0) {
            throw new IllegalArgumentException("requestReadTimeoutMs " + requestReadTimeoutMs + " <= 0");
        }
        this.memory = memory;
        this.readTimeoutMs = requestReadTimeoutMs;
        this.readTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestReadTimeoutMs);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int readable = in.readableBytes();
        if (readable < FrameLayout.LENGTH_LENGTH) {
            incomplete(ctx);
            return;
        }
        int start = in.readerIndex();
        int length = in.getInt(start + FrameLayout.LENGTH_OFFSET);
        boolean badLength = length < FrameLayout.MIN_LENGTH_FIELD || length > maxFrameBytes;
        if (readable < FrameLayout.HEADER_LENGTH) {
            // Even for a bad length, wait for the 12 header bytes (never more), so the error carries the
            // correlation id whatever the TCP segmentation was.
            incomplete(ctx);
            return;
        }
        int correlationId = in.getInt(start + FrameLayout.CORRELATION_ID_OFFSET);
        if (badLength) {
            fail(in);
            if (length > maxFrameBytes) {
                throw new WireException(ErrorCode.FRAME_TOO_LARGE, correlationId,
                    "frame length " + length + " > max.frame.bytes " + maxFrameBytes);
            }
            throw new WireException(ErrorCode.MALFORMED_FRAME, correlationId,
                "frame length " + length + " < minimum " + FrameLayout.MIN_LENGTH_FIELD);
        }
        int typeId = in.getShort(start + FrameLayout.TYPE_OFFSET);
        short version = in.getShort(start + FrameLayout.VERSION_OFFSET);
        MessageType type = MessageType.of(typeId);
        // Type and version are judged from the header alone: a frame we cannot parse is never buffered whole.
        if (type == null) {
            fail(in);
            throw new WireException(ErrorCode.UNKNOWN_MESSAGE_TYPE, correlationId, "unknown message type " + typeId);
        }
        if (version < MessageType.VERSION_1 || version > type.maxVersion()) {
            fail(in);
            WireException e = new WireException(ErrorCode.UNSUPPORTED_VERSION, correlationId,
                "unsupported version " + version + " of " + type + " (max " + type.maxVersion() + ")");
            throw type == MessageType.ERROR_RESPONSE ? e.unanswerable() : e;
        }
        // length <= maxFrameBytes and readable - 4 >= length: no int overflow even for maxFrameBytes near 2^31.
        if (readable - FrameLayout.LENGTH_LENGTH < length) {
            if (memory != null && reserved == 0 && !reserve(length)) {
                // Reading stopped until memory is free; the bytes already read stay buffered. The frame's clock
                // starts now, though it only runs while the server reads: a peer that sends nothing more once
                // reading resumes is closed like any other stalled frame.
                incomplete(ctx);
                return;
            }
            incomplete(ctx);
            return;
        }
        int frameBytes = FrameLayout.LENGTH_LENGTH + length;
        frameDone();
        ByteBuf body = in.slice(start + FrameLayout.BODY_OFFSET, frameBytes - FrameLayout.BODY_OFFSET);
        Message message;
        try {
            message = Messages.decode(type, body);
        } catch (WireException e) {
            fail(in);
            WireException found = e.withCorrelationId(correlationId);
            throw type == MessageType.ERROR_RESPONSE ? found.unanswerable() : found;
        }
        in.skipBytes(frameBytes);
        out.add(new Frame(version, correlationId, message));
    }

    private boolean reserve(int bytes) {
        int granted = RequestMemoryPool.takeGranted(gate);
        if (granted > 0) {
            reserved = granted; // reserved by the pool while this connection waited
            return true;
        }
        if (memory.tryReserve(bytes)) {
            reserved = bytes;
            return true;
        }
        if (ctx.channel().isActive()) {
            memory.await(gate, bytes);
        }
        return false;
    }

    /** Part of a frame is buffered: start its read deadline if it just started. */
    private void incomplete(ChannelHandlerContext ctx) {
        if (memory == null || framePending) {
            return;
        }
        framePending = true;
        frameStartNs = ctx.executor().ticker().nanoTime();
        stoppedAtStartNs = gate.serverStoppedNs();
        if (readTimer == null) {
            readTimer = ctx.executor().schedule(this::checkReadDeadline, readTimeoutNs, TimeUnit.NANOSECONDS);
        }
    }

    /** A whole frame is buffered: its reservation goes back to the pool, its deadline is over. */
    private void frameDone() {
        framePending = false;
        if (reserved != 0) {
            memory.release(reserved);
            reserved = 0;
        }
    }

    /**
     * The read timer: at most one per connection, armed when a frame starts and re-armed while frames keep
     * arriving. A frame still incomplete after {@code request.read.timeout.ms} of time the server was reading
     * finishes the connection with {@code REQUEST_TIMED_OUT}.
     */
    private void checkReadDeadline() {
        readTimer = null;
        if (failed || !framePending || !ctx.channel().isActive()) {
            return;
        }
        ReadGate g = gate;
        long now = ctx.executor().ticker().nanoTime();
        // Only reading time counts: time the server stopped reading for its own reasons moves the deadline.
        long due = frameStartNs + readTimeoutNs + (g.serverStoppedNs() - stoppedAtStartNs);
        if (g.serverStopped() || now - due < 0) {
            long delay = g.serverStopped() ? readTimeoutNs : due - now;
            readTimer = ctx.executor().schedule(this::checkReadDeadline, delay, TimeUnit.NANOSECONDS);
            return;
        }
        ByteBuf in = internalBuffer();
        int partial = in.readableBytes();
        int correlationId = partial >= FrameLayout.HEADER_LENGTH
            ? in.getInt(in.readerIndex() + FrameLayout.CORRELATION_ID_OFFSET) : WireException.NO_CORRELATION_ID;
        String expected = partial >= FrameLayout.LENGTH_LENGTH
            ? " of " + (FrameLayout.LENGTH_LENGTH + (long) in.getInt(in.readerIndex() + FrameLayout.LENGTH_OFFSET))
            : "";
        long readMs = TimeUnit.NANOSECONDS.toMillis(now - frameStartNs);
        fail(in);
        ctx.fireExceptionCaught(new WireException(ErrorCode.REQUEST_TIMED_OUT, correlationId, "frame not complete "
            + "within request.read.timeout.ms " + readTimeoutMs + ": " + partial + expected
            + " bytes received in " + readMs + " ms"));
    }

    /** Server decoders find the channel's gate here: it is installed before the pipeline's handlers. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (memory != null) {
            gate = ReadGate.of(ctx.channel());
            if (gate == null) {
                throw new IllegalStateException("a server's FrameDecoder needs a ReadGate on " + ctx.channel());
            }
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (readTimer != null) {
            readTimer.cancel(false);
            readTimer = null;
        }
        frameDone();
        if (memory != null && gate != null) {
            memory.forget(gate); // a closed connection must not stay queued for memory
        }
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
        frameDone();
    }
}
