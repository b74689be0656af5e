package io.yak.client.cli;

import io.yak.client.admin.YakAdmin;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code yak topics create|list|describe|alter|delete}. */
@Command(name = "topics", description = "Create, list, describe and delete topics.", mixinStandardHelpOptions = true,
    subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
        TopicsCommand.Delete.class, TopicsCommand.Alter.class})
final class TopicsCommand implements Callable<Integer> {
    /** The keys of {@link TopicConfigs#KEYS}, for help texts (annotation values must be constants). */
    static final String CONFIG_KEYS = TopicConfigs.FLUSH_MESSAGES + ", " + TopicConfigs.FLUSH_MS + ", "
        + TopicConfigs.MIN_INSYNC_REPLICAS + ", " + TopicConfigs.RETENTION_BYTES + ", " + TopicConfigs.RETENTION_MS
        + ", " + TopicConfigs.SEGMENT_BYTES + ", " + TopicConfigs.SEGMENT_MS;

    @ParentCommand
    YakCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: create, list, describe, alter or delete");
    }

    @Command(name = "create", description = "Create a topic.", mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        /** Null when not given: the coordinator's num.partitions. */
        @Option(names = "--partitions", paramLabel = "P",
            description = "Partition count, at least 1 (default: the coordinator's num.partitions).")
        Integer partitions;

        /** Null when not given: the coordinator's default.replication.factor. */
        @Option(names = "--replication-factor", paramLabel = "N",
            description = "Copies of each partition, on distinct brokers, at least 1 (default: the coordinator's "
                + "default.replication.factor).")
        Integer replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "Per-topic config, repeatable; keys: " + CONFIG_KEYS + " (integers; retention -1 = "
                + "unlimited). Unset keys take the brokers' defaults.")
        Map<String, String> configs = new LinkedHashMap<>();

        @Override
        public Integer call() {
            // -1 was once the option's default, so "--partitions -1" silently took num.partitions (issue 19)
            if (partitions != null && partitions < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--partitions must be at least 1, was " + partitions);
            }
            if (replicationFactor != null && (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--replication-factor must be 1.." + Short.MAX_VALUE + ", was " + replicationFactor);
            }
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                // -1 asks YakAdmin for the coordinator's num.partitions and default.replication.factor
                TopicInfo t = admin.createTopic(topic, partitions == null ? -1 : partitions,
                    replicationFactor == null ? YakAdmin.DEFAULT_REPLICATION_FACTOR : replicationFactor, configs);
                int n = t.partitionCount();
                int rf = n == 0 ? 0 : t.partition(0).replicas().size();
                parent.root.out.println("Created topic " + topic + " with " + n
                    + (n == 1 ? " partition" : " partitions") + (rf > 1 ? " of " + rf + " replicas" : "")
                    + (t.configs().isEmpty() ? "" : " and configs " + configText(t)) + ".");
            }
            return 0;
        }
    }

    @Command(name = "list", description = "List topic names, one per line.", mixinStandardHelpOptions = true)
    static final class ListTopics implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                for (String name : admin.listTopics()) {
                    parent.root.out.println(name);
                }
            }
            return 0;
        }
    }

    @Command(name = "describe", description = "Show topics' partitions: leader, leader epoch, replicas, in-sync "
        + "replicas (ISR) and high watermark (HW, '-' when the leader cannot tell), and each topic's per-topic "
        + "configs on a line 'CONFIGS key=value ...' when it has any.", mixinStandardHelpOptions = true)
    static final class Describe implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "Topic name (default: every topic).")
        String topic;

        @Option(names = "--under-replicated", description = "Only partitions with fewer in-sync replicas than "
            + "replicas.")
        boolean underReplicated;

        @Option(names = "--offline", description = "Only partitions without a leader.")
        boolean offline;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                List<TopicInfo> topics = topic != null ? List.of(admin.describeTopic(topic))
                    : admin.describeCluster().topics();
                Predicate<PartitionInfo> shown = p -> (!underReplicated && !offline)
                    || (underReplicated && p.underReplicated()) || (offline && !p.online());
                boolean filtered = underReplicated || offline;
                printHeader(parent.root.out);
                for (TopicInfo t : topics) {
                    List<PartitionInfo> parts = t.partitions().stream().filter(shown).toList();
                    if (parts.isEmpty() && filtered) {
                        continue;
                    }
                    // leaders are asked only for a topic with a shown partition that has one (then for all of it)
                    Map<Integer, Long> hw = parts.stream().anyMatch(PartitionInfo::online)
                        ? admin.highWatermarks(t.name()) : Map.of();
                    printPartitions(parent.root.out, t.name(), parts, hw);
                    if (!filtered && !t.configs().isEmpty()) {
                        parent.root.out.println("CONFIGS " + configText(t));
                    }
                }
            }
            return 0;
        }
    }

    @Command(name = "delete", description = "Delete a topic: its partitions on every broker and the committed "
        + "offsets of it. A topic created again under the name starts empty.", mixinStandardHelpOptions = true)
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                admin.deleteTopic(topic);
                parent.root.out.println("Deleted topic " + topic + ".");
            }
            return 0;
        }
    }

    @Command(name = "alter", description = "Change a topic: grow its partition count (--partitions), set "
        + "(--config) or remove (--delete-config) its own configs; brokers apply configs without a restart.",
        mixinStandardHelpOptions = true)
    static final class Alter implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        @Option(names = "--partitions", paramLabel = "P",
            description = "The new partition count, more than the current one (it cannot shrink).")
        Integer partitions;

        @Option(names = "--config", paramLabel = "KEY=VALUE",
            description = "Per-topic config to set, repeatable; keys: " + CONFIG_KEYS + ".")
        Map<String, String> configs = new LinkedHashMap<>();

        @Option(names = "--delete-config", paramLabel = "KEY",
            description = "Per-topic config to remove (back to the default), repeatable.")
        List<String> deleteConfigs = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            if (partitions == null && configs.isEmpty() && deleteConfigs.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "nothing to change: give --partitions, --config or --delete-config");
            }
            if (partitions != null && partitions < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                    "--partitions must be at least 1, was " + partitions);
            }
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                if (!configs.isEmpty() || !deleteConfigs.isEmpty()) {
                    admin.alterTopicConfigs(topic, configs, deleteConfigs);
                    parent.root.out.println("Topic " + topic + ": configs changed.");
                }
                if (partitions == null) {
                    return 0;
                }
                admin.createPartitions(topic, partitions);
                parent.root.err.println("yak: WARNING: records with a key go to the partition of the key's hash "
                    + "modulo the partition count: keys of " + topic + " now map to other partitions, so their "
                    + "order across the change is not kept");
                parent.root.out.println("Topic " + topic + " now has " + partitions + " partitions.");
            }
            return 0;
        }
    }

    static void printHeader(java.io.PrintStream out) {
        out.printf("%-24s %-9s %-8s %-12s %-12s %-12s %-12s %s%n", "TOPIC", "PARTITION", "LEADER", "LEADER_EPOCH",
            "REPLICAS", "ISR", "ELR", "HW");
    }

    /**
     * One line per partition: leader ({@code offline} without one), leader epoch, replicas, ISR and eligible leader
     * replicas (ELR: outside the ISR, but holding every committed record, so they may lead) as comma-separated broker
     * ids, high watermark ({@code -} when unknown).
     */
    static void printPartitions(java.io.PrintStream out, String topic, List<PartitionInfo> partitions,
                                Map<Integer, Long> highWatermarks) {
        for (PartitionInfo p : partitions) {
            Long hw = highWatermarks.get(p.partition());
            out.printf("%-24s %-9d %-8s %-12d %-12s %-12s %-12s %s%n", topic, p.partition(), leader(p),
                p.leaderEpoch(), ids(p.replicas()), ids(p.isr()), ids(p.eligibleLeaders()),
                hw == null ? "-" : hw.toString());
        }
    }

    /** Broker ids as {@code 1,2,3}; {@code -} for none. */
    static String ids(List<Integer> ids) {
        if (ids.isEmpty()) {
            return "-";
        }
        StringJoiner j = new StringJoiner(",");
        ids.forEach(id -> j.add(Integer.toString(id)));
        return j.toString();
    }

    /** {@code k=v} pairs separated by spaces, sorted by key. */
    static String configText(TopicInfo t) {
        StringJoiner j = new StringJoiner(" ");
        t.configs().forEach((k, v) -> j.add(k + "=" + v));
        return j.toString();
    }

    static String leader(PartitionInfo p) {
        return p.online() ? Integer.toString(p.leader()) : "offline";
    }
}
