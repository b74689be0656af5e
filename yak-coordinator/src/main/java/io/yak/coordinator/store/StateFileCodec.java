package io.yak.coordinator.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes the state file. The layout is specified in {@code yak-coordinator/STATE.md}, which is the
 * authority; the constants and field names below mirror it ({@code StateDocumentTest} compares them). Decoding checks
 * magic, version, the CRC32C trailer, every length and count against the bytes left, and the snapshot's invariants,
 * and reports the first problem found. Writes {@link #VERSION}; reads it and every earlier version.
 *
 * <p>Stateless; any thread.
 */
final class StateFileCodec {
    /** "YAKC" in ASCII. */
    static final int MAGIC = 0x59414B43;
    /** The format this build writes: version 4 plus each topic's id. */
    static final short VERSION = 5;
    /** Version 3 plus each partition's eligible leader replicas (no topic ids). */
    static final short VERSION_4 = 4;
    /** Version 2 plus replication (brokers' incarnations, partitions' ISR). Still read (no eligible leaders). */
    static final short VERSION_3 = 3;
    /** Version 1 plus per-topic configs; one replica per partition. Still read. */
    static final short VERSION_2 = 2;
    /** The first format, without per-topic configs; still read (its topics get no configs). */
    static final short VERSION_1 = 1;
    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int VERSION_LENGTH = 2;
    static final int EPOCH_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    static final int EPOCH_LENGTH = 8;
    static final int NEXT_PRODUCER_ID_OFFSET = EPOCH_OFFSET + EPOCH_LENGTH;
    static final int NEXT_PRODUCER_ID_LENGTH = 8;
    /** First byte of the broker table. */
    static final int BODY_OFFSET = NEXT_PRODUCER_ID_OFFSET + NEXT_PRODUCER_ID_LENGTH;
    static final int CRC_LENGTH = 4;
    /** Smallest valid file: header, three zero counts, trailer. */
    static final int MIN_FILE_LENGTH = BODY_OFFSET + 3 * 4 + CRC_LENGTH;
    static final int MAX_STRING_BYTES = 0xFFFF;
    /** Size of a string field in {@link #layout}: its uint16 length and its bytes. */
    static final String STRING_SIZE = "2+n";

    private StateFileCodec() {
    }

    /** One field as written: its name in STATE.md's layout table and its size in bytes ({@value #STRING_SIZE}). */
    record Field(String name, String size) {
    }

    static byte[] encode(CoordinatorSnapshot s) {
        return write(s, null);
    }

    /** The fields {@link #encode} writes for {@code s}, in order, each once; for the check against STATE.md. */
    static List<Field> layout(CoordinatorSnapshot s) {
        List<Field> fields = new ArrayList<>();
        write(s, fields);
        return fields;
    }

    private static byte[] write(CoordinatorSnapshot s, List<Field> trace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 64 * s.offsets().size());
        try (DataOutputStream data = new DataOutputStream(bytes)) {
            Writer out = new Writer(data, trace);
            out.int32("magic", MAGIC);
            out.int16("version", VERSION);
            out.int64("epoch", s.epoch());
            out.int64("next_producer_id", s.nextProducerId());
            out.int32("broker_count", s.brokers().size());
            for (CoordinatorSnapshot.Broker b : s.brokers()) {
                writeBroker(out, b);
            }
            out.int32("topic_count", s.topics().size());
            for (CoordinatorSnapshot.Topic t : s.topics()) {
                out.string("topic.name", t.name());
                out.int32("topic.partition_count", t.partitions().size());
                for (CoordinatorSnapshot.Partition p : t.partitions()) {
                    writePartition(out, p);
                }
                writeConfigs(out, t.configs());
                out.int64("topic.topic_id", t.topicId());
            }
            out.int32("offset_count", s.offsets().size());
            for (CoordinatorSnapshot.CommittedOffset o : s.offsets()) {
                out.string("offset.group", o.group());
                out.string("offset.topic", o.topic());
                out.int32("offset.partition", o.partition());
                out.int64("offset.offset", o.offset());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.int32("crc", (int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    static void writeBroker(Writer out, CoordinatorSnapshot.Broker b) throws IOException {
        out.int32("broker.id", b.id());
        out.string("broker.host", b.host());
        out.int32("broker.port", b.port());
        out.int64("broker.incarnation_id", b.incarnationId());
        out.int64("broker.broker_epoch", b.brokerEpoch());
        out.int8("broker.alive", b.alive() ? 1 : 0);
    }

    static void writePartition(Writer out, CoordinatorSnapshot.Partition p) throws IOException {
        out.int32("partition.leader", p.leader());
        out.int32("partition.leader_epoch", p.leaderEpoch());
        out.int32("partition.partition_epoch", p.partitionEpoch());
        out.int32("partition.replica_count", p.replicas().size());
        for (int r : p.replicas()) {
            out.int32("partition.replica", r);
        }
        out.int32("partition.isr_count", p.isr().size());
        for (int r : p.isr()) {
            out.int32("partition.isr", r);
        }
        out.int32("partition.eligible_leader_count", p.eligibleLeaders().size());
        for (int r : p.eligibleLeaders()) {
            out.int32("partition.eligible_leader", r);
        }
    }

    static void writeConfigs(Writer out, Map<String, String> configs) throws IOException {
        out.int32("topic.config_count", configs.size());
        for (Map.Entry<String, String> c : configs.entrySet()) {
            out.string("config.key", c.getKey());
            out.string("config.value", c.getValue());
        }
    }

    /** Writes fields and, when tracing, records each field name the first time it is written. */
    static final class Writer {
        private final DataOutputStream out;
        private final List<Field> trace;

        Writer(DataOutputStream out, List<Field> trace) {
            this.out = out;
            this.trace = trace;
        }

        private void traced(String name, String size) {
            if (trace != null && trace.stream().noneMatch(f -> f.name().equals(name))) {
                trace.add(new Field(name, size));
            }
        }

        void int8(String name, int v) throws IOException {
            traced(name, "1");
            out.writeByte(v);
        }

        void int16(String name, short v) throws IOException {
            traced(name, "2");
            out.writeShort(v);
        }

        void int32(String name, int v) throws IOException {
            traced(name, "4");
            out.writeInt(v);
        }

        void int64(String name, long v) throws IOException {
            traced(name, "8");
            out.writeLong(v);
        }

        void string(String name, String v) throws IOException {
            traced(name, STRING_SIZE);
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("string of " + b.length + " UTF-8 bytes > " + MAX_STRING_BYTES);
            }
            out.writeShort(b.length);
            out.write(b);
        }
    }

    /**
     * Decodes a whole state file.
     *
     * @param source names the file in error messages
     * @throws CorruptStateException naming the source and the first problem found
     */
    static CoordinatorSnapshot decode(byte[] file, String source) throws CorruptStateException {
        if (file.length < MIN_FILE_LENGTH) {
            throw corrupt(source, "file is " + file.length + " bytes, shorter than the minimum " + MIN_FILE_LENGTH);
        }
        ByteBuffer in = ByteBuffer.wrap(file);
        int magic = in.getInt(MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw corrupt(source, String.format("not a coordinator state file: magic 0x%08X, expected 0x%08X", magic,
                MAGIC));
        }
        short version = in.getShort(VERSION_OFFSET);
        if (version < VERSION_1 || version > VERSION) {
            throw corrupt(source, "unsupported format version " + version + " (this build reads " + VERSION_1
                + " to " + VERSION + ")");
        }
        int crcOffset = file.length - CRC_LENGTH;
        CRC32C crc = new CRC32C();
        crc.update(file, 0, crcOffset);
        int stored = in.getInt(crcOffset);
        if (stored != (int) crc.getValue()) {
            throw corrupt(source, String.format("CRC32C mismatch: stored 0x%08X, computed 0x%08X over %d bytes",
                stored, (int) crc.getValue(), crcOffset));
        }
        in.limit(crcOffset).position(BODY_OFFSET);
        Reader r = new Reader(in, source);
        long epoch = in.getLong(EPOCH_OFFSET);
        long nextProducerId = in.getLong(NEXT_PRODUCER_ID_OFFSET);
        if (epoch < 0 || nextProducerId < 1) {
            throw corrupt(source, "epoch " + epoch + " / next producer id " + nextProducerId + " out of range");
        }
        List<CoordinatorSnapshot.Broker> brokers = readBrokers(r, version);
        List<CoordinatorSnapshot.Topic> topics = readTopics(r, brokers, version);
        List<CoordinatorSnapshot.CommittedOffset> offsets = readOffsets(r);
        if (in.hasRemaining()) {
            throw corrupt(source, in.remaining() + " unexpected bytes before the CRC at position " + in.position());
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, brokers, topics, offsets);
    }

    private static List<CoordinatorSnapshot.Broker> readBrokers(Reader r, short version)
            throws CorruptStateException {
        boolean replicated = version >= VERSION_3;
        int n = r.count("broker_count", 4 + 2 + 4 + (replicated ? 8 + 8 + 1 : 0));
        List<CoordinatorSnapshot.Broker> brokers = new ArrayList<>(n);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            CoordinatorSnapshot.Broker b = readBroker(r, replicated);
            if (!ids.add(b.id())) {
                throw r.corrupt("broker " + i + " (id " + b.id() + ") is a duplicate");
            }
            brokers.add(b);
        }
        return brokers;
    }

    /**
     * One broker, as a state file of version 3 or later and the change log store it ({@code replicated}), or as
     * versions 1 and 2 did (address only: no known incarnation, dead).
     */
    static CoordinatorSnapshot.Broker readBroker(Reader r, boolean replicated) throws CorruptStateException {
        int id = r.int32("broker.id");
        String host = r.string("broker.host");
        int port = r.int32("broker.port");
        if (id < 0 || port < 0 || port > 65535 || host.isEmpty()) {
            throw r.corrupt("broker id " + id + " at " + host + ":" + port + " is invalid");
        }
        if (!replicated) {
            return new CoordinatorSnapshot.Broker(id, host, port);
        }
        long incarnationId = r.int64("broker.incarnation_id");
        long brokerEpoch = r.int64("broker.broker_epoch");
        int alive = r.int8("broker.alive");
        if (brokerEpoch < CoordinatorSnapshot.NO_BROKER_EPOCH || alive < 0 || alive > 1
                || (alive == 1 && brokerEpoch == CoordinatorSnapshot.NO_BROKER_EPOCH)) {
            throw r.corrupt("broker " + id + " has broker epoch " + brokerEpoch + " and alive " + alive);
        }
        return new CoordinatorSnapshot.Broker(id, host, port, incarnationId, brokerEpoch, alive == 1);
    }

    private static List<CoordinatorSnapshot.Topic> readTopics(Reader r, List<CoordinatorSnapshot.Broker> brokers,
                                                              short version) throws CorruptStateException {
        Set<Integer> brokerIds = new HashSet<>();
        for (CoordinatorSnapshot.Broker b : brokers) {
            brokerIds.add(b.id());
        }
        boolean withConfigs = version >= VERSION_2;
        int n = r.count("topic_count", 2 + 4 + (withConfigs ? 4 : 0));
        List<CoordinatorSnapshot.Topic> topics = new ArrayList<>(n);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String name = r.string("topic.name");
            if (name.isEmpty() || !names.add(name)) {
                throw r.corrupt("topic " + i + " '" + name + "' is empty or a duplicate");
            }
            int np = r.count("topic.partition_count", version >= VERSION_4 ? 4 * 8 : version >= VERSION_3 ? 4 * 7
                : 8);
            if (np == 0) {
                throw r.corrupt("topic '" + name + "' has no partitions");
            }
            List<CoordinatorSnapshot.Partition> partitions = new ArrayList<>(np);
            for (int p = 0; p < np; p++) {
                partitions.add(version >= VERSION_3 ? readPartition(r, brokerIds, name, p, version >= VERSION_4)
                    : readSingleReplica(r, brokerIds, name, p));
            }
            Map<String, String> configs = withConfigs ? readConfigs(r, name) : Map.of();
            long topicId = version >= VERSION ? r.int64("topic.topic_id") : CoordinatorSnapshot.NO_TOPIC_ID;
            topics.add(new CoordinatorSnapshot.Topic(name, partitions, configs, topicId));
        }
        return topics;
    }

    /** A version 1 or 2 partition: its one replica and leader epoch. */
    private static CoordinatorSnapshot.Partition readSingleReplica(Reader r, Set<Integer> brokerIds, String topic,
                                                                   int p) throws CorruptStateException {
        int replica = r.int32("partition.replica");
        int leaderEpoch = r.int32("partition.leader_epoch");
        if (!brokerIds.contains(replica) || leaderEpoch < 0) {
            throw r.corrupt("partition " + topic + "-" + p + " has replica " + replica + " (unknown broker?)"
                + " and leader epoch " + leaderEpoch);
        }
        return new CoordinatorSnapshot.Partition(replica, leaderEpoch);
    }

    /** @param brokerIds the brokers the replicas must be among, or null to check that later */
    static CoordinatorSnapshot.Partition readPartition(Reader r, Set<Integer> brokerIds, String topic, int p,
                                                       boolean withEligibleLeaders) throws CorruptStateException {
        int leader = r.int32("partition.leader");
        int leaderEpoch = r.int32("partition.leader_epoch");
        int partitionEpoch = r.int32("partition.partition_epoch");
        List<Integer> replicas = readIds(r, "partition.replica_count", "partition.replica");
        List<Integer> isr = readIds(r, "partition.isr_count", "partition.isr");
        List<Integer> eligibleLeaders = withEligibleLeaders
            ? readIds(r, "partition.eligible_leader_count", "partition.eligible_leader") : List.of();
        String problem = null;
        for (int replica : replicas) {
            if (brokerIds != null && !brokerIds.contains(replica)) {
                problem = "replica " + replica + " is not a listed broker";
            }
        }
        if (problem == null) {
            problem = CoordinatorSnapshot.Partition.problem(replicas, isr, leader, leaderEpoch, partitionEpoch,
                eligibleLeaders);
        }
        if (problem != null) {
            throw r.corrupt("partition " + topic + "-" + p + " (replicas " + replicas + ", isr " + isr
                + ", eligible leaders " + eligibleLeaders + ", leader "
                + leader + ", leader epoch " + leaderEpoch + ", partition epoch " + partitionEpoch + "): " + problem);
        }
        return new CoordinatorSnapshot.Partition(replicas, isr, leader, leaderEpoch, partitionEpoch,
            eligibleLeaders);
    }

    static List<Integer> readIds(Reader r, String countField, String field) throws CorruptStateException {
        int n = r.count(countField, 4);
        List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(r.int32(field));
        }
        return ids;
    }

    static Map<String, String> readConfigs(Reader r, String topic) throws CorruptStateException {
        int n = r.count("topic.config_count", 2 + 2);
        Map<String, String> configs = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            String key = r.string("config.key");
            String value = r.string("config.value");
            if (key.isEmpty() || configs.put(key, value) != null) {
                throw r.corrupt("config " + i + " '" + key + "' of topic '" + topic + "' is empty or a duplicate");
            }
        }
        return configs;
    }

    private static List<CoordinatorSnapshot.CommittedOffset> readOffsets(Reader r) throws CorruptStateException {
        int n = r.count("offset_count", 2 + 2 + 4 + 8);
        List<CoordinatorSnapshot.CommittedOffset> offsets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String group = r.string("offset.group");
            String topic = r.string("offset.topic");
            int partition = r.int32("offset.partition");
            long offset = r.int64("offset.offset");
            if (partition < 0 || offset < 0) {
                throw r.corrupt("committed offset " + i + " of group '" + group + "' for " + topic + "-" + partition
                    + " is " + offset);
            }
            offsets.add(new CoordinatorSnapshot.CommittedOffset(group, topic, partition, offset));
        }
        return offsets;
    }

    private static CorruptStateException corrupt(String source, String what) {
        return new CorruptStateException("corrupt coordinator state file " + source + ": " + what);
    }

    /** Bounds-checked reads over the body. */
    static final class Reader {
        private final ByteBuffer in;
        private final String source;

        Reader(ByteBuffer in, String source) {
            this.in = in;
            this.source = source;
        }

        CorruptStateException corrupt(String what) {
            return StateFileCodec.corrupt(source, what + " (at position " + in.position() + ")");
        }

        private void need(int bytes, String field) throws CorruptStateException {
            if (in.remaining() < bytes) {
                throw corrupt("truncated inside field '" + field + "': needs " + bytes + " bytes, " + in.remaining()
                    + " left");
            }
        }

        int int8(String field) throws CorruptStateException {
            need(1, field);
            return in.get();
        }

        int int32(String field) throws CorruptStateException {
            need(4, field);
            return in.getInt();
        }

        long int64(String field) throws CorruptStateException {
            need(8, field);
            return in.getLong();
        }

        /** A count whose elements take at least {@code minElementBytes} each, checked against the bytes left. */
        int count(String field, int minElementBytes) throws CorruptStateException {
            int n = int32(field);
            if (n < 0 || (long) n * minElementBytes > in.remaining()) {
                throw corrupt("count '" + field + "' " + n + " does not fit the " + in.remaining() + " bytes left");
            }
            return n;
        }

        String string(String field) throws CorruptStateException {
            need(2, field);
            int length = in.getShort() & 0xFFFF;
            need(length, field);
            ByteBuffer slice = in.slice();
            slice.limit(length);
            in.position(in.position() + length);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
            } catch (CharacterCodingException e) {
                throw corrupt("field '" + field + "' is not valid UTF-8");
            }
        }
    }
}
