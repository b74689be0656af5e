package io.yak.coordinator.store;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes the change log {@code coordinator.log}: a header, then one frame per {@link StateRecord}, each
 * with its own length and CRC32C, so a torn last frame (a crash while appending) is recognised and dropped. The
 * layout is specified in {@code STATE.md}, "Change log layout", which {@code StateDocumentTest} keeps in step with
 * the field names written here. Field encodings are the state file's ({@link StateFileCodec}).
 *
 * <p>Stateless; any thread.
 */
final class ChangeLogCodec {
    /** "YAKL" in ASCII. */
    static final int MAGIC = 0x59414B4C;
    static final short VERSION = 1;
    static final int HEADER_LENGTH = 4 + 2;
    /** A frame's length and CRC fields. */
    static final int FRAME_OVERHEAD = 4 + 4;
    /** Larger frames are torn or corrupt: no record comes near (a topic of 10,000 partitions of 3 replicas). */
    static final int MAX_FRAME_BYTES = 8 * 1024 * 1024;

    static final byte COUNTERS = 1;
    static final byte BROKER = 2;
    static final byte BROKER_FORGOTTEN = 3;
    static final byte TOPIC = 4;
    static final byte PARTITION = 5;
    static final byte OFFSET = 6;
    static final byte GROUP_DELETED = 7;
    static final byte TOPIC_DELETED = 8;
    /** A topic with its id; replaces type 4 (still read: its topic has no id), which no longer is written. */
    static final byte TOPIC_WITH_ID = 9;

    private ChangeLogCodec() {
    }

    static byte[] header() {
        return ByteBuffer.allocate(HEADER_LENGTH).putInt(MAGIC).putShort(VERSION).array();
    }

    /** The frames of {@code records}, back to back. */
    static byte[] encode(List<StateRecord> records) {
        return write(records, null);
    }

    /** The fields {@link #encode} writes for {@code records}, header first, each field once; for STATE.md. */
    static List<StateFileCodec.Field> layout(List<StateRecord> records) {
        List<StateFileCodec.Field> fields = new ArrayList<>();
        fields.add(new StateFileCodec.Field("magic", "4"));
        fields.add(new StateFileCodec.Field("version", "2"));
        write(records, fields);
        return fields;
    }

