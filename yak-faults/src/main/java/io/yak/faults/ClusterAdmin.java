package io.yak.faults;

import io.yak.client.admin.YakAdmin;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The harness's view of the cluster through the client library's {@link YakAdmin}: leaders, ISRs, live brokers.
 * Questions fail fast (short request timeout) and answer "unknown" while the coordinator is down or cut off; the
 * admin client is replaced after a failure so a restarted coordinator is found again. Thread-safe.
 */
final class ClusterAdmin implements AutoCloseable {
    private static final long REQUEST_TIMEOUT_MS = 2000;

    private final String bootstrap;
    private YakAdmin admin;

    ClusterAdmin(String bootstrap) {
        this.bootstrap = bootstrap;
    }

    private synchronized YakAdmin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.setProperty("coordinator", bootstrap);
            p.setProperty("client.id", "yak-faults-admin");
            p.setProperty("request.timeout.ms", Long.toString(REQUEST_TIMEOUT_MS));
            p.setProperty("connect.timeout.ms", Long.toString(REQUEST_TIMEOUT_MS));
            admin = new YakAdmin(p);
        }
        return admin;
    }

    private synchronized void reset() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }

    /** The topic as the coordinator sees it, empty when it cannot be asked. */
    Optional<TopicInfo> describe(String topic) {
        try {
            return Optional.ofNullable(admin().describeTopic(topic));
        } catch (RuntimeException e) {
            reset();
            return Optional.empty();
        }
    }

    Optional<ClusterMetadata> cluster() {
        try {
            return Optional.of(admin().describeCluster());
        } catch (RuntimeException e) {
            reset();
            return Optional.empty();
        }
    }

    /** The leader of a partition, empty when offline or unknown. */
    Optional<Integer> leader(String topic, int partition) {
        return describe(topic).map(t -> t.partition(partition)).filter(PartitionInfo::online)
            .map(PartitionInfo::leader);
    }

    Set<Integer> aliveBrokers() {
        return cluster().map(m -> m.brokers().stream().filter(BrokerInfo::alive).map(BrokerInfo::id)
            .collect(Collectors.toSet())).orElse(Set.of());
    }

    /** Whether every partition of {@code topic} has a leader and all {@code replicas} replicas in sync. */
    boolean fullyInSync(String topic, int replicas) {
        return describe(topic).map(t -> !t.partitions().isEmpty() && t.partitions().stream()
            .allMatch(p -> p.online() && p.isr().size() == replicas)).orElse(false);
    }

    /** One line per partition: leader, epoch, ISR, ELR; or why it is unknown. */
    String describeLine(String topic) {
        return describe(topic).map(t -> t.partitions().stream().map(p -> "p" + p.partition() + " leader "
            + p.leader() + " epoch " + p.leaderEpoch() + " isr " + p.isr()
            + (p.eligibleLeaders().isEmpty() ? "" : " elr " + p.eligibleLeaders()))
            .collect(Collectors.joining("; "))).orElse("(coordinator unreachable)");
    }

    /** Creates a topic, retrying (brokers register a moment after they start) until {@code timeoutMs}. */
    TopicInfo createTopic(String topic, int partitions, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                return admin().createTopic(topic, partitions, Cluster.BROKERS, java.util.Map.of());
            } catch (RuntimeException e) {
                last = e;
                reset();
                Pause.ms(500);
            }
        }
        throw new IllegalStateException("cannot create topic " + topic + " within " + timeoutMs + " ms", last);
    }

    /** Polls {@code condition} every 200 ms until it holds or {@code timeoutMs} passes; returns the last answer. */
    static boolean await(BooleanSupplier condition, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Pause.ms(200);
        }
    }

    List<PartitionInfo> partitions(String topic) {
        return describe(topic).map(TopicInfo::partitions).orElse(List.of());
    }

    @Override
    public void close() {
        reset();
    }
}
