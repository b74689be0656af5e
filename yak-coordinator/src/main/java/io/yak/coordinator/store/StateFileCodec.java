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
 * authority; the constants below mirror it. Decoding checks magic, version, the CRC32C trailer, every length and
 * count against the bytes left, and the snapshot's invariants, and reports the first problem found. Writes
 * {@link #VERSION}; reads it and {@link #VERSION_1}.
 *
 * <p>Stateless; any thread.
 */
final class StateFileCodec {
    /** "YAKC" in ASCII. */
    static final int MAGIC = 0x59414B43;
    /** The format this build writes: version 1 plus per-topic configs. */
    static final short VERSION = 2;
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

    private StateFileCodec() {
    }

    static byte[] encode(CoordinatorSnapshot s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 64 * s.offsets().size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeShort(VERSION);
            out.writeLong(s.epoch());
            out.writeLong(s.nextProducerId());
            out.writeInt(s.brokers().size());
            for (CoordinatorSnapshot.Broker b : s.brokers()) {
                out.writeInt(b.id());
                writeString(out, b.host());
                out.writeInt(b.port());
            }
            out.writeInt(s.topics().size());
            for (CoordinatorSnapshot.Topic t : s.topics()) {
                writeString(out, t.name());
                out.writeInt(t.partitions().size());
                for (CoordinatorSnapshot.Partition p : t.partitions()) {
                    out.writeInt(p.replica());
                    out.writeInt(p.leaderEpoch());
                }
                out.writeInt(t.configs().size());
                for (Map.Entry<String, String> c : t.configs().entrySet()) {
                    writeString(out, c.getKey());
                    writeString(out, c.getValue());
                }
            }
            out.writeInt(s.offsets().size());
            for (CoordinatorSnapshot.CommittedOffset o : s.offsets()) {
                writeString(out, o.group());
                writeString(out, o.topic());
                out.writeInt(o.partition());
                out.writeLong(o.offset());
            }
            CRC32C crc = new CRC32C();
            crc.update(bytes.toByteArray());
            out.writeInt((int) crc.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return bytes.toByteArray();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string of " + b.length + " UTF-8 bytes > " + MAX_STRING_BYTES);
        }
        out.writeShort(b.length);
        out.write(b);
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
        if (version != VERSION && version != VERSION_1) {
            throw corrupt(source, "unsupported format version " + version + " (this build reads " + VERSION_1
                + " and " + VERSION + ")");
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
        List<CoordinatorSnapshot.Broker> brokers = readBrokers(r);
        List<CoordinatorSnapshot.Topic> topics = readTopics(r, brokers, version >= VERSION);
        List<CoordinatorSnapshot.CommittedOffset> offsets = readOffsets(r);
        if (in.hasRemaining()) {
            throw corrupt(source, in.remaining() + " unexpected bytes before the CRC at position " + in.position());
        }
        return new CoordinatorSnapshot(epoch, nextProducerId, brokers, topics, offsets);
    }

    private static List<CoordinatorSnapshot.Broker> readBrokers(Reader r) throws CorruptStateException {
        int n = r.count("broker_count", 4 + 2 + 4);
        List<CoordinatorSnapshot.Broker> brokers = new ArrayList<>(n);
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            int id = r.int32("broker.id");
            String host = r.string("broker.host");
            int port = r.int32("broker.port");
            if (id < 0 || port < 0 || port > 65535 || host.isEmpty() || !ids.add(id)) {
                throw r.corrupt("broker " + i + " (id " + id + " at " + host + ":" + port + ") is invalid or a duplicate");
            }
            brokers.add(new CoordinatorSnapshot.Broker(id, host, port));
        }
        return brokers;
    }

    private static List<CoordinatorSnapshot.Topic> readTopics(Reader r, List<CoordinatorSnapshot.Broker> brokers,
                                                              boolean withConfigs) throws CorruptStateException {
        Set<Integer> brokerIds = new HashSet<>();
        for (CoordinatorSnapshot.Broker b : brokers) {
            brokerIds.add(b.id());
        }
        int n = r.count("topic_count", 2 + 4 + (withConfigs ? 4 : 0));
        List<CoordinatorSnapshot.Topic> topics = new ArrayList<>(n);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String name = r.string("topic.name");
            if (name.isEmpty() || !names.add(name)) {
                throw r.corrupt("topic " + i + " '" + name + "' is empty or a duplicate");
            }
            int np = r.count("topic.partition_count", 8);
            if (np == 0) {
                throw r.corrupt("topic '" + name + "' has no partitions");
            }
            List<CoordinatorSnapshot.Partition> partitions = new ArrayList<>(np);
            for (int p = 0; p < np; p++) {
                int replica = r.int32("partition.replica");
                int leaderEpoch = r.int32("partition.leader_epoch");
                if (!brokerIds.contains(replica) || leaderEpoch < 0) {
                    throw r.corrupt("partition " + name + "-" + p + " has replica " + replica + " (unknown broker?)"
                        + " and leader epoch " + leaderEpoch);
                }
                partitions.add(new CoordinatorSnapshot.Partition(replica, leaderEpoch));
            }
            Map<String, String> configs = withConfigs ? readConfigs(r, name) : Map.of();
            topics.add(new CoordinatorSnapshot.Topic(name, partitions, configs));
        }
        return topics;
    }

    private static Map<String, String> readConfigs(Reader r, String topic) throws CorruptStateException {
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
    private static final class Reader {
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
