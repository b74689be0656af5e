package io.yak.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.timeout.IdleStateHandler;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.config.IoReasons;
import io.yak.wire.log.RejectReason;
import io.yak.wire.log.RejectionLog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's HTTP port ({@code http.listen}): GET routes ({@link HttpRoutes}) answered on an event loop of its own,
 * so a slow scrape or a browser never holds up the wire protocol's loops. Requests are small by design: a request
 * line, headers and body above {@link #MAX_REQUEST_BYTES} are refused, as are methods other than GET and HEAD.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** Largest request line, header block and body accepted. */
    public static final int MAX_REQUEST_BYTES = 16 * 1024;
    /** Connections idle this long are closed (browsers keep them open). */
    static final int IDLE_SECONDS = 60;

    private final String name;
    private final EventLoopGroup group;
    private final Channel channel;
    private final RejectionLog rejections;

    private HttpServer(String name, EventLoopGroup group, Channel channel, RejectionLog rejections) {
        this.name = name;
        this.group = group;
        this.channel = channel;
        this.rejections = rejections;
    }

    /**
     * Binds {@code listen} and serves {@code routes}.
     *
     * @param name who serves, for log lines ({@code "broker 1"}, {@code "coordinator"})
     * @throws IOException {@code cannot listen on HOST:PORT (http.listen): REASON}
     */
    public static HttpServer start(String name, HostPort listen, HttpRoutes routes)
        throws IOException, InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "yak-http");
        RejectionLog rejections = new RejectionLog("http " + name);
        Set<String> allowedHosts = loopbackNames(listen.host());
        ServerBootstrap b = new ServerBootstrap().group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(4096, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                        .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES) {
                            @Override
                            protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized)
                                throws Exception {
                                rejections.reject(ctx.channel().remoteAddress(), RejectReason.FRAME_TOO_LARGE,
                                    "HTTP request body above " + MAX_REQUEST_BYTES + " bytes");
                                super.handleOversizedMessage(ctx, oversized); // answers 413
                            }
                        })
                        .addLast(new HttpRequestHandler(routes, rejections, allowedHosts));
                }
            });
        ChannelFuture bound = b.bind(listen.host(), listen.port()).await();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen on " + listen + " (http.listen): "
                + IoReasons.reason(bound.cause()), bound.cause());
        }
        group.next().scheduleAtFixedRate(rejections::flush, rejections.intervalMs(), rejections.intervalMs(),
            TimeUnit.MILLISECONDS);
        HttpServer server = new HttpServer(name, group, bound.channel(), rejections);
        LOG.info("{}: HTTP on http://{}:{} ({})", name, listen.host(), server.address().getPort(), routes.describe());
        return server;
    }

    /**
     * The names a request may use for a server listening on {@code host}: the loopback names when it listens on the
     * loopback address (see {@link HttpRequestHandler}), else null (any: the server is reached by names of its own).
     */
    static Set<String> loopbackNames(String host) {
        try {
            if (!InetAddress.getByName(host).isLoopbackAddress()) {
                return null;
            }
        } catch (UnknownHostException e) {
            return null; // the bind fails and says why
        }
        return Set.copyOf(java.util.List.of("localhost", "127.0.0.1", "[::1]", host.toLowerCase(Locale.ROOT)));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Bad requests seen, by reason. */
    public RejectionLog rejections() {
        return rejections;
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        LOG.debug("{}: HTTP closed", name);
    }
}
