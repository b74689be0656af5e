package io.yak.client.cli;

import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.admin.GroupDescription;
import io.yak.client.admin.OffsetReset;
import io.yak.client.admin.ResetSpec;
import io.yak.client.admin.YakAdmin;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.ListedGroup;
import java.io.PrintStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code yak groups list|describe|delete|reset-offsets}, as Kafka's {@code kafka-consumer-groups}. */
@Command(name = "groups", description = "List, describe and delete consumer groups, and reset their offsets.",
    mixinStandardHelpOptions = true, subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class,
        GroupsCommand.Delete.class, GroupsCommand.ResetOffsets.class})
final class GroupsCommand implements Callable<Integer> {
    @ParentCommand
    YakCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing command: list, describe, delete or reset-offsets");
    }

    @Command(name = "list", description = "List every consumer group (with members, or with committed offsets "
        + "only): GROUP, STATE and MEMBERS.", mixinStandardHelpOptions = true)
    static final class ListGroups implements Callable<Integer> {
        @ParentCommand
        GroupsCommand parent;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                PrintStream out = parent.root.out;
                out.printf("%-32s %-20s %s%n", "GROUP", "STATE", "MEMBERS");
                for (ListedGroup g : admin.listGroups()) {
                    out.printf("%-32s %-20s %d%n", g.group(), g.state(), g.memberCount());
                }
            }
            return 0;
        }
    }

    @Command(name = "describe", description = "Show a group's state, assignor, generation and members (id, client "
        + "id, host, partitions), then per partition the committed offset, the log end (high watermark) and the "
        + "lag.", mixinStandardHelpOptions = true)
    static final class Describe implements Callable<Integer> {
        @ParentCommand
        GroupsCommand parent;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Consumer group.")
        String group;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                GroupDescription d = admin.describeGroup(group);
                PrintStream out = parent.root.out;
                out.printf("GROUP %s STATE %s PROTOCOL %s GENERATION %d LEADER %s MEMBERS %d%n", d.groupId(),
                    d.state(), d.protocolType() == null ? "-" : d.protocolType() + "/" + orDash(d.protocol()),
                    d.generation(), orDash(d.leader()), d.members().size());
                out.println();
                out.printf("%-48s %-24s %-16s %s%n", "MEMBER-ID", "CLIENT-ID", "HOST", "PARTITIONS");
                Map<TopicPartition, GroupDescription.Member> owner = new HashMap<>();
                for (GroupDescription.Member m : d.members()) {
                    out.printf("%-48s %-24s %-16s %s%n", m.memberId(), m.clientId(), m.host(),
                        partitions(m.assignment()));
                    m.assignment().forEach(tp -> owner.put(tp, m));
                }
                out.println();
                TreeSet<String> topics = new TreeSet<>();
                TreeMap<String, TreeSet<Integer>> shown = new TreeMap<>();
                for (TopicPartition tp : concat(d.committedOffsets().keySet(), owner.keySet())) {
                    topics.add(tp.topic());
                    shown.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
                }
                out.printf("%-24s %-9s %-14s %-14s %-8s %s%n", "TOPIC", "PARTITION", "CURRENT-OFFSET",
                    "LOG-END-OFFSET", "LAG", "MEMBER-ID");
                for (String topic : topics) {
                    Map<Integer, Long> ends = logEnds(admin, topic);
                    for (int p : shown.get(topic)) {
                        TopicPartition tp = new TopicPartition(topic, p);
                        Long committed = d.committedOffsets().get(tp);
                        Long end = ends.get(p);
                        String lag = committed != null && end != null ? Long.toString(Math.max(0, end - committed))
                            : "-";
                        GroupDescription.Member m = owner.get(tp);
                        out.printf("%-24s %-9d %-14s %-14s %-8s %s%n", topic, p,
                            committed == null ? "-" : committed.toString(), end == null ? "-" : end.toString(), lag,
                            m == null ? "-" : m.memberId());
                    }
                }
            }
            return 0;
        }

        /** The high watermark per partition; empty for a topic that no longer exists. */
        private static Map<Integer, Long> logEnds(YakAdmin admin, String topic) {
            try {
                return admin.highWatermarks(topic);
            } catch (YakException e) {
                if (e.errorCode() == ErrorCode.UNKNOWN_TOPIC) {
                    return Map.of();
                }
                throw e;
            }
        }
    }

    @Command(name = "delete", description = "Delete a group's committed offsets; refused while it has members.",
        mixinStandardHelpOptions = true)
    static final class Delete implements Callable<Integer> {
        @ParentCommand
        GroupsCommand parent;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Consumer group.")
        String group;

        @Override
        public Integer call() {
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                admin.deleteGroup(group);
                parent.root.out.println("Deleted consumer group " + group + ".");
            }
            return 0;
        }
    }

    /** Exactly one target of a reset. */
    static final class Target {
        @Option(names = "--to-earliest", description = "To each partition's log start.")
        boolean earliest;

        @Option(names = "--to-latest", description = "To each partition's log end.")
        boolean latest;

        @Option(names = "--to-datetime", paramLabel = "ISO-8601",
            description = "To the first offset at or after this time, e.g. 2026-12-07T10:00:00Z.")
        String datetime;

        @Option(names = "--to-offset", paramLabel = "N", description = "To offset N.")
        Long offset;

        @Option(names = "--shift-by", paramLabel = "N",
            description = "By N (negative: back) from the committed offset.")
        Long shiftBy;
    }

    @Command(name = "reset-offsets", description = "Move a group's committed offsets of a topic: print the plan "
        + "(TOPIC, PARTITION, CURRENT-OFFSET, NEW-OFFSET), and commit it with --execute. New offsets are clamped to "
        + "[log start, log end]. Refused while the group has members.", mixinStandardHelpOptions = true)
    static final class ResetOffsets implements Callable<Integer> {
        @ParentCommand
        GroupsCommand parent;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "Consumer group.")
        String group;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic whose partitions "
            + "are reset (all of them).")
        String topic;

        @ArgGroup(exclusive = true)
        Target target;

        @Option(names = "--execute", description = "Commit the new offsets (default: a dry run that only prints "
            + "them).")
        boolean execute;

        @Override
        public Integer call() {
            ResetSpec resetSpec = resetSpec();
            try (YakAdmin admin = CliClients.admin(parent.root.coordinator)) {
                String state = stateOrEmpty(admin);
                if (!state.equals("Empty")) {
                    throw new YakCli.CliException("cannot reset the offsets of group '" + group + "': consumer group "
                        + "is not inactive (state " + state + "); stop its consumers first");
                }
                List<OffsetReset> plan = admin.planOffsetReset(group, topic, resetSpec);
                PrintStream out = parent.root.out;
                out.printf("%-32s %-24s %-9s %-14s %s%n", "GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET",
                    "NEW-OFFSET");
                for (OffsetReset o : plan) {
                    out.printf("%-32s %-24s %-9d %-14s %d%n", group, o.partition().topic(), o.partition().partition(),
                        o.currentOffset() < 0 ? "-" : Long.toString(o.currentOffset()), o.newOffset());
                }
                if (execute) {
                    admin.commitOffsets(group, plan);
                } else {
                    parent.root.err.println("yak: dry run, nothing committed; add --execute to commit these offsets");
                }
            }
            return 0;
        }

        private String stateOrEmpty(YakAdmin admin) {
            try {
                return admin.describeGroup(group).state();
            } catch (YakException e) {
                if (e.errorCode() == ErrorCode.GROUP_ID_NOT_FOUND) {
                    return "Empty"; // a group that never committed: resetting creates its offsets, as in Kafka
                }
                throw e;
            }
        }

        private ResetSpec resetSpec() {
            if (target == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "one of --to-earliest, --to-latest, "
                    + "--to-datetime, --to-offset or --shift-by is required");
            }
            if (target.earliest) {
                return ResetSpec.earliest();
            }
            if (target.latest) {
                return ResetSpec.latest();
            }
            if (target.offset != null) {
                if (target.offset < 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                        "--to-offset must be >= 0, was " + target.offset);
                }
                return ResetSpec.toOffset(target.offset);
            }
            if (target.shiftBy != null) {
                return ResetSpec.shiftBy(target.shiftBy);
            }
            return ResetSpec.toDatetime(parseTime(target.datetime));
        }

        private long parseTime(String text) {
            try {
                return Instant.parse(text).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return OffsetDateTime.parse(text).toInstant().toEpochMilli();
                } catch (DateTimeParseException e2) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--to-datetime '" + text
                        + "' is not an ISO-8601 time with an offset, e.g. 2026-12-07T10:00:00Z");
                }
            }
        }
    }

    private static String orDash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** {@code topic-0,topic-1}; {@code -} for none. */
    static String partitions(List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return "-";
        }
        StringJoiner j = new StringJoiner(",");
        partitions.stream().sorted(java.util.Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition)).forEach(tp -> j.add(tp.toString()));
        return j.toString();
    }

    private static List<TopicPartition> concat(java.util.Collection<TopicPartition> a,
                                               java.util.Collection<TopicPartition> b) {
        List<TopicPartition> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
