package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.coordinator.store.CoordinatorSnapshot;
import io.yak.coordinator.store.StateMirror;
import io.yak.coordinator.store.StateRecord;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.LeaderInfoDelta;
import io.yak.wire.testing.CapturedLogs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Topic deletion and group offset deletion in the cluster state: what changes, what the change records and the
 * delta say, and that a restart (from the change log replayed over a snapshot, and from a snapshot alone) gives the
 * same state.
 */
class ClusterStateAdminTest {
    private static final long TIMEOUT_MS = 1000;
    private long now = 1_000_000;
    private final ClusterState state = new ClusterState(TIMEOUT_MS, 3, true);
    /** What the change log holds: the snapshot at recordChanges() with every drained record replayed over it. */
    private StateMirror log;

    @BeforeEach
    void threeBrokers() throws Exception {
        for (int id = 1; id <= 3; id++) {
            assertThat(state.registerBroker(id, "h" + id, 9000 + id, 100 + id, ClusterStateTest.REMOTE, now)
                .error()).isEqualTo(ErrorCode.NONE);
            assertThat(state.heartbeat(id, 100 + id, List.of(), now).known()).isTrue();
        }
        log = new StateMirror(state.snapshot());
        state.recordChanges();
    }

    private ClusterState.Changes drain() throws Exception {
        ClusterState.Changes changes = state.drainChanges();
        for (StateRecord r : changes.records()) {
            log.apply(r);
        }
        return changes;
    }

    private ClusterState restoredFromLog() {
        return ClusterState.restore(TIMEOUT_MS, 3, true, log.toSnapshot(), now);
    }

