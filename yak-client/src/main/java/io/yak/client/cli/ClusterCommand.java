package io.yak.client.cli;

import io.yak.client.admin.YakAdmin;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code yak cluster}: epoch, brokers with liveness, partition leaders per topic, and the number of under-replicated
 * partitions (fewer in-sync replicas than replicas) and offline ones (no leader).
 */
@Command(name = "cluster", description = "Show brokers, the cluster epoch, partition leaders and the counts of "
    + "under-replicated and offline partitions.",
    mixinStandardHelpOptions = true)
final class ClusterCommand implements Callable<Integer> {
    @ParentCommand
    YakCli root;

    @Override
    public Integer call() {
        try (YakAdmin admin = CliClients.admin(root.coordinator)) {
            print(root.out, admin.describeCluster());
        }
        return 0;
    }

    static void print(PrintStream out, ClusterMetadata m) {
        out.println("epoch " + m.epoch());
        out.println("brokers:");
        for (BrokerInfo b : m.brokers()) {
            out.printf("  %-5d %-24s %s%n", b.id(), b.address(), b.alive() ? "alive" : "dead");
        }
        out.println("topics:");
        int underReplicated = 0;
        int offline = 0;
        for (TopicInfo t : m.topics()) {
            StringBuilder sb = new StringBuilder("  ").append(t.name()).append(':');
            for (PartitionInfo p : t.partitions()) {
                sb.append(' ').append(p.partition()).append("->").append(TopicsCommand.leader(p));
                if (p.underReplicated()) {
                    underReplicated++;
                }
                if (!p.online()) {
                    offline++;
                }
            }
            out.println(sb);
        }
        out.println("under-replicated partitions: " + underReplicated);
        out.println("offline partitions: " + offline);
    }
}
