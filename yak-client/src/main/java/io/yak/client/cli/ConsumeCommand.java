package io.yak.client.cli;

import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.ConsumerRebalanceListener;
import io.yak.client.consumer.YakConsumer;
import io.yak.wire.ErrorCode;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code yak consume}: prints one record value per line (UTF-8; {@code key<sep>value} with {@code --print-key};
 * a missing key or value prints as {@code null}). Reads every partition of the topic, or one partition with
 * {@code --partition} (optionally from {@code --offset}). {@code --from-timestamp} starts each partition at the
 * first record at or after a point in time (milliseconds since the epoch or ISO-8601, looked up with
 * {@link YakConsumer#offsetsForTimes}); it excludes {@code --from-beginning} and {@code --offset}. Stops after
 * {@code --max-messages} records or after {@code --timeout-ms} without new records.
 *
 * <p>Default timeout: reading a backlog ({@code --from-beginning}, {@code --offset} or {@code --from-timestamp})
 * stops after {@value #BACKLOG_IDLE_TIMEOUT_MS} ms without new records, so scripts terminate; tailing (none of
 * them) waits forever, like a log follower. {@code --timeout-ms -1} always waits forever. With {@code --group}
 * (and no {@code --partition} or {@code --from-timestamp}) it joins the consumer group, which shares the topic's
 * partitions among its members: two {@code yak consume --group G} read disjoint partitions. The position of every
 * partition read is committed when a rebalance takes the partition away and at the end: after its last printed
 * record, or where it started when nothing was printed from it ({@code --from-timestamp} overrides the group's
 * committed offsets as a start).
 *
 * <p>When it stops for the timeout while a partition it reads has no leader (its broker is down), it says so and
 * exits with 1: the output may be missing that partition's records.
 *
 * <p>An {@code --offset} out of the partition's range (past its end, or before its start after retention deleted
 * records) is handled as Kafka's console consumer does: {@code auto.offset.reset} (latest unless set with
 * {@code --consumer-property}) moves the position and reading goes on, exit code 0; but where Kafka's consumer only
 * logs it at INFO, this says on stderr which offset was out of range and where it reads from instead (issue 19).
 * With {@code auto.offset.reset=none} it is an error (exit code 1).
 */
@Command(name = "consume", description = "Print records of a topic.", mixinStandardHelpOptions = true)
final class ConsumeCommand implements Callable<Integer> {
    static final long BACKLOG_IDLE_TIMEOUT_MS = 10_000;
    /** How long the final commit of a group waits for the position of a partition nothing was read from. */
    private static final Duration POSITION_LOOKUP = Duration.ofSeconds(2);

    @ParentCommand
    YakCli root;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to read.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the earliest offset (without a committed one).")
    boolean fromBeginning;

    @Option(names = "--max-messages", paramLabel = "N", description = "Exit after N records.")
    Long maxMessages;

    @Option(names = "--from-timestamp", paramLabel = "TIME", converter = TimestampConverter.class,
        description = "Start each partition at the first record at or after TIME: milliseconds since the epoch or "
            + "ISO-8601 (2026-11-25T10:00:00Z); partitions without such a record start at their end.")
    Long fromTimestamp;

    @Option(names = "--timeout-ms", paramLabel = "MS",
        description = "Exit after MS ms (at least 1) without new records; -1 = never. Default: "
            + BACKLOG_IDLE_TIMEOUT_MS + " with --from-beginning, --offset or --from-timestamp, else never.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print key<separator>value.")
    boolean printKey;

    @Option(names = "--key-separator", paramLabel = "S", defaultValue = "\t",
        description = "Separator printed between key and value (default: tab).")
    String keySeparator;

    @Option(names = "--group", paramLabel = "G", description = "Join consumer group G: its members share the "
        + "topic's partitions; start at the group's committed offsets, commit the positions when partitions move "
        + "and at the end.")
    String group;

    @Option(names = "--partition", paramLabel = "P", description = "Read only this partition.")
    Integer partition;

