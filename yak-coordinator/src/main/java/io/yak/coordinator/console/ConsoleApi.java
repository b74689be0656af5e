package io.yak.coordinator.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.yak.coordinator.cluster.ClusterState;
import io.yak.coordinator.net.GroupAdminRequests;
import io.yak.wire.WireException;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.ConsumerAssignmentFormat;
import io.yak.wire.message.DescribeGroupResponse;
import io.yak.wire.message.DescribedMember;
import io.yak.wire.message.GroupOffset;
import io.yak.wire.message.ListedGroup;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.PartitionRef;
import io.yak.wire.message.PartitionStats;
import io.yak.wire.message.TopicInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The console's JSON API ({@code METRICS.md}, "Console and JSON API"): {@code /api/overview} (brokers, topics with
 * each partition's leader, ISR, offsets and size, consumer groups with members, assignments and lag) and
 * {@code /api/rates} (records/s in and out per topic over the last minutes). Read-only; never shows record data.
 *
 * <p>State thread only: it reads the cluster state, the groups and the brokers' reports where they live.
 */
public final class ConsoleApi {
    private static final JsonFactory JSON = new JsonFactory();

    private final ClusterState state;
    private final GroupAdminRequests groups;
    private final BrokerReports reports;
    private final LongSupplier clockMs;

    /**
     * @param clockMs the coordinator's clock, the one broker reports are stamped with
     */
    public ConsoleApi(ClusterState state, GroupAdminRequests groups, BrokerReports reports, LongSupplier clockMs) {
        this.state = state;
        this.groups = groups;
        this.reports = reports;
        this.clockMs = clockMs;
    }

