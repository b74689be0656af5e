package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.BrokerShutdownRequest;
import io.yak.wire.message.BrokerShutdownResponse;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The link's clean-shutdown announcement against a scripted coordinator on loopback: the test answers each request
 * by hand, so the order of registration, announcement and heartbeats is under its control.
 */
class CoordinatorLinkShutdownTest {
    /** What the link sent, with the correlation id to answer. */
    private record Received(int correlationId, Message message) {
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private volatile Channel peer;
    private EventLoopGroup group;
    private Channel server;
    private CoordinatorLink link;

    @BeforeEach
    void startScriptedCoordinator() throws InterruptedException {
        group = new NioEventLoopGroup(1);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES),
                        FrameEncoder.INSTANCE, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                Frame f = (Frame) msg;
                                try {
                                    peer = ctx.channel();
                                    received.add(new Received(f.correlationId(), f.message()));
                                } finally {
                                    f.release();
                                }
                            }
                        });
                }
            }).bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        link = new CoordinatorLink(4, new HostPort("127.0.0.1", port), 20, FrameLayout.DEFAULT_MAX_FRAME_BYTES,
            md -> { }, List::of);
        link.start("127.0.0.1", 9999);
    }

    @AfterEach
    void stop() throws InterruptedException {
        link.close();
        server.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(5, TimeUnit.SECONDS);
        assertThat(r).as("a request from the link").isNotNull();
        return r;
    }

    private void answer(Received request, Message response) {
        peer.writeAndFlush(Frame.of(request.correlationId(), response));
    }

    @Test
    void shouldAnnounceAfterARegistrationThatWasStillUnansweredAndNeverHeartbeat() throws Exception {
        Received registration = next();
        assertThat(registration.message()).isInstanceOf(RegisterBrokerRequest.class);

        // stopped while the coordinator has not answered the registration yet
        CompletableFuture<ErrorCode> announced = CompletableFuture.supplyAsync(() -> link.announceShutdown(5000));
        await().atMost(Duration.ofSeconds(5)).until(link::shutdownAwaitsRegistration);
        answer(registration, new RegisterBrokerResponse(ErrorCode.NONE, 1, ClusterMetadata.EMPTY));

        Received shutdown = next();
        assertThat(shutdown.message()).as("after its registration was accepted, a stopping broker announces; it "
            + "never heartbeats").isEqualTo(new BrokerShutdownRequest(4));
        answer(shutdown, new BrokerShutdownResponse(ErrorCode.NONE, 7));
        assertThat(announced.get(5, TimeUnit.SECONDS)).isEqualTo(ErrorCode.NONE);
        assertThat(received.poll(200, TimeUnit.MILLISECONDS)).as("nothing after the announcement").isNull();
    }

    @Test
    void shouldStopHeartbeatingAndNotRegisterAgainWhenTheCoordinatorNoLongerKnowsTheBroker() throws Exception {
        Received registration = next();
        answer(registration, new RegisterBrokerResponse(ErrorCode.NONE, 1, ClusterMetadata.EMPTY));
        Received first = next();
        assertThat(first.message().getClass().getSimpleName()).isEqualTo("HeartbeatRequest");

        CompletableFuture<ErrorCode> announced = CompletableFuture.supplyAsync(() -> link.announceShutdown(5000));
        Received shutdown;
        do { // heartbeats sent before the announcement reached the link's thread
            shutdown = next();
        } while (!(shutdown.message() instanceof BrokerShutdownRequest));
        answer(shutdown, new BrokerShutdownResponse(ErrorCode.UNKNOWN_BROKER, 7));

        assertThat(announced.get(5, TimeUnit.SECONDS)).isEqualTo(ErrorCode.UNKNOWN_BROKER);
        assertThat(received.poll(200, TimeUnit.MILLISECONDS)).as("no heartbeat or registration after it").isNull();
    }
}
