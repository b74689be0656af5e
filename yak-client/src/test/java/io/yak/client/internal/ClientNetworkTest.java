package io.yak.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.client.fake.FakeServer;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.Message;
import io.yak.wire.net.Connection;
import io.yak.wire.net.NetworkClient;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client library's view of yak-wire's request machinery ({@link ClientNetwork}): every failure a user can see
 * is a {@link YakException} or a {@link YakConnectionException}, as before the machinery moved to yak-wire. The
 * machinery itself (matching, pushes, handshakes, in-flight bound, escaping, reconnecting) is tested in yak-wire's
 * {@code io.yak.wire.net.NetworkClientTest}.
 */
@Timeout(30)
class ClientNetworkTest {
    /** A request as the scripted server received it. */
    record Received(ChannelHandlerContext ctx, int correlationId, Message message) {
        void answer(Message m) {
            ctx.writeAndFlush(Frame.of(correlationId, m));
        }
    }

    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final FakeServer server = new FakeServer("scripted", () -> new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame f = (Frame) msg;
            received.add(new Received(ctx, f.correlationId(), f.message()));
        }
    });
    private final List<NetworkClient> clients = new ArrayList<>();

    @AfterEach
    void close() {
        clients.forEach(NetworkClient::close);
        server.close();
    }

    private NetworkClient client(long requestTimeoutMs) {
        NetworkClient c = ClientNetwork.create("test", requestTimeoutMs, 2000, NetworkClient.DEFAULT_MAX_IN_FLIGHT);
        clients.add(c);
        return c;
    }

    private HostPort address() {
        return new HostPort("127.0.0.1", server.port());
    }

    private Received next() throws InterruptedException {
        Received r = received.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("request reached the server").isNotNull();
        return r;
    }

    @Test
    void shouldFailTheMatchingRequestOnErrorResponse() throws Exception {
        Connection c = client(10_000).connection(address());
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        next().answer(new ErrorResponse(ErrorCode.UNSUPPORTED_VERSION, "no such version"));
        assertThat(failure(f)).isInstanceOfSatisfying(YakException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION))
            .hasMessageContaining("no such version");
    }

    @Test
    void shouldTimeOutUnansweredRequests() throws Exception {
        Connection c = client(200).connection(address());
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        next();
        assertThat(failure(f)).isInstanceOfSatisfying(YakException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
            assertThat(e.retriable()).isTrue();
        });
    }

    @Test
    void shouldFailInFlightRequestsWhenTheServerCloses() throws Exception {
        Connection c = client(10_000).connection(address());
        CompletableFuture<Message> f1 = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        CompletableFuture<Message> f2 = c.send(new CommitOffsetRequest("g", "t", 0, 2));
        next();
        Received r2 = next();
        r2.ctx().close();
        assertThat(failure(f1)).isInstanceOf(YakConnectionException.class);
        assertThat(failure(f2)).isInstanceOfSatisfying(YakConnectionException.class,
            e -> assertThat(e.retriable()).isTrue());
    }

    @Test
    void shouldReportConnectionRefused() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Connection c = client(10_000).connection(new HostPort("127.0.0.1", closedPort));
        assertThat(failure(c.send(new CommitOffsetRequest("g", "t", 0, 1))))
            .isInstanceOfSatisfying(YakConnectionException.class, e -> {
                assertThat(e.reason()).isEqualTo("connection refused");
                assertThat(e.address()).isEqualTo("127.0.0.1:" + closedPort);
            });
    }

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("future did not complete", e);
        }
        throw new AssertionError("future succeeded: " + f.join());
    }
}
