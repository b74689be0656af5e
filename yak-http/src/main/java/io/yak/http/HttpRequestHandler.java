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
import io.netty.handler.timeout.IdleStateEvent;
import io.yak.wire.log.LogText;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one connection's requests. Bad requests are answered with their status (400, 405, 413) and counted and
 * logged through the server's {@link RejectionLog}; a malformed one also closes the connection. A route's failure
 * is a 500 with a WARN, never a closed server.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRequestHandler.class);

    private final HttpRoutes routes;
    private final RejectionLog rejections;

    HttpRequestHandler(HttpRoutes routes, RejectionLog rejections) {
        this.routes = routes;
        this.rejections = rejections;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            boolean tooLong = decoded.cause() instanceof TooLongFrameException;
            rejections.reject(ctx.channel().remoteAddress(), tooLong ? RejectReason.FRAME_TOO_LARGE
                : RejectReason.MALFORMED_FRAME, "HTTP request: " + LogText.safe(String.valueOf(decoded.cause())));
            HttpResponseStatus status = tooLong ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
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
                a = HttpAnswer.text(500, "internal error: " + e);
            }
            HttpAnswer done = a;
            if (ctx.executor().inEventLoop()) {
                send(ctx, keepAlive, done, head, false);
            } else {
                ctx.executor().execute(() -> send(ctx, keepAlive, done, head, false));
            }
        });
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpAnswer a, boolean headOnly,
                             boolean close) {
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
        } else {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
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
