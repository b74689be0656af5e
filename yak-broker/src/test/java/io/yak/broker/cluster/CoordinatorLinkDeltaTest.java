package io.yak.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.PartitionChange;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.RegisterBrokerRequest;
import io.yak.wire.message.RegisterBrokerResponse;
import io.yak.wire.message.TopicInfo;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The link turns LEADER_INFO_DELTA pushes into whole views for its listener, against a scripted coordinator on
 * loopback: a delta based on the view is delivered applied, a stale one is ignored, and one that does not apply
 * makes the link ask for the whole view (METADATA_REQUEST listing no topics) and deliver the answer.
 */
@Timeout(30)
class CoordinatorLinkDeltaTest {
    private static final BrokerInfo SELF = new BrokerInfo(4, "127.0.0.1", 9999, true, 5);
    private static final BrokerInfo OTHER = new BrokerInfo(5, "127.0.0.1", 9998, true, 3);
    private static final TopicInfo ORDERS = new TopicInfo("orders", List.of(PartitionInfo.single(0, 4, 0),
        PartitionInfo.single(1, 5, 0)));
    private static final ClusterMetadata AT_5 = new ClusterMetadata(5, List.of(SELF, OTHER), List.of(ORDERS));

    private final BlockingQueue<ClusterMetadata> delivered = new LinkedBlockingQueue<>();
    private ScriptedCoordinator coordinator;
    private CoordinatorLink link;

    @BeforeEach
    void startScriptedCoordinatorAndRegister() throws InterruptedException {
        coordinator = new ScriptedCoordinator(true);
        // one heartbeat right after the registration, then none within the test
        link = new CoordinatorLink(4, coordinator.address(), 60_000, FrameLayout.DEFAULT_MAX_FRAME_BYTES,
            delivered::add, List::of);
        link.start("127.0.0.1", 9999);
        ScriptedCoordinator.Received registration = next();
        assertThat(registration.message()).isInstanceOf(RegisterBrokerRequest.class);
        answer(registration, new RegisterBrokerResponse(ErrorCode.NONE, 5, AT_5));
        assertThat(nextView()).isEqualTo(AT_5);
    }

    @AfterEach
    void stop() throws InterruptedException {
        link.close();
        coordinator.close();
    }

    private ScriptedCoordinator.Received next() throws InterruptedException {
        return ScriptedCoordinator.next(coordinator.requests);
    }

    private ClusterMetadata nextView() throws InterruptedException {
        ClusterMetadata m = delivered.poll(5, TimeUnit.SECONDS);
        assertThat(m).as("a cluster view delivered to the listener").isNotNull();
        return m;
    }

    private static void answer(ScriptedCoordinator.Received request, Message response) {
        request.answer(response);
    }

    private void push(Message m) {
        coordinator.push(m);
    }

    private static LeaderInfoDelta moveLeader(long baseEpoch, long epoch, int partition, int leader) {
        return new LeaderInfoDelta(baseEpoch, epoch, List.of(), List.of(), List.of(),
            List.of(new PartitionChange("orders", PartitionInfo.single(partition, leader, (int) epoch))));
    }

    @Test
    void shouldDeliverADeltaBasedOnTheViewAsTheWholeNextView() throws InterruptedException {
        push(moveLeader(5, 6, 1, 4));
        ClusterMetadata at6 = nextView();
        assertThat(at6).isEqualTo(new ClusterMetadata(6, List.of(SELF, OTHER), List.of(new TopicInfo("orders",
            List.of(ORDERS.partition(0), PartitionInfo.single(1, 4, 6))))));

        BrokerInfo newcomer = new BrokerInfo(6, "127.0.0.1", 9997, true, 7);
        push(new LeaderInfoDelta(6, 7, List.of(newcomer), List.of(5), List.of(), List.of()));
        assertThat(nextView()).isEqualTo(new ClusterMetadata(7, List.of(SELF, newcomer), at6.topics()));
        assertThat(coordinator.requests.poll(200, TimeUnit.MILLISECONDS)).as("nothing asked of the coordinator").isNull();
    }

    @Test
    void shouldIgnoreAStaleDelta() throws InterruptedException {
        push(moveLeader(5, 6, 1, 4));
        assertThat(nextView().epoch()).isEqualTo(6);

        push(moveLeader(5, 6, 0, 5)); // the same epoch again
        push(moveLeader(3, 4, 0, 5)); // older
        push(moveLeader(6, 7, 0, 5)); // the next one still applies
        ClusterMetadata at7 = nextView();
        assertThat(at7.epoch()).isEqualTo(7);
        assertThat(at7.topic("orders").partition(1).leader()).as("kept from epoch 6").isEqualTo(4);
        assertThat(delivered.poll(200, TimeUnit.MILLISECONDS)).as("stale deltas deliver nothing").isNull();
        assertThat(coordinator.requests.poll(10, TimeUnit.MILLISECONDS)).as("nor ask for anything").isNull();
    }

    @Test
    void shouldAskForTheWholeViewAfterAGapAndDeliverTheAnswer() throws InterruptedException {
        push(moveLeader(6, 7, 1, 4)); // the push from 5 to 6 was missed
        push(moveLeader(7, 8, 1, 5)); // asks only once while the answer is out
        ScriptedCoordinator.Received ask = next();
        assertThat(ask.message()).as("a METADATA_REQUEST listing no topics: all of them")
            .isEqualTo(new MetadataRequest(false, List.of()));
        assertThat(delivered.poll(100, TimeUnit.MILLISECONDS)).as("nothing delivered from a gap").isNull();
        assertThat(coordinator.requests.poll(100, TimeUnit.MILLISECONDS)).as("asked once").isNull();

        ClusterMetadata at8 = new ClusterMetadata(8, List.of(SELF, OTHER), List.of(new TopicInfo("orders",
            List.of(ORDERS.partition(0), PartitionInfo.single(1, 5, 8)))));
        answer(ask, new MetadataResponse(ErrorCode.NONE, null, at8));
        assertThat(nextView()).isEqualTo(at8);

        push(moveLeader(8, 9, 0, 5)); // deltas apply again from the answer on
        assertThat(nextView().topic("orders").partitions()).containsExactly(PartitionInfo.single(0, 5, 9),
            PartitionInfo.single(1, 5, 8));
    }

    @Test
    void shouldAskForTheWholeViewWhenADeltaChangesATopicTheViewLacks() throws InterruptedException {
        push(new LeaderInfoDelta(5, 6, List.of(), List.of(), List.of(),
            List.of(new PartitionChange("payments", PartitionInfo.single(0, 4, 0)))));
        ScriptedCoordinator.Received ask = next();
        assertThat(ask.message()).isEqualTo(new MetadataRequest(false, List.of()));
        ClusterMetadata at6 = new ClusterMetadata(6, List.of(SELF, OTHER), List.of(ORDERS,
            new TopicInfo("payments", List.of(PartitionInfo.single(0, 4, 0)))));
        answer(ask, new MetadataResponse(ErrorCode.NONE, null, at6));
        assertThat(nextView()).isEqualTo(at6);

        push(new LeaderInfo(new ClusterMetadata(7, List.of(SELF), List.of(ORDERS))));
        assertThat(nextView().epoch()).isEqualTo(7);
        push(new LeaderInfoDelta(7, 8, List.of(OTHER), List.of(), List.of(), List.of()));
        assertThat(nextView()).as("a LEADER_INFO is a base for deltas too")
            .isEqualTo(new ClusterMetadata(8, List.of(SELF, OTHER), List.of(ORDERS)));
    }
}
