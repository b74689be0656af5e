package io.yak.wire.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.netty.channel.EventLoopGroup;
import io.yak.wire.ErrorCode;
import io.yak.wire.codec.Transport;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.CommitOffsetResponse;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.FetchOffsetResponse;
import io.yak.wire.message.Frame;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.Message;
import io.yak.wire.message.RegisterProducerRequest;
import io.yak.wire.message.RegisterProducerResponse;
import io.yak.wire.net.ScriptedServer.Received;
import io.yak.wire.testing.CapturedLogs;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class NetworkClientTest {
    private final ScriptedServer server = new ScriptedServer();
    private final List<NetworkClient> clients = new ArrayList<>();

    @AfterEach
    void close() {
        clients.forEach(NetworkClient::close);
        server.close();
    }

    private NetworkClient client(long requestTimeoutMs, int maxInFlight) {
        return keep(NetworkClient.builder("test").requestTimeoutMs(requestTimeoutMs).connectTimeoutMs(2000)
            .maxInFlight(maxInFlight).build());
    }

    private NetworkClient keep(NetworkClient c) {
        clients.add(c);
        return c;
    }

    private Received next() throws InterruptedException {
        Received r = server.next();
        assertThat(r).as("request reached the server").isNotNull();
        return r;
    }

    @Test
    void shouldMatchResponsesByCorrelationIdInAnyOrder() throws Exception {
        Connection c = client(10_000, 64).connection(server.address());
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
        assertThat(rs).extracting(Received::correlationId).allMatch(id -> id > 0).doesNotHaveDuplicates();
    }

    @Test
    void shouldFailTheMatchingRequestOnErrorResponse() throws Exception {
        Connection c = client(10_000, 64).connection(server.address());
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        next().answer(new ErrorResponse(ErrorCode.UNSUPPORTED_VERSION, "no such version"));
        assertThat(failure(f)).isInstanceOfSatisfying(RequestFailedException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(e.retriable()).isFalse();
        }).hasMessageContaining("no such version");
    }

    /** Issue 19: a server's text may quote what a peer sent; it reaches no log line or exception unescaped. */
    @Test
    void shouldEscapeWhatAServerSaysInExceptionsAndLogLines() throws Exception {
        String forged = "bad\n2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE";
        try (CapturedLogs logs = new CapturedLogs(ResponseHandler.class)) {
            Connection c = client(10_000, 64).connection(server.address());
            CompletableFuture<Message> f = c.send(new FetchOffsetRequest("g", "t", 0));
            Received r = next();
            r.answer(new ErrorResponse(ErrorCode.INVALID_REQUEST, forged));
            assertThat(failure(f)).isInstanceOf(RequestFailedException.class).message()
                .doesNotContain("\n").contains("bad\\n2026-12-07");
            r.ctx().writeAndFlush(Frame.of(0, new ErrorResponse(ErrorCode.INVALID_REQUEST, forged)));
            await().atMost(Duration.ofSeconds(5)).until(() -> !logs.at(Level.WARN).isEmpty());
            assertThat(logs.at(Level.WARN)).singleElement().satisfies(line -> assertThat(line)
                .doesNotContain("\n").contains("without a correlation id", "bad\\n2026-12-07"));
        }
    }

    @Test
    void shouldTimeOutUnansweredRequests() throws Exception {
        Connection c = client(200, 64).connection(server.address());
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        Received r = next();
        assertThat(failure(f)).isInstanceOfSatisfying(RequestFailedException.class, e -> {
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
    void shouldHonourAPerRequestTimeout() throws Exception {
        Connection c = client(10_000, 64).connection(server.address());
        long start = System.nanoTime();
        CompletableFuture<Message> f = c.send(new CommitOffsetRequest("g", "t", 0, 1), 150);
        next();
        assertThat(failure(f)).isInstanceOfSatisfying(RequestFailedException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT));
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
    }

    @Test
    void shouldFailInFlightRequestsWhenTheServerClosesAndReconnectAfterwards() throws Exception {
        Connection c = client(10_000, 64).connection(server.address());
        List<Boolean> disconnects = new CopyOnWriteArrayList<>();
        c.listener(new ConnectionListener() {
            @Override
            public void disconnected() {
                disconnects.add(true);
            }
        });
        CompletableFuture<Message> f1 = c.send(new CommitOffsetRequest("g", "t", 0, 1));
        CompletableFuture<Message> f2 = c.send(new CommitOffsetRequest("g", "t", 0, 2));
        next();
        Received r2 = next();
        assertThat(c.connected()).isTrue();
        r2.ctx().close();
        assertThat(failure(f1)).isInstanceOf(ConnectionFailedException.class);
        assertThat(failure(f2)).isInstanceOfSatisfying(ConnectionFailedException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e.reason()).isEqualTo("connection lost");
            assertThat(e.address()).isEqualTo(server.address().toString());
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> disconnects.size() == 1);
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
            .isInstanceOfSatisfying(ConnectionFailedException.class, e -> {
                assertThat(e.reason()).isEqualTo("connection refused");
                assertThat(e.address()).isEqualTo("127.0.0.1:" + closedPort);
            });
    }

    @Test
    void shouldWriteTheHandshakeFirstAndDeliverPushes() throws Exception {
        Connection c = client(10_000, 64).connection(server.address());
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
        LeaderInfoDelta delta = new LeaderInfoDelta(3, 4, List.of(), List.of(7), List.of(), List.of());
        hs.ctx().writeAndFlush(Frame.of(0, delta));
        assertThat(f.get(5, TimeUnit.SECONDS)).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> pushes.size() == 2 && handshakes.size() == 1);
        assertThat(pushes).containsExactly(new LeaderInfo(md), delta);
    }

    @Test
    void shouldMakeCallersWaitBeyondTheInFlightBound() throws Exception {
        Connection c = client(10_000, 2).connection(server.address());
        CompletableFuture<Message> f1 = c.send(new FetchOffsetRequest("g", "t", 1));
        CompletableFuture<Message> f2 = c.send(new FetchOffsetRequest("g", "t", 2));
        Received r1 = next();
        next();
        CompletableFuture<CompletableFuture<Message>> third = CompletableFuture.supplyAsync(
            () -> c.send(new FetchOffsetRequest("g", "t", 3)));
        assertThat(server.poll(300)).as("third request must wait for a slot").isNull();
        assertThat(third).isNotDone();
        r1.answer(new FetchOffsetResponse(ErrorCode.NONE, 1));
        assertThat(f1.get(5, TimeUnit.SECONDS)).isNotNull();
        Received r3 = next();
        assertThat(((FetchOffsetRequest) r3.message()).partition()).isEqualTo(3);
        r3.answer(new FetchOffsetResponse(ErrorCode.NONE, 3));
        assertThat(third.get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(f2).isNotDone();
    }

    /** An event loop never waits for a slot: a send from a response callback fails at once when none is free. */
    @Test
    void shouldFailAtOnceInsteadOfBlockingAnEventLoopAtTheInFlightBound() throws Exception {
        NetworkClient net = client(10_000, 1);
        Connection full = net.connection(server.address());
        Connection other = net.connection(new HostPort("localhost", server.port()));
        CompletableFuture<Message> holding = full.send(new FetchOffsetRequest("g", "t", 1));
        Received r1 = next();
        CompletableFuture<Message> trigger = other.send(new FetchOffsetRequest("g", "t", 2));
        CompletableFuture<CompletableFuture<Message>> fromLoop = trigger.thenApply(m -> {
            m.release();
            return full.send(new FetchOffsetRequest("g", "t", 3));
        });
        next().answer(new FetchOffsetResponse(ErrorCode.NONE, 2));
        assertThat(failure(fromLoop.get(5, TimeUnit.SECONDS))).isInstanceOfSatisfying(RequestFailedException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REQUEST_TIMED_OUT)).hasMessageContaining("in flight");
        r1.answer(new FetchOffsetResponse(ErrorCode.NONE, 1));
        assertThat(holding.get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(server.poll(100)).as("the refused request was never sent").isNull();
    }

    /**
     * A broker shares its own event loops: requests sent from them (a follower's next fetch chained on the last
     * answer) work, names are resolved off the loop, and closing the client leaves the group running.
     */
    @Test
    void shouldRunOnAGivenEventLoopGroupAndLeaveItRunning() throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, "test-shared");
        try {
            NetworkClient net = keep(NetworkClient.builder("shared").eventLoopGroup(group, transport)
                .ioThreadName("never-used").build());
            Connection first = net.connection(server.address());
            Connection byName = net.connection(new HostPort("localhost", server.port()));
            CompletableFuture<Message> f1 = first.send(new FetchOffsetRequest("g", "t", 1));
            AtomicBoolean onLoop = new AtomicBoolean();
            CompletableFuture<Message> chained = f1.thenCompose(m -> {
                m.release();
                onLoop.set(net.inEventLoop());
                return byName.send(new FetchOffsetRequest("g", "t", 2));
            });
            next().answer(new FetchOffsetResponse(ErrorCode.NONE, 1));
            Received r2 = next();
            assertThat(((FetchOffsetRequest) r2.message()).partition()).isEqualTo(2);
            r2.answer(new FetchOffsetResponse(ErrorCode.NONE, 2));
            assertThat(((FetchOffsetResponse) chained.get(5, TimeUnit.SECONDS)).offset()).isEqualTo(2);
            assertThat(onLoop).isTrue();
            net.close();
            assertThat(group.isShuttingDown()).isFalse();
            assertThat(failure(first.send(new FetchOffsetRequest("g", "t", 3))))
                .isInstanceOfSatisfying(RequestFailedException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR))
                .hasMessageContaining("closed");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldReportAnUnknownHostFromAnEventLoopWithoutBlockingIt() throws Exception {
        Connection good = client(10_000, 64).connection(server.address());
        NetworkClient net = clients.get(0);
        Connection nowhere = net.connection(new HostPort("no-such-host.invalid", 7000));
        CompletableFuture<Message> f1 = good.send(new FetchOffsetRequest("g", "t", 1));
        CompletableFuture<Message> chained = f1.thenCompose(m -> nowhere.send(new FetchOffsetRequest("g", "t", 2)));
        next().answer(new FetchOffsetResponse(ErrorCode.NONE, 1));
        assertThat(failure(chained)).isInstanceOfSatisfying(ConnectionFailedException.class,
            e -> assertThat(e.reason()).startsWith("unknown host"));
        // from a user thread the lookup fails the same way
        assertThat(failure(nowhere.send(new FetchOffsetRequest("g", "t", 3))))
            .isInstanceOfSatisfying(ConnectionFailedException.class,
                e -> assertThat(e.reason()).startsWith("unknown host"));
    }

    /** A client library keeps its own exception types: every failure goes through the factory it gave. */
    @Test
    void shouldBuildFailuresWithTheGivenFactory() throws Exception {
        AtomicInteger built = new AtomicInteger();
        RequestFailures mine = new RequestFailures() {
            @Override
            public RuntimeException requestFailed(ErrorCode code, String message, Throwable cause) {
                built.incrementAndGet();
                return new IllegalStateException(code + ": " + message, cause);
            }

            @Override
            public RuntimeException connectionFailed(String address, String reason, String message,
                                                     Throwable cause) {
                built.incrementAndGet();
                return new UnsupportedOperationException(reason + " " + address);
            }
        };
        NetworkClient net = keep(NetworkClient.builder("mine").requestTimeoutMs(10_000).failures(mine).build());
        Connection c = net.connection(server.address());
        CompletableFuture<Message> f = c.send(new FetchOffsetRequest("g", "t", 1));
        next().answer(new ErrorResponse(ErrorCode.INVALID_REQUEST, "nope"));
        assertThat(failure(f)).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("INVALID_REQUEST");
        CompletableFuture<Message> g = c.send(new FetchOffsetRequest("g", "t", 2));
        next().ctx().close();
        assertThat(failure(g)).isInstanceOf(UnsupportedOperationException.class)
            .hasMessage("connection lost " + server.address());
        assertThat(built.get()).isEqualTo(2);
    }

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("future did not complete", e);
        }
        throw new AssertionError("future succeeded: " + f.join());
    }
}