    private static byte[] write(List<StateRecord> records, List<StateFileCodec.Field> trace) {
        ByteArrayOutputStream all = new ByteArrayOutputStream(64 * records.size());
        DataOutputStream frames = new DataOutputStream(all);
        try {
            for (StateRecord r : records) {
                if (trace != null && trace.stream().noneMatch(f -> f.name().equals("record.length"))) {
                    trace.add(new StateFileCodec.Field("record.length", "4"));
                    trace.add(new StateFileCodec.Field("record.crc", "4"));
                }
                ByteArrayOutputStream body = new ByteArrayOutputStream(64);
                writeBody(new StateFileCodec.Writer(new DataOutputStream(body), trace), r);
                byte[] bytes = body.toByteArray();
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                frames.writeInt(bytes.length);
                frames.writeInt((int) crc.getValue());
                frames.write(bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return all.toByteArray();
    }

    private static void writeBody(StateFileCodec.Writer out, StateRecord r) throws IOException {
        if (r instanceof StateRecord.Counters c) {
            out.int8("record.type", COUNTERS);
            out.int64("counters.epoch", c.epoch());
            out.int64("counters.next_producer_id", c.nextProducerId());
        } else if (r instanceof StateRecord.BrokerRecord b) {
            out.int8("record.type", BROKER);
            StateFileCodec.writeBroker(out, b.broker());
        } else if (r instanceof StateRecord.BrokerForgotten f) {
            out.int8("record.type", BROKER_FORGOTTEN);
            out.int32("forgotten.broker_id", f.brokerId());
        } else if (r instanceof StateRecord.TopicRecord t) {
            out.int8("record.type", TOPIC_WITH_ID);
            out.string("topic.name", t.topic().name());
            out.int32("topic.partition_count", t.topic().partitions().size());
            for (CoordinatorSnapshot.Partition p : t.topic().partitions()) {
                StateFileCodec.writePartition(out, p);
            }
            StateFileCodec.writeConfigs(out, t.topic().configs());
            out.int64("topic.topic_id", t.topic().topicId());
        } else if (r instanceof StateRecord.GroupDeleted g) {
            out.int8("record.type", GROUP_DELETED);
            out.string("deleted.group", g.group());
        } else if (r instanceof StateRecord.TopicDeleted t) {
            out.int8("record.type", TOPIC_DELETED);
            out.string("deleted.topic", t.topic());
        } else if (r instanceof StateRecord.PartitionRecord p) {
            out.int8("record.type", PARTITION);
            out.string("change.topic", p.topic());
            out.int32("change.partition", p.partition());
            StateFileCodec.writePartition(out, p.state());
        } else if (r instanceof StateRecord.OffsetRecord o) {
            out.int8("record.type", OFFSET);
            out.string("offset.group", o.offset().group());
            out.string("offset.topic", o.offset().topic());
            out.int32("offset.partition", o.offset().partition());
            out.int64("offset.offset", o.offset().offset());
        } else {
            throw new IllegalStateException("record " + r);
        }
    }

    /**
     * What a change log holds.
     *
     * @param records   the records of every whole, intact frame, in order
     * @param validEnd  the byte position after the last of them: where appending continues
     * @param tornBytes bytes after it that are not a whole intact frame (a torn append), 0 when none
     */
    record Contents(List<StateRecord> records, long validEnd, long tornBytes) {
    }

    /**
     * Reads a change log. A frame that runs past the end or fails its CRC ends the log there (a torn append: the
     * store forces each append before it answers, so only the last one can be torn); a frame whose CRC holds but
     * whose body breaks the format is corruption.
     *
     * @throws CorruptStateException on a bad header or a malformed record that passed its CRC
     */
    static Contents decode(byte[] file, String source) throws CorruptStateException {
        ByteBuffer in = ByteBuffer.wrap(file);
        if (file.length < HEADER_LENGTH || in.getInt() != MAGIC || in.getShort() != VERSION) {
            throw new CorruptStateException("corrupt coordinator change log " + source + ": bad header (magic "
                + "0x59414B4C and version " + VERSION + " expected)");
        }
        List<StateRecord> records = new ArrayList<>();
        while (in.remaining() >= FRAME_OVERHEAD) {
            int start = in.position();
            int length = in.getInt();
            int crc = in.getInt();
            if (length < 1 || length > MAX_FRAME_BYTES || length > in.remaining()) {
                in.position(start);
                break;
            }
            CRC32C computed = new CRC32C();
            computed.update(file, in.position(), length);
            if ((int) computed.getValue() != crc) {
                in.position(start);
                break;
            }
            ByteBuffer body = in.slice();
            body.limit(length);
            in.position(in.position() + length);
            records.add(readBody(new StateFileCodec.Reader(body, source + " (record " + records.size() + ")"),
                body));
        }
        return new Contents(records, in.position(), file.length - in.position());
    }

    private static StateRecord readBody(StateFileCodec.Reader r, ByteBuffer body) throws CorruptStateException {
        int type = r.int8("record.type");
        StateRecord record = switch (type) {
            case COUNTERS -> new StateRecord.Counters(r.int64("counters.epoch"), r.int64("counters.next_producer_id"));
            case BROKER -> new StateRecord.BrokerRecord(StateFileCodec.readBroker(r, true));
            case BROKER_FORGOTTEN -> new StateRecord.BrokerForgotten(r.int32("forgotten.broker_id"));
            case TOPIC, TOPIC_WITH_ID -> {
                String name = r.string("topic.name");
                int n = r.count("topic.partition_count", 4 * 8);
                if (name.isEmpty() || n == 0) {
                    throw r.corrupt("topic '" + name + "' with " + n + " partitions");
                }
                List<CoordinatorSnapshot.Partition> ps = new ArrayList<>(n);
                for (int p = 0; p < n; p++) {
                    ps.add(StateFileCodec.readPartition(r, null, name, p, true));
                }
                Map<String, String> configs = StateFileCodec.readConfigs(r, name);
                long topicId = type == TOPIC_WITH_ID ? r.int64("topic.topic_id") : CoordinatorSnapshot.NO_TOPIC_ID;
                yield new StateRecord.TopicRecord(new CoordinatorSnapshot.Topic(name, ps, configs, topicId));
            }
            case PARTITION -> {
                String topic = r.string("change.topic");
                int p = r.int32("change.partition");
                yield new StateRecord.PartitionRecord(topic, p, StateFileCodec.readPartition(r, null, topic, p, true));
            }
            case OFFSET -> {
                String group = r.string("offset.group");
                String topic = r.string("offset.topic");
                int partition = r.int32("offset.partition");
                long offset = r.int64("offset.offset");
                if (partition < 0 || offset < 0) {
                    throw r.corrupt("committed offset of group '" + group + "' for " + topic + "-" + partition
                        + " is " + offset);
                }
                yield new StateRecord.OffsetRecord(new CoordinatorSnapshot.CommittedOffset(group, topic, partition,
                    offset));
            }
            case GROUP_DELETED -> new StateRecord.GroupDeleted(r.string("deleted.group"));
            case TOPIC_DELETED -> new StateRecord.TopicDeleted(r.string("deleted.topic"));
            default -> throw r.corrupt("unknown record type " + type);
        };
        if (body.hasRemaining()) {
            throw r.corrupt(body.remaining() + " unexpected bytes after the record");
        }
        return record;
    }
}