    @Option(names = "--consumer-property", paramLabel = "KEY=VALUE",
        description = "Consumer setting, repeatable (e.g. fetch.max.bytes=4194304); overrides the tool's own.")
    Map<String, String> consumerProperties = new LinkedHashMap<>();

    @Option(names = "--offset", paramLabel = "O", description = "Start at this offset (needs --partition).")
    Long offset;

    @Override
    public Integer call() {
        validate();
        String outOfRange = offset == null ? null : outOfRangePolicy();
        long idleTimeoutMs = timeoutMs != null ? timeoutMs
            : (fromBeginning || offset != null || fromTimestamp != null ? BACKLOG_IDLE_TIMEOUT_MS : -1);
        List<TopicPartition> timed = new ArrayList<>();
        try (YakAdmin admin = CliClients.admin(root.coordinator)) {
            CliClients.checkReachable(admin);
            if (partition != null || fromTimestamp != null) {
                TopicInfo t = admin.describeTopic(topic);
                if (partition != null && partition >= t.partitionCount()) {
                    throw new YakCli.CliException("topic " + topic + " has " + t.partitionCount()
                        + " partition(s); there is no partition " + partition);
                }
                for (int i = 0; i < t.partitionCount(); i++) {
                    if (partition == null || partition == i) {
                        timed.add(new TopicPartition(topic, i));
                    }
                }
            }
        }
        Properties p = CliClients.base(root.coordinator, "consumer");
        // after a timestamp lookup, a position lost to retention resumes at the oldest record left
        p.setProperty("auto.offset.reset", fromBeginning || fromTimestamp != null ? "earliest" : "latest");
        Map<String, String> overrides = consumerProperties;
        if (outOfRange != null) {
            // The consumer is told "none", so it reports an out-of-range position to this command instead of
            // resetting it with a log line only; resetOutOfRange resets it.
            overrides = new LinkedHashMap<>(consumerProperties);
            overrides.remove("auto.offset.reset");
            overrides.remove("from.beginning");
            p.setProperty("auto.offset.reset", "none");
        }
        if (group != null) {
            p.setProperty("group.id", group);
            // commits are this command's own: what was printed, not what was polled
            p.setProperty("enable.auto.commit", "false");
        }
        if (maxMessages != null) {
            p.setProperty("max.poll.records", Long.toString(Math.min(500, maxMessages)));
        }
        long printed = 0;
        boolean idledOut = false;
        // Per partition, the next offset to read: after the last printed record, or at the first record that was
        // polled but not printed (--max-messages reached), so that a group's next run starts there.
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        try (YakConsumer consumer = CliClients.client(spec, p, overrides, YakConsumer::new)) {
            if (fromTimestamp != null) {
                consumer.assign(timed);
                consumer.seekToTimestamp(timed, fromTimestamp);
            } else if (partition != null) {
                TopicPartition tp = new TopicPartition(topic, partition);
                consumer.assign(List.of(tp));
                if (offset != null) {
                    consumer.seek(tp, offset);
                } else if (fromBeginning && group == null) {
                    consumer.seekToBeginning(List.of(tp));
                }
            } else if (group != null) {
                consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                        commitPrinted(consumer, next, partitions);
                    }

                    @Override
                    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    }

                    @Override
                    public void onPartitionsLost(Collection<TopicPartition> partitions) {
                        partitions.forEach(next::remove); // another member owns them now: nothing to commit
                    }
                });
            } else {
                consumer.subscribe(List.of(topic));
            }
            long lastData = System.nanoTime();
            while (maxMessages == null || printed < maxMessages) {
                long idleMs = (System.nanoTime() - lastData) / 1_000_000;
                if (idleTimeoutMs >= 0 && idleMs >= idleTimeoutMs) {
                    idledOut = true;
                    break;
                }
                long waitMs = idleTimeoutMs < 0 ? 1000 : Math.min(1000, idleTimeoutMs - idleMs);
                List<ConsumerRecord> records;
                try {
                    records = consumer.poll(Duration.ofMillis(waitMs));
                } catch (YakException e) {
                    if (e.errorCode() != ErrorCode.OFFSET_OUT_OF_RANGE || outOfRange == null
                        || outOfRange.equals("none")) {
                        throw e;
                    }
                    resetOutOfRange(consumer, new TopicPartition(topic, partition), outOfRange.equals("earliest"));
                    continue;
                }
                for (ConsumerRecord r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (maxMessages != null && printed >= maxMessages) {
                        next.putIfAbsent(tp, r.offset());
                        continue;
                    }
                    print(r);
                    printed++;
                    next.put(tp, r.offset() + 1);
                }
                if (!records.isEmpty()) {
                    root.out.flush();
                    lastData = System.nanoTime();
                }
            }
            if (group != null) {
                // As Kafka's consumer commits every assigned partition's position: a partition nothing was read
                // from keeps the start it was given (e.g. "latest"), so records produced before the next run are
                // read then, not skipped.
                long lookupDeadline = System.nanoTime() + POSITION_LOOKUP.toNanos(); // shared by all lookups
                for (TopicPartition tp : consumer.assignment()) {
                    if (!next.containsKey(tp)) {
                        try {
                            Duration left = Duration.ofNanos(Math.max(0, lookupDeadline - System.nanoTime()));
                            next.put(tp, consumer.position(tp, left));
                        } catch (YakException e) {
                            // no leader to look it up from: nothing to save, the next run resolves it again
                        }
                    }
                }
                next.keySet().retainAll(consumer.assignment()); // partitions moved away were committed then
                if (!next.isEmpty()) {
                    consumer.commitSync(next);
                }
            }
            root.out.flush();
            if (idledOut) {
                List<TopicPartition> offline = offline(consumer.assignment());
                if (!offline.isEmpty()) {
                    boolean one = offline.size() == 1;
                    throw new YakCli.CliException("stopped after " + idleTimeoutMs + " ms without new records, but "
                        + (one ? "partition " + offline.get(0) + " has" : "partitions " + offline + " have")
                        + " no leader (broker down, or its storage failed?): " + (one ? "its" : "their")
                        + " records were not read");
                }
            }
        }
        return 0;
    }

    /** Commits what was printed of partitions a rebalance takes away, so their next owner continues there. */
    private void commitPrinted(YakConsumer consumer, Map<TopicPartition, Long> next,
                               Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            Long o = next.remove(tp);
            if (o != null) {
                offsets.put(tp, o);
            }
        }
        if (!offsets.isEmpty()) {
            try {
                consumer.commitSync(offsets);
            } catch (YakException e) {
                root.err.println("commit of " + offsets + " in group " + group + " failed: " + e.getMessage());
            }
        }
    }

    /**
     * With {@code --offset}: what to do when the position is out of range, {@code earliest}, {@code latest} or
     * {@code none}: the {@code auto.offset.reset} of {@code --consumer-property}, else latest (as Kafka's console
     * consumer).
     */
    private String outOfRangePolicy() {
        String asked = consumerProperties.get("auto.offset.reset");
        String policy = asked == null ? "latest" : asked.trim().toLowerCase(Locale.ROOT);
        if (!List.of("earliest", "latest", "none").contains(policy)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--consumer-property "
                + "auto.offset.reset must be earliest, latest or none, was '" + asked + "'");
        }
        String fromBeginningProperty = consumerProperties.get("from.beginning");
        if (fromBeginningProperty != null && !fromBeginningProperty.trim().equalsIgnoreCase("false")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset excludes --consumer-property "
                + "from.beginning=" + fromBeginningProperty + " as it excludes --from-beginning; "
                + "auto.offset.reset=earliest makes an out-of-range offset start at the beginning");
        }
        return policy;
    }

    /**
     * Moves the position of {@code tp}, out of range, to the log start ({@code earliest}) or end, as the consumer's
     * auto.offset.reset would, and says on stderr what happened, with the log's ends (issue 19).
     */
    private void resetOutOfRange(YakConsumer consumer, TopicPartition tp, boolean earliest) {
        long from = consumer.position(tp); // the consumer keeps the position it could not fetch from
        consumer.seekToBeginning(List.of(tp));
        long start = consumer.position(tp);
        consumer.seekToEnd(List.of(tp));
        long end = consumer.position(tp);
        long to = earliest ? start : end;
        consumer.seek(tp, to);
        String what;
        if (from >= end) {
            what = "is past the end of " + tp + " (next offset " + end + ")";
        } else if (from < start) {
            what = "is before the start of " + tp + " (first offset " + start + "; older records were deleted)";
        } else { // the log changed between the fetch and the lookups
            what = "was out of range of " + tp + " (now offsets " + start + " to " + end + ")";
        }
        root.err.println("yak: offset " + from + " " + what + ": reading from offset " + to
            + (earliest ? ", the start" : ", the end") + ", as auto.offset.reset=" + (earliest ? "earliest" : "latest")
            + " says (as in Kafka's console consumer)");
    }

    /** The partitions among {@code partitions} that have no leader now (none known when the coordinator is gone). */
    private List<TopicPartition> offline(Set<TopicPartition> partitions) {
        List<TopicPartition> offline = new ArrayList<>();
        try (YakAdmin admin = CliClients.admin(root.coordinator)) {
            TopicInfo t = admin.describeTopic(topic);
            for (TopicPartition tp : partitions) {
                PartitionInfo info = t.partition(tp.partition());
                if (info != null && !info.online()) {
                    offline.add(tp);
                }
            }
        } catch (YakException e) {
            root.err.println("yak: could not check the partitions' leaders at the end: " + e.getMessage());
        }
        offline.sort(Comparator.comparingInt(TopicPartition::partition));
        return offline;
    }

    private void validate() {
        if (offset != null && partition == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset needs --partition");
        }
        if (offset != null && fromBeginning) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--offset and --from-beginning exclude each other");
        }
        if (fromTimestamp != null && (fromBeginning || offset != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--from-timestamp excludes "
                + (fromBeginning ? "--from-beginning" : "--offset"));
        }
        if (offset != null && offset < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--offset must be >= 0, was " + offset);
        }
        if (partition != null && partition < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--partition must be >= 0, was " + partition);
        }
        if (maxMessages != null && maxMessages < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--max-messages must be >= 1, was " + maxMessages);
        }
        // 0 would stop before the first poll, printing nothing even when records are there
        if (timeoutMs != null && (timeoutMs < -1 || timeoutMs == 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "--timeout-ms must be at least 1, or -1 for never, was " + timeoutMs);
        }
    }

    /**
     * Parses {@code --from-timestamp}: a non-negative integer is milliseconds since the epoch; anything else must
     * be an ISO-8601 instant ({@code 2026-11-25T10:00:00Z}, fractions and offsets like {@code +01:00} allowed).
     * Bad input is a usage error.
     */
    static final class TimestampConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String v = value.trim();
            long ms;
            if (v.matches("-?[0-9]+")) {
                try {
                    ms = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new CommandLine.TypeConversionException("timestamp '" + value + "' is out of range");
                }
            } else {
                try {
                    ms = OffsetDateTime.parse(v).toInstant().toEpochMilli();
                } catch (DateTimeParseException | ArithmeticException e) {
                    throw new CommandLine.TypeConversionException("'" + value + "' is neither milliseconds since "
                        + "the epoch nor an ISO-8601 time like 2026-11-25T10:00:00Z");
                }
            }
            if (ms < 0) {
                throw new CommandLine.TypeConversionException("timestamp '" + value + "' is before 1970 (" + ms
                    + " ms)");
            }
            return ms;
        }
    }

    private void print(ConsumerRecord r) {
        String value = r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8);
        if (printKey) {
            String key = r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8);
            root.out.print(key + keySeparator + value + "\n");
        } else {
            root.out.print(value + "\n");
        }
    }
}
