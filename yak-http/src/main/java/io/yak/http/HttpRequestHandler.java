package io.yak.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.yak.wire.log.LogText;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection's requests one at a time, in order: reading pauses while an answer is being made and
 * written, and at most {@link #MAX_PIPELINED} requests that arrived together wait, so a client that sends without
 * reading holds one answer's memory, not thousands. Bad requests are answered with their status (400, 403, 405, 413,
 * 414, 431) and counted and logged through the server's {@link RejectionLog}; a malformed one also closes the
 * connection. A route's failure is a 500 with a WARN, never a closed server.
 *
 * <p>Event loop only.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);
    /** Requests decoded from one read that wait for the one being served. */
    static final int MAX_PIPELINED = 8;

    private final HttpRoutes routes;
    private final RejectionLog rejections;
    /** Host header names accepted (lower case, without port); null: any. */
    private final Set<String> allowedHosts;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean busy;

    /**
     * @param allowedHosts the host names a request's {@code Host} header may carry (a port aside), or null for any:
     *                     a server on the loopback address accepts only names of it, so a web page that rebinds its
     *                     own name to 127.0.0.1 cannot read the console through a visitor's browser
     */
    HttpRequestHandler(HttpRoutes routes, RejectionLog rejections, Set<String> allowedHosts) {
        this.routes = routes;
        this.rejections = rejections;
        this.allowedHosts = allowedHosts;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (busy) {
            if (waiting.size() >= MAX_PIPELINED) {
                rejections.reject(ctx.channel().remoteAddress(), RejectReason.INVALID_REQUEST, "HTTP: more than "
                    + MAX_PIPELINED + " requests pipelined; connection closed");
                ctx.close();
                return;
            }
            waiting.add(request.retain());
            return;
        }
        serve(ctx, request);
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
        busy = true;
        ctx.channel().config().setAutoRead(false);
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            Throwable cause = decoded.cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
            rejections.reject(ctx.channel().remoteAddress(), cause instanceof TooLongFrameException
                ? RejectReason.FRAME_TOO_LARGE : RejectReason.MALFORMED_FRAME, "HTTP request: "
                + LogText.safe(String.valueOf(cause)));
            send(ctx, false, HttpAnswer.text(status.code(), status.reasonPhrase()), false, true);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        boolean head = HttpMethod.HEAD.equals(method);
        if (!HttpMethod.GET.equals(method) && !head) {
            rejections.reject(ctx.channel().remoteAddress(), RejectReason.INVALID_REQUEST, "HTTP method "
                + LogText.safe(method.name()) + " (GET and HEAD only)");
            send(ctx, keepAlive, HttpAnswer.text(405, "only GET and HEAD are served"), false, false);
            return;
        }
        String host = hostName(request.headers().get(HttpHeaderNames.HOST));
        if (allowedHosts != null && !allowedHosts.contains(host)) {
            rejections.reject(ctx.channel().remoteAddress(), RejectReason.INVALID_REQUEST, "HTTP request for host "
                + LogText.safe(host) + " refused (this port serves " + allowedHosts + ")");
            send(ctx, false, HttpAnswer.text(403, "unknown host name: this server answers " + allowedHosts), head,
                true);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpRoute route = routes.find(path);
        if (route == null) {
            LOG.debug("HTTP {} from {}: no such path", LogText.safe(path), ctx.channel().remoteAddress());
            send(ctx, keepAlive, HttpAnswer.text(404, "no such path: " + path), head, false);
            return;
        }
        CompletableFuture<HttpAnswer> answer;
        try {
            answer = route.answer(new HttpQuery(path, uri.parameters()));
        } catch (Exception | Error e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((a, e) -> {
            if (e != null) {
                LOG.warn("HTTP {}: failed", LogText.safe(path), e);
                a = HttpAnswer.text(500, "internal error (the server's log has the details)");
            }
            HttpAnswer done = a;
            if (ctx.executor().inEventLoop()) {
                send(ctx, keepAlive, done, head, false);
            } else {
                ctx.executor().execute(() -> send(ctx, keepAlive, done, head, false));
            }
        });
    }

    /** The host name of a {@code Host} header, lower case and without its port; empty when absent. */
    static String hostName(String header) {
        if (header == null) {
            return "";
        }
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private void send(ChannelHandlerContext ctx, boolean keepAlive, HttpAnswer a, boolean headOnly, boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(a.status()), headOnly ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(a.body()));
        response.headers()
            .set(HttpHeaderNames.CONTENT_TYPE, a.contentType())
            .set(HttpHeaderNames.CONTENT_LENGTH, a.body().length)
            .set(HttpHeaderNames.CACHE_CONTROL, a.cacheSeconds() > 0 ? "max-age=" + a.cacheSeconds() : "no-store")
            .set("X-Content-Type-Options", "nosniff");
        if (a.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        if (close || !keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        HttpUtil.setKeepAlive(response, true);
        ctx.writeAndFlush(response).addListener(f -> {
            if (f.isSuccess()) {
                next(ctx);
            } else {
                ctx.close();
            }
        });
    }

    /** The answer is written: the next waiting request, or reading again. */
    private void next(ChannelHandlerContext ctx) {
        busy = false;
        FullHttpRequest request = waiting.poll();
        if (request != null) {
            try {
                serve(ctx, request);
            } finally {
                request.release();
            }
            return;
        }
        ctx.channel().config().setAutoRead(true);
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        FullHttpRequest r;
        while ((r = waiting.poll()) != null) {
            r.release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close(); // neither reading nor writing for a minute, a stuck answer included
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
