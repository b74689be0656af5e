package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardWorkloadsTest {
    private static final ClientSettings CLIENT = new ClientSettings("1", 16384, 5, 0, 10_000, Map.of(), Map.of());

    @Test
    void shouldDefineTheAnchorWorkloadsAtFullScale() {
        List<WorkloadSpec> w = StandardWorkloads.specs("p", 1, CLIENT);
        assertThat(w).extracting(WorkloadSpec::name).containsExactly("W1", "W2", "W3", "W4", "W5");
        assertThat(w).extracting(WorkloadSpec::records).containsExactly(5_000_000L, 1_000_000L, 5_000_000L,
            5_000_000L, 20_000L);
        assertThat(w).extracting(WorkloadSpec::recordSize).containsExactly(100, 1024, 100, 100, 100);
        assertThat(w).extracting(WorkloadSpec::partitions).containsExactly(1, 1, 3, 1, 1);
        assertThat(w).extracting(s -> s.client().acks()).containsExactly("1", "1", "all", "1", "1");
        assertThat(w).extracting(WorkloadSpec::kind).containsExactly(WorkloadSpec.Kind.PRODUCE,
            WorkloadSpec.Kind.PRODUCE, WorkloadSpec.Kind.PRODUCE, WorkloadSpec.Kind.CONSUME, WorkloadSpec.Kind.E2E);
        assertThat(w.get(3).topic()).isEqualTo(w.get(0).topic()).isEqualTo("p-w1");
        assertThat(w.get(4).client().lingerMs()).isZero();
        assertThat(w.get(0).client().lingerMs()).isEqualTo(5);
        assertThat(w).allSatisfy(s -> assertThat(s.validate()).isNull());
        assertThat(w).allSatisfy(s -> assertThat(s.throughput()).isEqualTo(-1));
    }

    @Test
    void shouldDefineTheReplicatedAnchorWorkloads() {
        List<WorkloadSpec> w = StandardWorkloads.replicatedSpecs("p", 1, CLIENT);
        assertThat(w).extracting(WorkloadSpec::name).containsExactly("W6", "W7", "W8");
        assertThat(w).extracting(WorkloadSpec::records).containsExactly(5_000_000L, 1_000_000L, 20_000L);
        assertThat(w).extracting(WorkloadSpec::recordSize).containsExactly(100, 1024, 100);
        assertThat(w).extracting(WorkloadSpec::partitions).containsExactly(3, 3, 1);
        assertThat(w).extracting(s -> s.client().acks()).containsOnly("all");
        assertThat(w).extracting(WorkloadSpec::kind).containsExactly(WorkloadSpec.Kind.PRODUCE,
            WorkloadSpec.Kind.PRODUCE, WorkloadSpec.Kind.E2E);
        assertThat(w).extracting(WorkloadSpec::replication)
            .containsOnly(new WorkloadSpec.Replication((short) 3, 2));
        assertThat(w.get(0).replication().topicConfigs()).containsExactly(Map.entry("min.insync.replicas", "2"));
        assertThat(w.get(2).client().lingerMs()).isZero();
        assertThat(w.get(0).describe()).contains("3 partitions, replication factor 3, min.insync.replicas=2");
        assertThat(w).allSatisfy(s -> assertThat(s.validate()).isNull());
        assertThat(StandardWorkloads.specs("p", 1, CLIENT)).extracting(WorkloadSpec::replication)
            .containsOnly(WorkloadSpec.Replication.DEFAULT);
        assertThat(WorkloadSpec.Replication.DEFAULT.topicConfigs()).isEmpty();
    }

    @Test
    void shouldScaleCountsButNeverBelowOneRecord() {
        List<WorkloadSpec> w = StandardWorkloads.specs("p", 0.001, CLIENT);
        assertThat(w).extracting(WorkloadSpec::records).containsExactly(5000L, 1000L, 5000L, 5000L, 20L);
        assertThat(StandardWorkloads.specs("p", 1e-9, CLIENT)).allSatisfy(s -> assertThat(s.records()).isEqualTo(1));
    }

    @Test
    void shouldSplitRecordsBetweenProducersWithoutLosingAny() {
        assertThat(ProduceRunner.split(10, 3)).containsExactly(4, 3, 3);
        assertThat(ProduceRunner.split(2, 4)).containsExactly(1, 1, 0, 0);
        assertThat(Arrays.stream(ProduceRunner.split(1_000_003, 7)).sum()).isEqualTo(1_000_003);
    }

    @Test
    void shouldDescribeAWorkloadOnOneLine() {
        WorkloadSpec w3 = StandardWorkloads.specs("p", 1, CLIENT).get(2);
        assertThat(w3.describe()).isEqualTo("produce W3: 5,000,000 x 100 B, topic p-w3, 3 partitions, acks=all, "
            + "unlimited, 1 producer, batch.size=16384, linger.ms=5");
    }

    @Test
    void shouldDescribeAConsumeWorkloadOnItsTopicAsFound() {
        WorkloadSpec w4 = StandardWorkloads.specs("p", 1, CLIENT).get(3);
        assertThat(w4.onTopic(1).describe()).isEqualTo("consume W4: 5,000,000 records, topic p-w1, 1 partition, "
            + "from the beginning, 1 consumer, filled with 100 B records if short");
        WorkloadSpec eight = new WorkloadSpec("consume", WorkloadSpec.Kind.CONSUME, "durb", 1, 1000, 100, -1, 1, 8,
            CLIENT);
        WorkloadSpec found = eight.onTopic(6);
        assertThat(found.partitions()).isEqualTo(6);
        assertThat(found.consumers()).isEqualTo(6);
        assertThat(eight.onTopic(12).consumers()).isEqualTo(8);
    }
}
