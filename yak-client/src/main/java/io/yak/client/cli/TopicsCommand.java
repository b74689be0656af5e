package io.yak.client.cli;

import io.yak.client.admin.YakAdmin;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code yak topics create|list|describe}. */
@Command(name = "topics", description = "Create, list and describe topics.", mixinStandardHelpOptions = true,
    subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class})
final class TopicsCommand implements Callable<Integer> {
    /** The keys of {@link TopicConfigs#KEYS}, for help texts (annotation values must be constants). */
    static final String CONFIG_KEYS = TopicConfigs.FLUSH_MESSAGES + ", " + TopicConfigs.FLUSH_MS + ", "
        + TopicConfigs.RETENTION_BYTES + ", " + TopicConfigs.RETENTION_MS + ", " + TopicConfigs.SEGMENT_BYTES + ", "
        + TopicConfigs.SEGMENT_MS;

    @ParentCommand
    YakCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: create, list or describe");
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
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                // -1 asks YakAdmin for the coordinator's num.partitions
                TopicInfo t = admin.createTopic(topic, partitions == null ? -1 : partitions, configs);
                int n = t.partitionCount();
                parent.root.out.println("Created topic " + topic + " with " + n + (n == 1 ? " partition" : " partitions")
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

    @Command(name = "describe", description = "Show a topic's partitions (leader, replica, leader epoch) and, "
        + "when it has any, its per-topic configs on a line 'CONFIGS key=value ...'.", mixinStandardHelpOptions = true)
    static final class Describe implements Callable<Integer> {
        @ParentCommand
        TopicsCommand parent;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                TopicInfo t = admin.describeTopic(topic);
                printTopic(parent.root.out, t);
            }
            return 0;
        }
    }

    /** The partition table, then {@code CONFIGS k=v ...} (sorted by key) when the topic has per-topic configs. */
    static void printTopic(java.io.PrintStream out, TopicInfo t) {
        out.printf("%-24s %-9s %-8s %-7s %s%n", "TOPIC", "PARTITION", "LEADER", "REPLICA", "LEADER_EPOCH");
        for (PartitionInfo p : t.partitions()) {
            out.printf("%-24s %-9d %-8s %-7d %d%n", t.name(), p.partition(), leader(p), p.replica(),
                p.leaderEpoch());
        }
        if (!t.configs().isEmpty()) {
            out.println("CONFIGS " + configText(t));
        }
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
