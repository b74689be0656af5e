package io.yak.wire.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.NetUtil;
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
 * The link to one server address: a Netty channel opened on first use and reopened on the next request after it
 * closed. Requests are pipelined and matched by correlation id (a counter per connection, never 0, so pushes with
 * correlation id 0 are told apart). At most {@code maxInFlight} are outstanding; further callers wait for a slot up
 * to their timeout, or, on one of the client's event loops, fail at once instead of waiting. Each request has a
 * deadline after which its future fails with {@link ErrorCode#REQUEST_TIMED_OUT} (checked every 20 ms on the
 * channel's event loop); a channel that closes or cannot be opened fails all of them with
 * the client's {@link RequestFailures#connectionFailed connection failure}; an {@code ERROR_RESPONSE} fails the
 * request it names with its code.
 *
 * <p>Buffers: {@code send} takes ownership of the request's payload (released whatever becomes of the send); a
 * response future that completes owns the response's payload: whoever gets the message releases it
 * ({@link Message#release()}), also when it only looks at the error code.
 *
 * <p>Thread-safe. Futures complete on the connection's event loop: callers chain only quick, non-blocking work
 * onto them (or hand over with {@code *Async}), and never call a blocking {@code send} from such a callback.
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

    /** Installs the listener for handshakes, pushes and disconnects (null: none); set it before the first request. */
    public void listener(ConnectionListener l) {
        this.listener = l == null ? NO_LISTENER : l;
    }

    ConnectionListener listener() {
        return listener;
    }

    RequestFailures failures() {
        return client.failures();
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
     * Sends a request (connecting first when needed) and returns the future of its response, which fails after
     * {@code timeoutMs}. Takes ownership of the request's payload; the completed future owns the response's.
     * Waits up to {@code timeoutMs} while {@code maxInFlight} requests are outstanding, except on an event loop of
     * the client, where it fails at once with {@code REQUEST_TIMED_OUT} instead. Never throws: every failure is
     * reported through the future.
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
                future.completeExceptionally(failures().requestFailed(ErrorCode.REQUEST_TIMED_OUT,
                    "interrupted while waiting to send to " + shownAddress, e));
                return false;
            }
        }
        if (!ok) {
            request.release();
            future.completeExceptionally(failures().requestFailed(ErrorCode.REQUEST_TIMED_OUT,
                maxInFlight + " requests in flight to " + shownAddress + " for " + timeoutMs + " ms", null));
        }
        return ok;
    }

    void releasePermit() {
        permits.release();
    }

    private int nextCorrelationId() {
        int id = correlationIds.incrementAndGet();
        while (id <= 0) { // positive ids only (WIRE.md): 0 is a push, and the counter may wrap
            correlationIds.compareAndSet(id, 0);
            id = correlationIds.incrementAndGet();
        }
        return id;
    }

    private void dispatch(InFlight p) {
        InFlight.Link l;
        try {
            l = currentLink();
        } catch (RuntimeException e) {
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
        int maxFrameBytes = client.maxResponseFrameBytes();
        Bootstrap b = client.bootstrap().clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new FrameDecoder(maxFrameBytes), FrameEncoder.INSTANCE, handler);
            }
        });
        LOG.debug("connecting to {}", shownAddress);
        ChannelFuture cf = b.connect(remoteAddress());
        InFlight.Link l = new InFlight.Link(cf, handler);
        // Added first, so the handshake is written before any request waiting for this channel.
        cf.addListener(f -> {
            if (f.isSuccess()) {
                handshake(l);
            } else {
                LOG.debug("cannot connect to {}: {}", shownAddress, LogText.safe(String.valueOf(f.cause())));
            }
        });
        return l;
    }

    /**
     * The address to connect to. A user thread resolves a name itself (as it always did; failing at once for an
     * unknown host); an event loop must not block on DNS, so it hands the name to the bootstrap's resolver, which
     * looks it up on another thread. IP literals need no lookup.
     */
    private InetSocketAddress remoteAddress() {
        if (client.inEventLoop() && !NetUtil.isValidIpV4Address(address.host())
                && !NetUtil.isValidIpV6Address(address.host())) {
            return InetSocketAddress.createUnresolved(address.host(), address.port());
        }
        InetSocketAddress remote = new InetSocketAddress(address.host(), address.port());
        if (remote.isUnresolved()) {
            throw connectFailure(new java.net.UnknownHostException(address.host()));
        }
        return remote;
    }

    /** Runs on the event loop right after connecting. */
    private void handshake(InFlight.Link l) {
        ConnectionListener lsn = listener;
        Message request;
        try {
            request = lsn.handshake();
        } catch (RuntimeException e) {
            LOG.error("{}: handshake listener failed; closing the connection", shownAddress, e);
            l.connectFuture().channel().close();
            return;
        }
        if (request == null) {
            return;
        }
        CompletableFuture<Message> f = new CompletableFuture<>();
        InFlight p = new InFlight(this, nextCorrelationId(), request,
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(client.requestTimeoutMs()), true, false, f);
        f.whenComplete((response, error) -> {
            try {
                lsn.handshakeDone(response, error);
            } catch (RuntimeException e) {
                LOG.error("{}: handshake listener failed on the answer", shownAddress, e);
            } finally {
                if (response != null) {
                    response.release();
                }
            }
        });
        p.connected(l);
    }

    /** Closes the current channel, failing its in-flight requests; the next request reconnects. */
    public void close() {
        InFlight.Link l;
        synchronized (this) {
            l = link;
        }
        if (l != null) {
            l.connectFuture().channel().close();
        }
    }

    RuntimeException connectFailure(Throwable cause) {
        String reason = describe(cause);
        return failures().connectionFailed(address.toString(), reason,
            "cannot reach " + shownAddress + ": " + LogText.safe(reason), cause);
    }

    RuntimeException lostFailure(Throwable cause) {
        return failures().connectionFailed(address.toString(), "connection lost",
            "connection to " + shownAddress + " lost", cause);
    }

    RuntimeException closedFailure() {
        return failures().requestFailed(ErrorCode.UNKNOWN_SERVER_ERROR,
            "client " + LogText.safe(client.name()) + " is closed", null);
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
