package io.yak.client.cli;

import io.yak.client.admin.YakAdmin;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.TopicInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code yak configs describe --topic T}, as Kafka's {@code kafka-configs --describe}. */
@Command(name = "configs", description = "Describe topic configs.", mixinStandardHelpOptions = true,
    subcommands = ConfigsCommand.Describe.class)
final class ConfigsCommand implements Callable<Integer> {
    @ParentCommand
    YakCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: describe");
    }

    @Command(name = "describe", description = "Every topic config key with its value and source: 'topic' (the "
        + "topic's own), 'default' (each broker's own setting of that key applies; the value is not known to the "
        + "coordinator, shown as -), or for min.insync.replicas 'topic-or-cluster' (the coordinator sends the "
        + "cluster default when the topic sets none).", mixinStandardHelpOptions = true)
    static final class Describe implements Callable<Integer> {
        @ParentCommand
        ConfigsCommand parent;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic name.")
        String topic;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                TopicInfo t = admin.describeTopic(topic);
                parent.root.out.printf("%-22s %-22s %s%n", "KEY", "VALUE", "SOURCE");
                for (String key : TopicConfigs.KEYS) {
                    String value = t.config(key);
                    String source = value == null ? "default"
                        : key.equals(TopicConfigs.MIN_INSYNC_REPLICAS) ? "topic-or-cluster" : "topic";
                    parent.root.out.printf("%-22s %-22s %s%n", key, value == null ? "-" : value, source);
                }
            }
            return 0;
        }
    }
}
