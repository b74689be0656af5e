package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.message.BrokerShutdownRequest;
import io.yak.wire.message.BrokerShutdownResponse;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Message;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The link's clean-shutdown announcement against a scripted coordinator on loopback: the test answers each request
 * by hand, so the order of registration, announcement and heartbeats is under its control.
 */
class CoordinatorLinkShutdownTest {
    private ScriptedCoordinator coordinator;
    private CoordinatorLink link;

    @BeforeEach
    void startScriptedCoordinator() throws InterruptedException {
        coordinator = new ScriptedCoordinator(false);
        link = new CoordinatorLink(4, coordinator.address(), 20, FrameLayout.DEFAULT_MAX_FRAME_BYTES, md -> { },
            List::of);
        link.start("127.0.0.1", 9999);
    }

    @AfterEach
    void stop() throws InterruptedException {
        link.close();
        coordinator.close();
    }

    private ScriptedCoordinator.Received next() throws InterruptedException {
        return ScriptedCoordinator.next(coordinator.requests);
    }

    private static void answer(ScriptedCoordinator.Received request, Message response) {
        request.answer(response);
    }

    @Test
    void shouldAnnounceAfterARegistrationThatWasStillUnansweredAndNeverHeartbeat() throws Exception {
        ScriptedCoordinator.Received registration = next();
        assertThat(registration.message()).isInstanceOf(RegisterBrokerRequest.class);

        // stopped while the coordinator has not answered the registration yet
        CompletableFuture<ErrorCode> announced = CompletableFuture.supplyAsync(() -> link.announceShutdown(5000));
        await().atMost(Duration.ofSeconds(5)).until(link::shutdownAwaitsRegistration);
        answer(registration, new RegisterBrokerResponse(ErrorCode.NONE, 1, ClusterMetadata.EMPTY));

        ScriptedCoordinator.Received shutdown = next();
        assertThat(shutdown.message()).as("after its registration was accepted, a stopping broker announces; it "
            + "never heartbeats").isEqualTo(new BrokerShutdownRequest(4));
        answer(shutdown, new BrokerShutdownResponse(ErrorCode.NONE, 7));
        assertThat(announced.get(5, TimeUnit.SECONDS)).isEqualTo(ErrorCode.NONE);
        assertThat(coordinator.requests.poll(200, TimeUnit.MILLISECONDS)).as("nothing after the announcement").isNull();
    }

    @Test
    void shouldStopHeartbeatingAndNotRegisterAgainWhenTheCoordinatorNoLongerKnowsTheBroker() throws Exception {
        ScriptedCoordinator.Received registration = next();
        answer(registration, new RegisterBrokerResponse(ErrorCode.NONE, 1, ClusterMetadata.EMPTY));
        ScriptedCoordinator.Received first = next();
        assertThat(first.message().getClass().getSimpleName()).isEqualTo("HeartbeatRequest");

        CompletableFuture<ErrorCode> announced = CompletableFuture.supplyAsync(() -> link.announceShutdown(5000));
        ScriptedCoordinator.Received shutdown;
        do { // heartbeats sent before the announcement reached the link's thread
            shutdown = next();
        } while (!(shutdown.message() instanceof BrokerShutdownRequest));
        answer(shutdown, new BrokerShutdownResponse(ErrorCode.UNKNOWN_BROKER, 7));

        assertThat(announced.get(5, TimeUnit.SECONDS)).isEqualTo(ErrorCode.UNKNOWN_BROKER);
        assertThat(coordinator.requests.poll(200, TimeUnit.MILLISECONDS)).as("no heartbeat or registration after it").isNull();
    }
}
