package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.config.HostPort;
import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrRequest;
import io.yak.wire.message.AlterIsrResponse;
import io.yak.wire.message.AlterIsrResult;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.ErrorResponse;
import io.yak.wire.message.HeartbeatResponse;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.testing.CapturedLogs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The link over the shared request/response client, against a scripted coordinator on loopback: it registers
 * again on a new connection after losing one, on the same one after UNKNOWN_BROKER or a refusal, reconnects when a
 * registration goes unanswered, matches ISR answers by correlation id, and calls its listener on its own thread.
 */
@Timeout(30)
class CoordinatorLinkConnectionTest {
    private static final ClusterMetadata AT_1 = new ClusterMetadata(1,
        List.of(new BrokerInfo(4, "127.0.0.1", 9999, true, 1)), List.of());
    private static final AlterIsrPartition CHANGE = new AlterIsrPartition("orders", 0, 3, 7, List.of(4));

    private final List<String> listenerThreads = new CopyOnWriteArrayList<>();
    private ScriptedCoordinator coordinator;
    private BlockingQueue<ScriptedCoordinator.Received> received;
    private BlockingQueue<ScriptedCoordinator.Received> heartbeats;
    private HostPort address;
    private CoordinatorLink link;

    @BeforeEach
    void startScriptedCoordinator() throws InterruptedException {
        coordinator = new ScriptedCoordinator(true);
        received = coordinator.requests;
        heartbeats = coordinator.heartbeats;
        address = coordinator.address();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (link != null) {
            link.close();
        }
        coordinator.close();
    }

    /** One heartbeat right after each registration, then none within a test. */
    private CoordinatorLink start(RefusalBackoff refusals, long requestTimeoutMs) {
        link = new CoordinatorLink(4, address, 60_000, FrameLayout.DEFAULT_MAX_FRAME_BYTES,
            md -> listenerThreads.add(Thread.currentThread().getName()), List::of, refusals,
            () -> System.nanoTime() / 1_000_000, requestTimeoutMs);
        link.start("127.0.0.1", 9999);
        return link;
    }

    private CoordinatorLink start() {
        return start(new RefusalBackoff(5, 40, 30_000), CoordinatorLink.REQUEST_TIMEOUT_MS);
    }

    private static ScriptedCoordinator.Received next(BlockingQueue<ScriptedCoordinator.Received> queue)
            throws InterruptedException {
        return ScriptedCoordinator.next(queue);
    }

    private ScriptedCoordinator.Received nextRegistration() throws InterruptedException {
        ScriptedCoordinator.Received r = next(received);
        assertThat(r.message()).isInstanceOf(RegisterBrokerRequest.class);
        return r;
    }

    /** Accepts the registration and the heartbeat that follows it. */
    private void accept(ScriptedCoordinator.Received registration) throws InterruptedException {
        registration.answer(new RegisterBrokerResponse(ErrorCode.NONE, 1, AT_1));
        ScriptedCoordinator.Received heartbeat = next(heartbeats);
        assertThat(heartbeat.channel()).isSameAs(registration.channel());
        heartbeat.answer(new HeartbeatResponse(ErrorCode.NONE, 1));
        await().atMost(Duration.ofSeconds(5)).until(link::registered);
    }

    @Test
    void shouldRegisterAgainOnANewConnectionAfterLosingOneAndFailTheIsrProposalInFlight() throws Exception {
        start();
        ScriptedCoordinator.Received first = nextRegistration();
        accept(first);
        CompletableFuture<AlterIsrResult> answer = new CompletableFuture<>();
        link.alterIsr(CHANGE, answer::complete);
        assertThat(next(received).message()).isEqualTo(new AlterIsrRequest(4, 1, List.of(CHANGE)));

        first.channel().close();
        assertThat(answer.get(5, TimeUnit.SECONDS)).as("no answer from a lost connection").isNull();
        ScriptedCoordinator.Received again = nextRegistration();
        assertThat(again.channel()).as("a new connection").isNotSameAs(first.channel());
        assertThat(link.registered()).isFalse();
        accept(again);

        assertThat(listenerThreads).hasSize(2).allSatisfy(name -> assertThat(name).startsWith("yak-coordinator-link"));
    }

