package io.yak.client.consumer.assignor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The assignors a consumer may name in {@code partition.assignment.strategy}. */
public final class Assignors {
    /** Kafka 4's default: range, with cooperative-sticky listed so a group can move to it member by member. */
    public static final String DEFAULT_STRATEGY = RangeAssignor.NAME + "," + CooperativeStickyAssignor.NAME;

    private Assignors() {
    }

    /**
     * The assignors of a comma-separated list, in preference order; names are case-insensitive, and Kafka's class
     * names ({@code org.apache.kafka.clients.consumer.RangeAssignor}, ...) are accepted too.
     *
     * @throws IllegalArgumentException naming an unknown or repeated assignor, or for an empty list
     */
    public static List<PartitionAssignor> parse(String strategy) {
        List<PartitionAssignor> out = new ArrayList<>();
        for (String raw : strategy.split(",")) {
            String name = raw.trim();
            if (name.isEmpty()) {
                continue;
            }
            PartitionAssignor a = byName(name);
            if (out.stream().anyMatch(o -> o.name().equals(a.name()))) {
                throw new IllegalArgumentException("partition.assignment.strategy lists '" + a.name() + "' twice");
            }
            out.add(a);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("partition.assignment.strategy is empty");
        }
        return out;
    }

    static PartitionAssignor byName(String name) {
        String simple = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return switch (simple) {
            case RangeAssignor.NAME, "rangeassignor" -> new RangeAssignor();
            case RoundRobinAssignor.NAME, "roundrobinassignor" -> new RoundRobinAssignor();
            case CooperativeStickyAssignor.NAME, "cooperativestickyassignor" -> new CooperativeStickyAssignor();
            default -> throw new IllegalArgumentException("unknown partition.assignment.strategy '" + name
                + "': range, roundrobin or cooperative-sticky");
        };
    }
}