    @Test
    void shouldGiveEachTopicTheEpochOfItsCreationAsItsIdAndKeepItAcrossARestart() throws Exception {
        assertThat(state.createTopic("a", 2, -1, Map.of(), now).error()).isEqualTo(ErrorCode.NONE);
        long aId = state.epoch();
        assertThat(state.createTopic("b", 1, -1, Map.of(), now).error()).isEqualTo(ErrorCode.NONE);
        drain();

        assertThat(state.metadata().topic("a").topicId()).isEqualTo(aId);
        assertThat(state.metadata().topic("b").topicId()).isEqualTo(aId + 1);
        assertThat(restoredFromLog().metadata().topic("a").topicId()).isEqualTo(aId);
        assertThat(ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now).metadata().topic("b").topicId())
            .isEqualTo(aId + 1);
    }

    @Test
    void shouldDeleteATopicWithItsOffsetsAndPushItsNameInTheDelta() throws Exception {
        state.createTopic("orders", 3, 3, Map.of(), now);
        state.createTopic("other", 1, 1, Map.of(), now);
        assertThat(state.commitOffset("g", "orders", 1, 5)).isEqualTo(ErrorCode.NONE);
        assertThat(state.commitOffset("g", "other", 0, 2)).isEqualTo(ErrorCode.NONE);
        drain();
        long before = state.epoch();

        try (CapturedLogs logs = new CapturedLogs(ClusterState.class)) {
            assertThat(state.deleteTopic("orders")).isEqualTo(ErrorCode.NONE);
            assertThat(logs.at(Level.INFO)).singleElement().asString().contains("topic orders deleted")
                .contains("3 partitions").contains("1 committed offsets");
        }
        ClusterState.Changes changes = drain();

        assertThat(state.epoch()).isEqualTo(before + 1);
        assertThat(state.metadata().topic("orders")).isNull();
        assertThat(state.committedOffsets("g")).extracting(CoordinatorSnapshot.CommittedOffset::topic)
            .containsExactly("other");
        assertThat(state.fetchOffset("g", "orders", 1).error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(changes.records()).contains(new StateRecord.TopicDeleted("orders"));
        LeaderInfoDelta delta = changes.delta();
        assertThat(delta.deletedTopics()).containsExactly("orders");
        assertThat(delta.newTopics()).isEmpty();

        ClusterState restarted = restoredFromLog();
        assertThat(restarted.metadata().topic("orders")).isNull();
        assertThat(restarted.committedOffsets("g")).hasSize(1);
        assertThat(ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now).metadata().topics())
            .extracting(t -> t.name()).containsExactly("other");
    }

    @Test
    void shouldCreateATopicAgainUnderADeletedNameWithANewIdAndNoOldOffsets() throws Exception {
        state.createTopic("t", 2, 1, Map.of(), now);
        state.commitOffset("g", "t", 0, 9);
        drain();
        long oldId = state.metadata().topic("t").topicId();
        state.deleteTopic("t");
        drain();

        assertThat(state.createTopic("t", 1, 1, Map.of(), now).error()).isEqualTo(ErrorCode.NONE);
        ClusterState.Changes changes = drain();

        assertThat(state.metadata().topic("t").topicId()).isGreaterThan(oldId);
        assertThat(state.metadata().topic("t").partitionCount()).isEqualTo(1);
        assertThat(state.fetchOffset("g", "t", 0).offset()).isEqualTo(ClusterState.NO_OFFSET);
        assertThat(changes.delta().newTopics()).singleElement().extracting(t -> t.topicId())
            .isEqualTo(state.metadata().topic("t").topicId());
        assertThat(restoredFromLog().metadata().topic("t").topicId()).isEqualTo(state.metadata().topic("t")
            .topicId());
    }

    @Test
    void shouldRefuseToDeleteAnUnknownTopicOrABadNameChangingNothing() throws Exception {
        state.createTopic("t", 1, 1, Map.of(), now);
        drain();
        long epoch = state.epoch();

        assertThat(state.deleteTopic("nope")).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(state.deleteTopic("bad name!")).isEqualTo(ErrorCode.INVALID_TOPIC);

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(drain().records()).isEmpty();
    }

    @Test
    void shouldLetABrokerWhoseOnlyTopicWasDeletedBeForgottenLater() throws Exception {
        state.createTopic("t", 1, 3, Map.of(), now);
        state.deleteTopic("t");
        // the replica counts the invariants check (assertions are on in tests) agree with no partitions left
        assertThat(state.metadata().topics()).isEmpty();
        assertThat(state.snapshot().topics()).isEmpty();
    }

    @Test
    void shouldDeleteAGroupsOffsetsDurablyAndListGroupsWithOffsets() throws Exception {
        state.createTopic("t", 2, 1, Map.of(), now);
        state.commitOffset("g1", "t", 0, 1);
        state.commitOffset("g1", "t", 1, 2);
        state.commitOffset("g2", "t", 0, 3);
        drain();

        assertThat(state.groupsWithOffsets()).containsExactly("g1", "g2");
        assertThat(state.committedOffsets("g1")).extracting(CoordinatorSnapshot.CommittedOffset::offset)
            .containsExactly(1L, 2L);
        assertThat(state.deleteGroupOffsets("g1")).isEqualTo(2);
        ClusterState.Changes changes = drain();

        assertThat(changes.records()).containsExactly(new StateRecord.GroupDeleted("g1"));
        assertThat(changes.delta()).as("no metadata change").isNull();
        assertThat(state.groupsWithOffsets()).containsExactly("g2");
        assertThat(state.deleteGroupOffsets("g1")).as("nothing left").isZero();
        assertThat(drain().records()).isEmpty();
        assertThat(restoredFromLog().groupsWithOffsets()).containsExactly("g2");
        assertThat(ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now).groupsWithOffsets())
            .containsExactly("g2");
    }

    @Test
    void shouldGrowATopicPlacingNewPartitionsAsAtCreationAndPushItWhole() throws Exception {
        state.createTopic("g", 2, 2, Map.of("retention.ms", "1000"), now);
        drain();
        long id = state.metadata().topic("g").topicId();
        long before = state.epoch();

        assertThat(state.createPartitions("g", 5, now).error()).isEqualTo(ErrorCode.NONE);
        ClusterState.Changes changes = drain();

        assertThat(state.epoch()).isEqualTo(before + 1);
        var grown = state.metadata().topic("g");
        assertThat(grown.partitionCount()).isEqualTo(5);
        assertThat(grown.topicId()).isEqualTo(id);
        assertThat(grown.configs()).containsEntry("retention.ms", "1000");
        for (int p = 2; p < 5; p++) {
            assertThat(grown.partition(p).replicas()).hasSize(2).doesNotHaveDuplicates();
            assertThat(grown.partition(p).isr()).isEqualTo(grown.partition(p).replicas());
            assertThat(grown.partition(p).leader()).isEqualTo(grown.partition(p).replicas().get(0));
        }
        assertThat(changes.delta().newTopics()).singleElement().isEqualTo(grown);
        assertThat(restoredFromLog().metadata().topic("g").partitionCount()).isEqualTo(5);
        assertThat(ClusterState.restore(TIMEOUT_MS, 3, true, state.snapshot(), now).metadata().topic("g")
            .partitionCount()).isEqualTo(5);
    }

    @Test
    void shouldRefuseToShrinkOrGrowAnUnknownTopicChangingNothing() throws Exception {
        state.createTopic("g", 3, 1, Map.of(), now);
        drain();
        long epoch = state.epoch();

        TopicCreation shrink = state.createPartitions("g", 2, now);
        assertThat(shrink.error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(shrink.message()).contains("has 3 partitions").contains("can only grow");
        assertThat(state.createPartitions("g", 3, now).error()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.createPartitions("nope", 4, now).error()).isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(state.createPartitions("g", ClusterState.MAX_PARTITIONS_PER_TOPIC + 1, now).error())
            .isEqualTo(ErrorCode.INVALID_REQUEST);

        assertThat(state.epoch()).isEqualTo(epoch);
        assertThat(drain().records()).isEmpty();
    }

    @Test
    void shouldAlterATopicsConfigsValidatedAsAtCreationAndKeepThemAcrossARestart() throws Exception {
        state.createTopic("c", 1, 1, Map.of("retention.ms", "1000", "flush.ms", "50"), now);
        drain();
        long before = state.epoch();

        assertThat(state.alterTopicConfigs("c", Map.of("segment.bytes", "8192", "retention.ms", "5"),
            List.of("flush.ms")).error()).isEqualTo(ErrorCode.NONE);
        ClusterState.Changes changes = drain();

        assertThat(state.epoch()).isEqualTo(before + 1);
        assertThat(state.metadata().topic("c").configs()).containsEntry("segment.bytes", "8192")
            .containsEntry("retention.ms", "5").doesNotContainKey("flush.ms");
        assertThat(changes.delta().newTopics()).singleElement().extracting(t -> t.configs().get("retention.ms"))
            .isEqualTo("5");
        assertThat(restoredFromLog().metadata().topic("c").configs()).containsEntry("segment.bytes", "8192")
            .doesNotContainKey("flush.ms");

        assertThat(state.alterTopicConfigs("c", Map.of("segment.bytes", "1"), List.of()).error())
            .isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(state.alterTopicConfigs("c", Map.of("no.such", "1"), List.of()).error())
            .isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(state.alterTopicConfigs("c", Map.of(), List.of("no.such")).error())
            .isEqualTo(ErrorCode.INVALID_CONFIG);
        assertThat(state.alterTopicConfigs("c", Map.of("retention.ms", "9"), List.of("retention.ms")).error())
            .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(state.alterTopicConfigs("nope", Map.of("retention.ms", "9"), List.of()).error())
            .isEqualTo(ErrorCode.UNKNOWN_TOPIC);
        assertThat(state.epoch()).isEqualTo(before + 1);
        assertThat(drain().records()).isEmpty();
    }
}