    @Test
    void shouldRegisterAgainOnTheSameConnectionWhenTheCoordinatorForgetsTheBroker() throws Exception {
        start();
        ScriptedCoordinator.Received registration = nextRegistration();
        registration.answer(new RegisterBrokerResponse(ErrorCode.NONE, 1, AT_1));
        next(heartbeats).answer(new HeartbeatResponse(ErrorCode.UNKNOWN_BROKER, 2));

        ScriptedCoordinator.Received again = nextRegistration();
        assertThat(again.channel()).isSameAs(registration.channel());
        accept(again);
        assertThat(received.poll(200, TimeUnit.MILLISECONDS)).as("registered once").isNull();
    }

    @Test
    void shouldRetryARefusedRegistrationOnTheSameConnection() throws Exception {
        start();
        ScriptedCoordinator.Received registration = nextRegistration();
        registration.answer(new RegisterBrokerResponse(ErrorCode.BROKER_ID_IN_USE, -1, AT_1));
        ScriptedCoordinator.Received again = nextRegistration();
        assertThat(again.channel()).isSameAs(registration.channel());
        accept(again);
    }

    @Test
    void shouldReconnectWhenTheRegistrationIsNotAnsweredInTime() throws Exception {
        try (CapturedLogs logs = new CapturedLogs(CoordinatorLink.class)) {
            start(new RefusalBackoff(5, 40, 30_000), 300);
            ScriptedCoordinator.Received unanswered = nextRegistration();
            ScriptedCoordinator.Received again = nextRegistration();
            assertThat(again.channel()).as("a new connection").isNotSameAs(unanswered.channel());
            assertThat(logs.at(Level.WARN)).anySatisfy(line -> assertThat(line)
                .contains("did not answer the registration within 300 ms; reconnecting"));
            accept(again);
        }
    }

    @Test
    void shouldMatchIsrAnswersByCorrelationIdAndGiveNullForAnErrorResponse() throws Exception {
        start();
        accept(nextRegistration());
        AlterIsrPartition other = new AlterIsrPartition("orders", 1, 3, 7, List.of(4));
        CompletableFuture<AlterIsrResult> firstAnswer = new CompletableFuture<>();
        CompletableFuture<AlterIsrResult> secondAnswer = new CompletableFuture<>();
        link.alterIsr(CHANGE, firstAnswer::complete);
        link.alterIsr(other, secondAnswer::complete);
        ScriptedCoordinator.Received first = next(received);
        ScriptedCoordinator.Received second = next(received);
        assertThat(first.correlationId()).isNotEqualTo(second.correlationId());

        AlterIsrResult result = new AlterIsrResult("orders", 1, ErrorCode.NONE, 4, 3, 8, List.of(4));
        second.answer(new AlterIsrResponse(ErrorCode.NONE, List.of(result)));
        first.answer(new ErrorResponse(ErrorCode.INVALID_REQUEST, "no"));
        assertThat(secondAnswer.get(5, TimeUnit.SECONDS)).isEqualTo(result);
        assertThat(firstAnswer.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(link.registered()).as("an error answer leaves the connection up").isTrue();
    }

    @Test
    void shouldKeepOneHeartbeatOutAtATimeWhileTheCoordinatorDoesNotAnswer() throws Exception {
        link = new CoordinatorLink(4, address, 20, FrameLayout.DEFAULT_MAX_FRAME_BYTES, md -> { }, List::of,
            new RefusalBackoff(5, 40, 30_000), () -> System.nanoTime() / 1_000_000, CoordinatorLink.REQUEST_TIMEOUT_MS);
        link.start("127.0.0.1", 9999);
        nextRegistration().answer(new RegisterBrokerResponse(ErrorCode.NONE, 1, AT_1));
        ScriptedCoordinator.Received unanswered = next(heartbeats);

        Thread.sleep(300); // 15 intervals
        assertThat(heartbeats).as("no second heartbeat while the first is unanswered").isEmpty();
        unanswered.answer(new HeartbeatResponse(ErrorCode.NONE, 1));
        assertThat(next(heartbeats).channel()).as("the next interval sends again").isSameAs(unanswered.channel());
    }
}
