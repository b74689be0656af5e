package io.yak.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.yak.client.YakConnectionException;
import io.yak.client.YakException;
import io.yak.client.fake.FakeServer;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.Message;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.net.Connection;
import io.yak.wire.net.ConnectionListener;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.testing.CapturedLogs;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
/**
 * The client library's view of yak-wire's request machinery ({@link ClientNetwork}): every failure a user can see
 * is a {@link YakException} or a {@link YakConnectionException}, as before the machinery moved to yak-wire.
 */
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

    private NetworkClient client(long requestTimeoutMs, int maxInFlight) {
        NetworkClient c = ClientNetwork.create("test", requestTimeoutMs, 2000, maxInFlight);
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
    void shouldMatchResponsesByCorrelationIdInAnyOrder() throws Exception {
        Connection c = client(10_000, 64).connection(address());
        List<CompletableFuture<Message>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(c.send(new FetchOffsetRequest("g", "t", i)));
        }
        List<Received> rs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            rs.add(next());
        }
        for (int i = 4; i >= 0; i--) {
            Received r = rs.get(i);
            r.answer(new FetchOffsetResponse(ErrorCode.NONE, 100 + ((FetchOffsetRequest) r.message()).partition()));
        }
        for (int i = 0; i < 5; i++) {
            assertThat(((FetchOffsetResponse) futures.get(i).get(5, TimeUnit.SECONDS)).offset()).isEqualTo(100 + i);
        }
        assertThat(rs).extracting(Received::correlationId).doesNotContain(0).doesNotHaveDuplicates();
    }

    @Test
    void shouldFailTheMatchingRequestOnErrorResponse() throws Exception {
        Connection c = client(10_000, 64).connection(address());
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        next().answer(new ErrorResponse(ErrorCode.UNSUPPORTED_VERSION, "no such version"));
        assertThat(failure(f)).isInstanceOfSatisfying(YakException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION))
            .hasMessageContaining("no such version");
    }

    /** Issue 19: a server's text may quote what a peer sent; it reaches no log line or exception unescaped. */
    @Test
    void shouldEscapeWhatAServerSaysInExceptionsAndLogLines() throws Exception {
        String forged = "bad\n2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE";
        try (CapturedLogs logs = new CapturedLogs("io.yak.wire.net.ResponseHandler")) {
            Connection c = client(10_000, 64).connection(address());
            CompletableFuture<Message> f = c.send(new FetchOffsetRequest("g", "t", 0));
            Received r = next();
            r.answer(new ErrorResponse(ErrorCode.INVALID_REQUEST, forged));
            assertThat(failure(f)).isInstanceOf(YakException.class).message()
                .doesNotContain("\n").contains("bad\\n2026-12-07");
            r.ctx().writeAndFlush(Frame.of(0, new ErrorResponse(ErrorCode.INVALID_REQUEST, forged)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.at(Level.WARN).isEmpty());
            assertThat(logs.at(Level.WARN)).singleElement().satisfies(line -> assertThat(line)
                .doesNotContain("\n").contains("without a correlation id", "bad\\n2026-12-07"));
        }
    }

    @Test
    void shouldTimeOutUnansweredRequests() throws Exception {
        Connection c = client(200, 64).connection(address());
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        Received r = next();
        assertThat(failure(f)).isInstanceOfSatisfying(YakException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT);
            assertThat(e.retriable()).isTrue();
        });
        // a late answer is dropped quietly and the connection keeps working
        r.answer(new CommitOffsetResponse(ErrorCode.NONE));
        CompletableFuture<Message> g = c.send(new CommitOffsetRequest("g", "t", 0, 2));
        next().answer(new CommitOffsetResponse(ErrorCode.NONE));
        assertThat(g.get(5, TimeUnit.SECONDS)).isEqualTo(new CommitOffsetResponse(ErrorCode.NONE));
    }

    @Test
    void shouldFailInFlightRequestsWhenTheServerClosesAndReconnectAfterwards() throws Exception {
        Connection c = client(10_000, 64).connection(address());
        CompletableFuture<Message> f1 = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        CompletableFuture<Message> f2 = c.send(new CommitOffsetRequest("g", "t", 0, 2));
        next();
        Received r2 = next();
        r2.ctx().close();
        assertThat(failure(f1)).isInstanceOf(YakConnectionException.class);
        assertThat(failure(f2)).isInstanceOfSatisfying(YakConnectionException.class,
            e -> assertThat(e.retriable()).isTrue());
        CompletableFuture<Message> f3 = c.send(new CommitOffsetRequest("g", "t", 0, 3));
        next().answer(new CommitOffsetResponse(ErrorCode.NONE));
        assertThat(f3.get(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void shouldReportConnectionRefused() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Connection c = client(10_000, 64).connection(new HostPort("127.0.0.1", closedPort));
        assertThat(failure(c.send(new CommitOffsetRequest("g", "t", 0, 1))))
            .isInstanceOfSatisfying(YakConnectionException.class, e -> {
                assertThat(e.reason()).isEqualTo("connection refused");
                assertThat(e.address()).isEqualTo("127.0.0.1:" + closedPort);
            });
    }

    @Test
    void shouldWriteTheHandshakeFirstAndDeliverPushes() throws Exception {
        Connection c = client(10_000, 64).connection(address());
        List<Message> pushes = new CopyOnWriteArrayList<>();
        List<Message> handshakes = new CopyOnWriteArrayList<>();
        c.listener(new ConnectionListener() {
            @Override
            public Message handshake() {
                return new RegisterProducerRequest("me");
            }

            @Override
            public void handshakeDone(Message response, Throwable error) {
                handshakes.add(response);
            }

            @Override
            public void push(Message message) {
                pushes.add(message);
            }
        });
        CompletableFuture<Message> f = c.send(new FetchOffsetRequest("g", "t", 0));
        Received hs = next();
        assertThat(hs.message()).isEqualTo(new RegisterProducerRequest("me"));
        Received req = next();
        assertThat(req.message()).isInstanceOf(FetchOffsetRequest.class);
        ClusterMetadata md = new ClusterMetadata(3, List.of(), List.of());
        hs.answer(new RegisterProducerResponse(ErrorCode.NONE, 1, md));
        req.answer(new FetchOffsetResponse(ErrorCode.NONE, -1));
        hs.ctx().writeAndFlush(Frame.of(0, new LeaderInfo(md)));
        assertThat(f.get(5, TimeUnit.SECONDS)).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.size() == 1 && handshakes.size() == 1);
        assertThat(pushes.get(0)).isEqualTo(new LeaderInfo(md));
    }

    @Test
    void shouldMakeCallersWaitBeyondTheInFlightBound() throws Exception {
        Connection c = client(10_000, 2).connection(address());
        CompletableFuture<Message> f1 = c.send(new FetchOffsetRequest("g", "t", 1));
        CompletableFuture<Message> f2 = c.send(new FetchOffsetRequest("g", "t", 2));
        Received r1 = next();
        next();
        CompletableFuture<CompletableFuture<Message>> third = CompletableFuture.supplyAsync(
            () -> c.send(new FetchOffsetRequest("g", "t", 3)));
        assertThat(received.poll(300, TimeUnit.MILLISECONDS)).as("third request must wait for a slot").isNull();
        assertThat(third).isNotDone();
        r1.answer(new FetchOffsetResponse(ErrorCode.NONE, 1));
        assertThat(f1.get(5, TimeUnit.SECONDS)).isNotNull();
        Received r3 = next();
        assertThat(((FetchOffsetRequest) r3.message()).partition()).isEqualTo(3);
        r3.answer(new FetchOffsetResponse(ErrorCode.NONE, 3));
        assertThat(third.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(f2).isNotDone();
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
