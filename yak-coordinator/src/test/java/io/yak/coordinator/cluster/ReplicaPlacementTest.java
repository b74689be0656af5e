package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplicaPlacementTest {
    @Test
    void shouldPlaceDistinctReplicasRoundTheBrokersStartingAtTheLeastLoaded() {
        List<List<Integer>> placed = ReplicaPlacement.place(4, 3, List.of(1, 2, 5, 7), Map.of(1, 3, 2, 1, 5, 1, 7, 2));

        assertThat(placed).containsExactly(List.of(2, 5, 7), List.of(5, 7, 1), List.of(7, 1, 2), List.of(1, 2, 5));
        assertThat(placed).allSatisfy(r -> assertThat(r).doesNotHaveDuplicates());
    }

    @Test
    void shouldStartAtTheLowestIdAmongEquallyLoadedBrokers() {
        assertThat(ReplicaPlacement.place(2, 1, List.of(3, 4, 9), Map.of())).containsExactly(List.of(3), List.of(4));
    }

    @Test
    void shouldRefuseMoreReplicasThanBrokers() {
        assertThatThrownBy(() -> ReplicaPlacement.place(1, 4, List.of(1, 2, 3), Map.of()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("replication factor 4");
    }
}