    /** {@code GET /api/overview}. */
    public byte[] overview() {
        ClusterMetadata m = state.metadata();
        long now = clockMs.getAsLong();
        Map<String, Long> highWatermarks = new HashMap<>();
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("epoch", m.epoch());
            g.writeNumberField("generatedAtMs", System.currentTimeMillis());
            Map<Integer, int[]> perBroker = new HashMap<>(); // {leaders, replicas}, counted in one pass
            for (TopicInfo t : m.topics()) {
                for (PartitionInfo p : t.partitions()) {
                    perBroker.computeIfAbsent(p.leader(), id -> new int[2])[0]++;
                    for (int r : p.replicas()) {
                        perBroker.computeIfAbsent(r, id -> new int[2])[1]++;
                    }
                }
            }
            g.writeArrayFieldStart("brokers");
            for (BrokerInfo b : m.brokers()) {
                writeBroker(g, b, perBroker.getOrDefault(b.id(), new int[2]), now);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("topics");
            for (TopicInfo t : m.topics()) {
                g.writeStartObject();
                g.writeStringField("name", t.name());
                g.writeArrayFieldStart("partitions");
                for (PartitionInfo p : t.partitions()) {
                    PartitionStats s = p.leader() == PartitionInfo.NO_LEADER ? null
                        : reports.stats(p.leader(), t.name(), p.partition());
                    if (s != null) {
                        highWatermarks.put(t.name() + "-" + p.partition(), s.highWatermark());
                    }
                    writePartition(g, p, s);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("groups");
            for (ListedGroup listed : groups.list(List.of()).groups()) {
                writeGroup(g, groups.describe(listed.group()), highWatermarks);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private void writeBroker(JsonGenerator g, BrokerInfo b, int[] counts, long now) throws IOException {
        g.writeStartObject();
        g.writeNumberField("id", b.id());
        g.writeStringField("host", b.host());
        g.writeNumberField("port", b.port());
        g.writeBooleanField("alive", b.alive());
        g.writeNumberField("leaders", counts[0]);
        g.writeNumberField("replicas", counts[1]);
        long reported = reports.lastReportMs(b.id());
        writeNullableNumber(g, "lastReportMsAgo", reported < 0 ? null : Math.max(0, now - reported));
        long heard = state.lastHeartbeatMs(b.id());
        writeNullableNumber(g, "lastHeartbeatMsAgo", heard < 0 ? null : Math.max(0, now - heard));
        g.writeEndObject();
    }

    private static void writePartition(JsonGenerator g, PartitionInfo p, PartitionStats s) throws IOException {
        g.writeStartObject();
        g.writeNumberField("partition", p.partition());
        g.writeNumberField("leader", p.leader());
        g.writeNumberField("leaderEpoch", p.leaderEpoch());
        writeInts(g, "replicas", p.replicas());
        writeInts(g, "isr", p.isr());
        g.writeBooleanField("underReplicated", p.isr().size() < p.replicas().size());
        g.writeBooleanField("offline", p.leader() == PartitionInfo.NO_LEADER);
        writeNullableNumber(g, "logStartOffset", s == null ? null : s.logStartOffset());
        writeNullableNumber(g, "logEndOffset", s == null ? null : s.logEndOffset());
        writeNullableNumber(g, "highWatermark", s == null ? null : s.highWatermark());
        writeNullableNumber(g, "sizeBytes", s == null ? null : s.sizeBytes());
        g.writeEndObject();
    }

    private static void writeGroup(JsonGenerator g, DescribeGroupResponse d, Map<String, Long> highWatermarks)
        throws IOException {
        g.writeStartObject();
        g.writeStringField("group", d.group());
        g.writeStringField("state", d.state());
        g.writeNumberField("generation", d.generation());
        g.writeStringField("protocol", d.protocol());
        g.writeArrayFieldStart("members");
        for (DescribedMember member : d.members()) {
            g.writeStartObject();
            g.writeStringField("memberId", member.memberId());
            g.writeStringField("clientId", member.clientId());
            g.writeStringField("host", member.host());
            g.writeStringField("instanceId", member.groupInstanceId());
            g.writeArrayFieldStart("assignment");
            for (PartitionRef p : assignment(member.assignment())) {
                g.writeStartObject();
                g.writeStringField("topic", p.topic());
                g.writeNumberField("partition", p.partition());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("offsets");
        for (GroupOffset o : d.offsets()) {
            Long hw = highWatermarks.get(o.topic() + "-" + o.partition());
            g.writeStartObject();
            g.writeStringField("topic", o.topic());
            g.writeNumberField("partition", o.partition());
            g.writeNumberField("committed", o.offset());
            writeNullableNumber(g, "highWatermark", hw);
            writeNullableNumber(g, "lag", hw == null ? null : Math.max(0, hw - o.offset()));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A member's assignment as the console shows it; none when it is not a YaK consumer's (another protocol). */
    private static List<PartitionRef> assignment(byte[] bytes) {
        try {
            return bytes == null ? List.of() : ConsumerAssignmentFormat.decode(bytes);
        } catch (WireException | IllegalArgumentException e) {
            return List.of();
        }
    }

    /** {@code GET /api/rates}. */
    public byte[] rates(List<String> topics) {
        List<Long> times = reports.sampleTimes();
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("intervalMs", BrokerReports.SAMPLE_INTERVAL_MS);
            g.writeObjectFieldStart("topics");
            for (String topic : topics) {
                g.writeObjectFieldStart(topic);
                g.writeArrayFieldStart("t");
                for (long t : times) {
                    g.writeNumber(t);
                }
                g.writeEndArray();
                writeFloats(g, "in", reports.rates(topic, true));
                writeFloats(g, "out", reports.rates(topic, false));
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** The topics of the current view, in name order. */
    public List<String> topicNames() {
        return state.metadata().topics().stream().map(TopicInfo::name).toList();
    }

    private static void writeFloats(JsonGenerator g, String name, float[] values) throws IOException {
        g.writeArrayFieldStart(name);
        for (float v : values) {
            g.writeNumber(Math.round(v * 10) / 10.0);
        }
        g.writeEndArray();
    }

    private static void writeInts(JsonGenerator g, String name, List<Integer> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (int v : values) {
            g.writeNumber(v);
        }
        g.writeEndArray();
    }

    private static void writeNullableNumber(JsonGenerator g, String name, Long value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, value);
        }
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
