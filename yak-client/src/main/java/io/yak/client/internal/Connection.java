package io.yak.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.wire.ErrorCode;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.config.HostPort;
import io.yak.wire.log.LogText;
import io.yak.wire.message.Message;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's link to one server address: a Netty channel opened on first use and reopened on the next request
 * after it closed. Requests are pipelined and matched by correlation id (a counter per connection, never 0); at
 * most {@code maxInFlight} are outstanding, further callers wait for a slot (up to their timeout; on an event-loop
 * thread they fail instead of waiting). Each request has a deadline after which its future fails with
 * {@link ErrorCode#REQUEST_TIMED_OUT}; a closed channel fails all of them with a {@link YakConnectionException}.
 *
 * <p>Thread-safe. Futures complete on the event loop: callers chain only quick, non-blocking work onto them.
 */
public final class Connection {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private static final ConnectionListener NO_LISTENER = new ConnectionListener() {
    };

    private final NetworkClient client;
    private final HostPort address;
    /**
     * {@link #address} as log lines and exception messages show it: a broker's host comes from the cluster view,
     * which any process that registers as a broker fills (issue 19), so it is escaped.
     */
    private final String shownAddress;
    private final Semaphore permits;
    private final int maxInFlight;
    private final AtomicInteger correlationIds = new AtomicInteger();
    private volatile ConnectionListener listener = NO_LISTENER;
    /** The current (or last) connect attempt; guarded by {@code this}. */
    private InFlight.Link link;

    Connection(NetworkClient client, HostPort address, int maxInFlight) {
        this.client = client;
        this.address = address;
        this.shownAddress = LogText.safe(address.toString());
        this.maxInFlight = maxInFlight;
        this.permits = new Semaphore(maxInFlight);
    }

    public HostPort address() {
        return address;
    }

    /** The address escaped for log lines and exception messages ({@link LogText}). */
    public String shownAddress() {
        return shownAddress;
    }

    /** Installs the listener for handshakes, pushes and disconnects; set it before the first request. */
    public void listener(ConnectionListener l) {
        this.listener = l == null ? NO_LISTENER : l;
    }

    ConnectionListener listener() {
        return listener;
    }

    /** Whether a channel is open right now. */
    public boolean connected() {
        InFlight.Link l;
        synchronized (this) {
            l = link;
        }
        return l != null && l.connectFuture().isSuccess() && l.connectFuture().channel().isActive();
    }

    /** Sends with the client's request timeout. See {@link #send(Message, long)}. */
    public CompletableFuture<Message> send(Message request) {
        return send(request, client.requestTimeoutMs());
    }

    /**
     * Sends a request and returns the future of its response. Takes ownership of the request's payload. The
     * response future owns the response's payload (whoever gets it releases it). Blocks while
     * {@code maxInFlight} requests are outstanding.
     */
    public CompletableFuture<Message> send(Message request, long timeoutMs) {
        CompletableFuture<Message> future = new CompletableFuture<>();
        if (!acquire(request, timeoutMs, future)) {
            return future;
        }
        InFlight p = new InFlight(this, nextCorrelationId(), request,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), true, true, future);
        dispatch(p);
        return future;
    }

    /**
     * Sends a request that gets no answer (PUBLISH with acks=0). The future completes with null once the frame
     * was written to the socket. Takes ownership of the request's payload.
     */
    public CompletableFuture<Message> sendOneWay(Message request) {
        CompletableFuture<Message> future = new CompletableFuture<>();
        long timeoutMs = client.requestTimeoutMs();
        if (!acquire(request, timeoutMs, future)) {
            return future;
        }
        InFlight p = new InFlight(this, nextCorrelationId(), request,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs), false, true, future);
        dispatch(p);
        return future;
    }

    private boolean acquire(Message request, long timeoutMs, CompletableFuture<Message> future) {
        if (client.isClosed()) {
            request.release();
            future.completeExceptionally(closedFailure());
            return false;
        }
        boolean ok;
        if (client.inEventLoop()) {
            ok = permits.tryAcquire();
        } else {
            try {
                ok = permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                request.release();
                future.completeExceptionally(new YakException(ErrorCode.REQUEST_TIMED_OUT,
                    "interrupted while waiting to send to " + shownAddress, e));
                return false;
            }
        }
        if (!ok) {
            request.release();
            future.completeExceptionally(new YakException(ErrorCode.REQUEST_TIMED_OUT,
                maxInFlight + " requests in flight to " + shownAddress + " for " + timeoutMs + " ms"));
        }
        return ok;
    }

    void releasePermit() {
        permits.release();
    }

    private int nextCorrelationId() {
        int id = correlationIds.incrementAndGet();
        while (id == 0) {
            id = correlationIds.incrementAndGet();
        }
        return id;
    }

    private void dispatch(InFlight p) {
        InFlight.Link l;
        try {
            l = currentLink();
        } catch (YakConnectionException e) {
            p.abort(e);
            return;
        }
        ChannelFuture cf = l.connectFuture();
        if (cf.isDone()) {
            p.connected(l);
        } else {
            cf.addListener(f -> p.connected(l));
        }
    }

    /** The live or connecting link; opens a new channel when there is none. */
    private synchronized InFlight.Link currentLink() {
        InFlight.Link l = link;
        if (l != null) {
            ChannelFuture cf = l.connectFuture();
            if (!cf.isDone() || (cf.isSuccess() && cf.channel().isActive())) {
                return l;
            }
        }
        link = connect();
        return link;
    }

    private InFlight.Link connect() {
        ResponseHandler handler = new ResponseHandler(this);
        Bootstrap b = client.bootstrap().clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FrameDecoder(NetworkClient.MAX_RESPONSE_FRAME_BYTES),
                    FrameEncoder.INSTANCE, handler);
            }
        });
        // Resolved here, on the caller's thread: the event loop never does DNS.
        InetSocketAddress remote = new InetSocketAddress(address.host(), address.port());
        if (remote.isUnresolved()) {
            throw connectFailure(new java.net.UnknownHostException(address.host()));
        }
        LOG.debug("connecting to {}", shownAddress);
        ChannelFuture cf = b.connect(remote);
        InFlight.Link l = new InFlight.Link(cf, handler);
        // Added first, so the handshake is written before any request waiting for this channel.
        cf.addListener(f -> {
            if (f.isSuccess()) {
                handshake(l);
            } else {
                LOG.debug("cannot connect to {}: {}", shownAddress, LogText.safe(f.cause().toString()));
            }
        });
        return l;
    }

    /** Runs on the event loop right after connecting. */
    private void handshake(InFlight.Link l) {
        ConnectionListener lsn = listener;
        Message request = lsn.handshake();
        if (request == null) {
            return;
        }
        CompletableFuture<Message> f = new CompletableFuture<>();
        InFlight p = new InFlight(this, nextCorrelationId(), request,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(client.requestTimeoutMs()), true, false, f);
        f.whenComplete((response, error) -> {
            try {
                lsn.handshakeDone(response, error);
            } finally {
                if (response != null) {
                    response.release();
                }
            }
        });
        p.connected(l);
    }

    /** Closes the current channel, failing its in-flight requests. */
    void close() {
        InFlight.Link l;
        synchronized (this) {
            l = link;
        }
        if (l != null) {
            l.connectFuture().channel().close();
        }
    }

    YakConnectionException connectFailure(Throwable cause) {
        String reason = describe(cause);
        return new YakConnectionException(address.toString(), reason, "cannot reach " + shownAddress + ": " + reason,
            cause);
    }

    YakConnectionException lostFailure(Throwable cause) {
        return new YakConnectionException(address.toString(), "connection lost",
            "connection to " + shownAddress + " lost", cause);
    }

    YakException closedFailure() {
        return new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, "client " + LogText.safe(client.name()) + " is closed");
    }

    /** A short, human cause: "connection refused", "connect timed out". */
    static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        String m = cause == null ? null : cause.getMessage();
        if (m != null && m.toLowerCase(java.util.Locale.ROOT).contains("connection refused")) {
            return "connection refused";
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "unknown host " + m;
        }
        if (cause instanceof ConnectException) {
            return m == null ? cause.getClass().getSimpleName() : m;
        }
        return cause == null ? "unknown error" : cause.toString();
    }
}
