package io.yak.wire.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.yak.wire.ErrorCode;
import io.yak.wire.FrameLayout;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;
import io.yak.wire.codec.FrameDecoder;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.testing.RandomMessages;
import io.yak.wire.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message type survives FrameEncoder -> FrameDecoder unchanged, for random field values. */
class MessageRoundTripTest {
    private static final int SEEDS = 20;

    static Stream<Arguments> typesAndSeeds() {
        long[] seeds = Seeds.seeds(SEEDS).toArray();
        return Arrays.stream(MessageType.values())
            .flatMap(type -> Arrays.stream(seeds).mapToObj(seed -> Arguments.of(type, seed)));
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("typesAndSeeds")
    void shouldRoundTripEveryMessageTypeThroughEncodeFullyAndFrameDecoder(MessageType type, long seed) {
        Random random = Seeds.random("MessageRoundTripTest " + type, seed);
        Frame original = new RandomMessages(random).frame(type);
        ByteBuf encoded = ByteBufAllocator.DEFAULT.directBuffer();
        FrameEncoder.encodeFully(original, encoded);

        assertThat(encoded.getInt(FrameLayout.LENGTH_OFFSET)).isEqualTo(encoded.readableBytes() - 4);
        assertThat(encoded.getShort(FrameLayout.TYPE_OFFSET)).isEqualTo(type.id());
        assertThat(encoded.getShort(FrameLayout.VERSION_OFFSET)).isEqualTo(MessageType.VERSION_1);
        assertThat(encoded.getInt(FrameLayout.CORRELATION_ID_OFFSET)).isEqualTo(original.correlationId());

        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
        channel.writeInbound(encoded);
        Frame decoded = channel.readInbound();
        try {
            assertThat(channel.<Object>readInbound()).isNull();
            assertThat(decoded.type()).isEqualTo(type);
            assertThat(decoded.version()).isEqualTo(original.version());
            assertThat(decoded.correlationId()).isEqualTo(original.correlationId());
            assertSameMessage(decoded.message(), original.message());
        } finally {
            decoded.release();
            original.release();
        }
        assertThat(channel.finish()).isFalse();
        assertThat(encoded.refCnt()).isZero();
        assertReleased(original.message());
        assertReleased(decoded.message());
    }

    @ParameterizedTest(name = "{0} seed={1}")
    @MethodSource("typesAndSeeds")
    void shouldWriteTheSameBytesThroughTheEncoderHandlerAsEncodeFully(MessageType type, long seed) {
        Random random = Seeds.random("MessageRoundTripTest encoder " + type, seed);
        Frame frame = new RandomMessages(random).frame(type);
        ByteBuf expected = Unpooled.buffer();
        FrameEncoder.encodeFully(frame, expected);

        EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
        assertThat(channel.writeOutbound(frame)).isTrue();
        List<ByteBuf> written = new ArrayList<>();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            written.add(b);
        }
        assertThat(written).hasSize(frame.message().payload() == null ? 1 : 2);
        ByteBuf actual = Unpooled.wrappedBuffer(written.toArray(new ByteBuf[0]));
        try {
            assertThat(ByteBufUtil.hexDump(actual)).isEqualTo(ByteBufUtil.hexDump(expected));
        } finally {
            actual.release();
            expected.release();
        }
        assertThat(channel.finish()).isFalse();
        for (ByteBuf b : written) {
            assertThat(b.refCnt()).isZero();
        }
        assertReleased(frame.message());
    }

    @ParameterizedTest
    @EnumSource(MessageType.class)
    void shouldDecodeABodySplitOverACompositeBuffer(MessageType type) {
        Random random = Seeds.random("MessageRoundTripTest composite " + type, type.ordinal());
        Frame frame = new RandomMessages(random).frame(type);
        ByteBuf encoded = Unpooled.buffer();
        FrameEncoder.encodeFully(frame, encoded);
        encoded.skipBytes(FrameLayout.BODY_OFFSET);
        int cut = encoded.readableBytes() / 2;
        ByteBuf composite = Unpooled.wrappedBuffer(encoded.readRetainedSlice(cut), encoded.readRetainedSlice(
            encoded.readableBytes()));
        encoded.release();

        Message decoded = Messages.decode(type, composite);
        try {
            assertThat(composite.isReadable()).isFalse();
            assertSameMessage(decoded, frame.message());
        } finally {
            decoded.release();
            frame.release();
            composite.release();
        }
        assertThat(encoded.refCnt()).isZero();
    }

    @Test
    void shouldRoundTripBoundaryValues() {
        String longest = "é".repeat(Codec.MAX_STRING_BYTES / 2) + "x"; // 32767 UTF-8 bytes
        assertThat(longest.getBytes(StandardCharsets.UTF_8)).hasSize(Codec.MAX_STRING_BYTES);
        List<Message> messages = List.of(
            new RegisterBrokerRequest(Integer.MIN_VALUE, longest, Integer.MAX_VALUE, Long.MIN_VALUE, true),
            new RegisterConsumerRequest("", null),
            new ErrorResponse(ErrorCode.NONE, null),
            new ErrorResponse(ErrorCode.INVALID_TOPIC, ""),
            new MetadataRequest(true, Collections.nCopies(Codec.MAX_COUNT, "")),
            new MetadataRequest(false, List.of()),
            new HeartbeatRequest(Integer.MAX_VALUE, Collections.nCopies(Codec.MAX_COUNT, new PartitionRef("", -1))),
            new HeartbeatRequest(0, List.of(new PartitionRef(longest, Integer.MIN_VALUE))),
            new CreateTopicResponse(ErrorCode.NO_LIVE_BROKERS, null, ClusterMetadata.EMPTY),
            new LeaderInfo(new ClusterMetadata(Long.MAX_VALUE, List.of(new BrokerInfo(0, "h", 0, false)),
                List.of(new TopicInfo("t", List.of()), new TopicInfo("\u0000", List.of(new PartitionInfo(0, -1, 0, 0, List.of(3), List.of(3))))))),
            new LeaderInfoDelta(0, Long.MAX_VALUE, List.of(), List.of(), List.of(), List.of()),
            new LeaderInfoDelta(Long.MAX_VALUE - 1, Long.MAX_VALUE, List.of(new BrokerInfo(-1, "", 0, false)),
                List.of(Integer.MIN_VALUE), List.of(new TopicInfo("", List.of())),
                List.of(new PartitionChange("", PartitionInfo.single(Integer.MAX_VALUE, -1, -1)))),
            new PublishRequest("t", 0, (short) -1, 0, Unpooled.buffer(0)),
            new ConsumeResponse(ErrorCode.NONE, 0, 0, 0, Unpooled.buffer(0)));
        for (Message m : messages) {
            Frame decoded = roundTrip(Frame.of(0, m));
            try {
                assertSameMessage(decoded.message(), m);
            } finally {
                decoded.release();
                m.release();
            }
        }
    }

    @Test
    void shouldEncodeConfigsSortedByKeyWhateverTheInsertionOrder() {
        Map<String, String> backwards = new LinkedHashMap<>();
        backwards.put("segment.bytes", "4096");
        backwards.put("retention.ms", "1000");
        backwards.put("flush.ms", "5");
        CreateTopicRequest fromLinked = new CreateTopicRequest("t", 2, backwards);
        CreateTopicRequest fromTree = new CreateTopicRequest("t", 2, new TreeMap<>(backwards));
        assertThat(fromLinked).isEqualTo(fromTree);
        assertThat(fromLinked.configs().keySet()).containsExactly("flush.ms", "retention.ms", "segment.bytes");
        assertThat(hex(fromLinked)).isEqualTo(hex(fromTree));
        assertThatThrownBy(() -> fromLinked.configs().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);

        ByteBuf body = Unpooled.buffer();
        try {
            fromLinked.writeBody(body);
            assertThat(body.readShort()).isEqualTo((short) 1); // "t"
            body.skipBytes(1 + 4 + 2); // "t", partitions, replication_factor
            assertThat(body.readInt()).as("config_count").isEqualTo(3);
            assertThat(Codec.readRequiredString(body, "key")).isEqualTo("flush.ms");
            assertThat(Codec.readRequiredString(body, "value")).isEqualTo("5");
        } finally {
            body.release();
        }
        Frame decoded = roundTrip(Frame.of(3, fromLinked));
        assertSameMessage(decoded.message(), fromLinked);
    }

    @Test
    void shouldKeepTheConvenienceConstructorsWithoutConfigs() {
        assertThat(new CreateTopicRequest("t", -1).configs()).isEmpty();
        assertThat(new CreateTopicRequest("t", -1)).isEqualTo(new CreateTopicRequest("t", -1, Map.of()))
            .isEqualTo(new CreateTopicRequest("t", -1, null));
        TopicInfo plain = new TopicInfo("t", List.of(PartitionInfo.single(0, 1, 0)));
        assertThat(plain.configs()).isEmpty();
        assertThat(plain).isEqualTo(new TopicInfo("t", plain.partitions(), Map.of()));
        assertThat(plain.config("retention.ms")).isNull();
        assertThat(plain.longConfig("retention.ms", 77)).isEqualTo(77);
        Map<String, String> withNullValue = new HashMap<>();
        withNullValue.put("retention.ms", null);
        assertThatThrownBy(() -> new TopicInfo("t", List.of(), withNullValue)).isInstanceOf(NullPointerException.class)
            .hasMessageContaining("retention.ms");
    }

    @Test
    void shouldReadTopicConfigsAsStringsAndLongs() {
        TopicInfo t = new TopicInfo("orders", List.of(), Map.of("retention.ms", "-1", "segment.bytes", "8192",
            "odd", "x"));
        assertThat(t.config("segment.bytes")).isEqualTo("8192");
        assertThat(t.longConfig("segment.bytes", 1)).isEqualTo(8192);
        assertThat(t.longConfig("retention.ms", 1)).isEqualTo(-1);
        assertThat(t.longConfig("flush.ms", 42)).isEqualTo(42);
        assertThatThrownBy(() -> t.longConfig("odd", 1)).isInstanceOf(NumberFormatException.class)
            .hasMessageContaining("orders").hasMessageContaining("odd=x");
        LeaderInfo pushed = new LeaderInfo(new ClusterMetadata(4, List.of(), List.of(t)));
        Frame decoded = roundTrip(Frame.of(0, pushed));
        assertThat(((LeaderInfo) decoded.message()).metadata().topic("orders").configs())
            .containsExactly(Map.entry("odd", "x"), Map.entry("retention.ms", "-1"), Map.entry("segment.bytes", "8192"));
    }

    @Test
    void shouldRejectARepeatedConfigKey() {
        ByteBuf body = Unpooled.buffer();
        Codec.writeString(body, "t");
        body.writeInt(1).writeShort(-1).writeInt(2);
        for (int i = 0; i < 2; i++) {
            Codec.writeString(body, "retention.ms");
            Codec.writeString(body, Integer.toString(i));
        }
        assertMalformed(MessageType.CREATE_TOPIC_REQUEST, body, "config key 'retention.ms' repeated");
        ByteBuf negative = Unpooled.buffer();
        Codec.writeString(negative, "t");
        negative.writeInt(1).writeShort(-1).writeInt(-1);
        assertMalformed(MessageType.CREATE_TOPIC_REQUEST, negative, "outside 0..65536");
    }

    @Test
    void shouldLayOutAHeartbeatAsWireMdSays() {
        HeartbeatRequest healthy = new HeartbeatRequest(7);
        assertThat(healthy.offlinePartitions()).isEmpty();
        assertThat(healthy).isEqualTo(new HeartbeatRequest(7, List.of()));
        assertThat(hex(healthy)).isEqualTo("00000007" + "00000000");

        HeartbeatRequest reporting = new HeartbeatRequest(2, List.of(new PartitionRef("ab", 3),
            new PartitionRef("é", 0)));
        assertThat(hex(reporting)).isEqualTo("00000002" + "00000002" + "0002" + "6162" + "00000003"
            + "0002" + "c3a9" + "00000000");
        assertThat(new PartitionRef("orders", 3)).hasToString("orders-3");
        assertThatThrownBy(() -> reporting.offlinePartitions().add(new PartitionRef("x", 1)))
            .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> new PartitionRef(null, 1)).isInstanceOf(NullPointerException.class);
        List<PartitionRef> mutable = new ArrayList<>(List.of(new PartitionRef("t", 0)));
        HeartbeatRequest copied = new HeartbeatRequest(1, mutable);
        mutable.clear();
        assertThat(copied.offlinePartitions()).containsExactly(new PartitionRef("t", 0));

        Frame decoded = roundTrip(Frame.of(9, reporting));
        assertSameMessage(decoded.message(), reporting);
        assertThat(((HeartbeatRequest) decoded.message()).offlinePartitions()).containsExactly(
            new PartitionRef("ab", 3), new PartitionRef("é", 0));
    }

    @Test
    void shouldRejectMalformedOfflinePartitionLists() {
        assertMalformed(MessageType.HEARTBEAT_REQUEST, Unpooled.buffer().writeInt(1), "offline_partition_count");
        assertMalformed(MessageType.HEARTBEAT_REQUEST, Unpooled.buffer().writeInt(1).writeInt(-1),
            "outside 0..65536");
        assertMalformed(MessageType.HEARTBEAT_REQUEST, Unpooled.buffer().writeInt(1).writeInt(Codec.MAX_COUNT + 1),
            "outside 0..65536");
        // The largest count with no entries behind it: refused at the first missing field.
        assertMalformed(MessageType.HEARTBEAT_REQUEST, Unpooled.buffer().writeInt(1).writeInt(Codec.MAX_COUNT),
            "partition_ref.topic");
        ByteBuf nullTopic = Unpooled.buffer().writeInt(1).writeInt(1).writeShort(-1).writeInt(0);
        assertMalformed(MessageType.HEARTBEAT_REQUEST, nullTopic, "must not be null");
        ByteBuf badLength = Unpooled.buffer().writeInt(1).writeInt(1).writeShort(-2).writeInt(0);
        assertMalformed(MessageType.HEARTBEAT_REQUEST, badLength, "length -2");
        ByteBuf shortPartition = Unpooled.buffer().writeInt(1).writeInt(1).writeShort(1).writeByte('t').writeShort(0);
        assertMalformed(MessageType.HEARTBEAT_REQUEST, shortPartition, "partition_ref.partition");
        ByteBuf oneOfTwo = Unpooled.buffer().writeInt(1).writeInt(2).writeShort(1).writeByte('t').writeInt(0);
        assertMalformed(MessageType.HEARTBEAT_REQUEST, oneOfTwo, "partition_ref.topic");
        ByteBuf trailing = Unpooled.buffer().writeInt(1).writeInt(1).writeShort(1).writeByte('t').writeInt(0)
            .writeByte(0);
        assertMalformed(MessageType.HEARTBEAT_REQUEST, trailing, "1 unexpected bytes after the body");
        // The body of the first draft (broker_id alone) is not a heartbeat any more.
        assertMalformed(MessageType.HEARTBEAT_REQUEST, Unpooled.buffer().writeInt(1).writeShort(0),
            "offline_partition_count");
    }

    @Test
    void shouldLayOutADeltaAsWireMdSays() {
        LeaderInfoDelta delta = new LeaderInfoDelta(4, 6, List.of(), List.of(2), List.of(),
            List.of(new PartitionChange("t", new PartitionInfo(1, 3, 0, 0, List.of(3), List.of(3)))));
        assertThat(hex(delta)).isEqualTo("0000000000000004" + "0000000000000006" + "00000000" + "00000001"
            + "00000002" + "00000000" + "00000001" + "0001" + "74" + "00000001" + "00000003" + "00000000" + "00000000"
            + "00000001" + "00000003" + "00000001" + "00000003" + "00000000" + "00000000");
        Frame decoded = roundTrip(Frame.of(0, delta));
        assertSameMessage(decoded.message(), delta);
        assertThat(decoded.correlationId()).isZero();
    }

    @Test
    void shouldRefuseADeltaThatDoesNotMoveForwardOrNamesANegativePartition() {
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(-1, 3), "base_epoch -1");
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(3, 3), "base_epoch 3 to epoch 3");
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(5, 4), "base_epoch 5 to epoch 4");
        assertMalformed(MessageType.LEADER_INFO_DELTA, Unpooled.buffer().writeLong(1), "epoch");

        ByteBuf negative = deltaBody(1, 2).writeInt(0).writeInt(0).writeInt(0).writeInt(1);
        Codec.writeString(negative, "t");
        new PartitionInfo(-1, -1, 0, 0, List.of(), List.of()).write(negative);
        assertMalformed(MessageType.LEADER_INFO_DELTA, negative, "topic t names partition -1");

        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(1, 2).writeInt(-1), "outside 0..65536");
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(1, 2).writeInt(0).writeInt(Codec.MAX_COUNT + 1),
            "outside 0..65536");
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(1, 2).writeInt(0).writeInt(0).writeInt(-5),
            "outside 0..65536");
        // The largest count with nothing behind it: refused at the first missing field, nothing big allocated.
        assertMalformed(MessageType.LEADER_INFO_DELTA,
            deltaBody(1, 2).writeInt(0).writeInt(0).writeInt(0).writeInt(Codec.MAX_COUNT), "partition_change.topic");
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(1, 2).writeInt(0).writeInt(0).writeInt(0),
            "partition_count");
        assertMalformed(MessageType.LEADER_INFO_DELTA, deltaBody(1, 2).writeInt(0).writeInt(0).writeInt(0).writeInt(0),
            "deleted_topic_count");
        ByteBuf trailing = deltaBody(1, 2).writeInt(0).writeInt(0).writeInt(0).writeInt(0).writeInt(0).writeByte(0);
        assertMalformed(MessageType.LEADER_INFO_DELTA, trailing, "1 unexpected bytes after the body");

        assertThatThrownBy(() -> new LeaderInfoDelta(2, 2, List.of(), List.of(), List.of(), List.of()))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base_epoch 2 to epoch 2");
        assertThatThrownBy(() -> new PartitionChange("t", PartitionInfo.single(-1, 1, 0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition -1");
    }

    @Test
    void shouldCarryTheCurrentLeaderEpochAfterThePartitionAsWireMdSays() {
        ConsumeRequest consume = new ConsumeRequest("t", 2, 7, 5, 1024, 100);
        assertThat(hex(consume)).isEqualTo("0001" + "74" + "00000002" + "00000007" + "0000000000000005" + "00000400"
            + "00000064");
        ListOffsetsRequest list = new ListOffsetsRequest("t", 2, 7, ListOffsetsRequest.EARLIEST);
        assertThat(hex(list)).isEqualTo("0001" + "74" + "00000002" + "00000007" + "fffffffffffffffe");
        assertThat(ConsumeRequest.NO_LEADER_EPOCH).isEqualTo(ListOffsetsRequest.NO_LEADER_EPOCH).isEqualTo(-1);
        for (int epoch : new int[] {ConsumeRequest.NO_LEADER_EPOCH, 0, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            for (Message m : List.of(new ConsumeRequest("t", 0, epoch, 0, 1, 0),
                    new ListOffsetsRequest("t", 0, epoch, ListOffsetsRequest.LATEST))) {
                Frame decoded = roundTrip(Frame.of(4, m));
                assertSameMessage(decoded.message(), m);
            }
        }
        // The body of the draft without the epoch is one int32 short: refused, not read as another offset.
        ByteBuf draft = Unpooled.buffer();
        Codec.writeString(draft, "t");
        draft.writeInt(0).writeLong(ListOffsetsRequest.LATEST);
        assertMalformed(MessageType.LIST_OFFSETS_REQUEST, draft, "timestamp");
    }

    private static ByteBuf deltaBody(long baseEpoch, long epoch) {
        return Unpooled.buffer().writeLong(baseEpoch).writeLong(epoch);
    }

    private static String hex(Message m) {
        ByteBuf b = Unpooled.buffer();
        try {
            m.writeBody(b);
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    @Test
    void shouldRejectAStringLongerThanTheInt16LengthAllows() {
        String tooLong = "x".repeat(Codec.MAX_STRING_BYTES + 1);
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> FrameEncoder.encodeFully(Frame.of(1, new RegisterProducerRequest(tooLong)), out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32768");
        } finally {
            out.release();
        }
    }

    @Test
    void shouldMapUnknownErrorCodesToUnknownServerError() {
        ByteBuf body = Unpooled.buffer().writeShort(999).writeLong(5);
        try {
            Message m = Messages.decode(MessageType.FETCH_OFFSET_RESPONSE, body);
            assertThat(m).isEqualTo(new FetchOffsetResponse(ErrorCode.UNKNOWN_SERVER_ERROR, 5));
        } finally {
            body.release();
        }
        assertThat(ErrorCode.of(-1)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        assertThat(ErrorCode.of(Short.MAX_VALUE)).isEqualTo(ErrorCode.UNKNOWN_SERVER_ERROR);
        for (ErrorCode e : ErrorCode.values()) {
            assertThat(ErrorCode.of(e.code())).isSameAs(e);
        }
    }

    @Test
    void shouldRejectPartitionsOutOfOrderAndCountsOutOfRange() {
        ByteBuf body = Unpooled.buffer();
        new LeaderInfo(new ClusterMetadata(1, List.of(), List.of(new TopicInfo("t", List.of(
            PartitionInfo.single(0, 1, 0), PartitionInfo.single(1, 1, 0)))))).writeBody(body);
        body.setInt(body.writerIndex() - 8 - 4 - 36, 5); // second partition (before configs and id) claims number 5
        assertMalformed(MessageType.LEADER_INFO, body, "partition 5 at position 1");

        ByteBuf counts = Unpooled.buffer().writeBoolean(false).writeInt(Codec.MAX_COUNT + 1);
        assertMalformed(MessageType.METADATA_REQUEST, counts, "outside 0..65536");
        ByteBuf negative = Unpooled.buffer().writeBoolean(false).writeInt(-1);
        assertMalformed(MessageType.METADATA_REQUEST, negative, "outside 0..65536");
    }

    @Test
    void shouldRejectNullInARequiredStringAndBadBooleans() {
        assertMalformed(MessageType.REGISTER_PRODUCER_REQUEST, Unpooled.buffer().writeShort(-1), "must not be null");
        assertMalformed(MessageType.REGISTER_PRODUCER_REQUEST, Unpooled.buffer().writeShort(-2), "length -2");
        assertMalformed(MessageType.METADATA_REQUEST, Unpooled.buffer().writeByte(2).writeInt(0), "must be 0 or 1");
        assertMalformed(MessageType.PUBLISH_REQUEST,
            Unpooled.buffer().writeShort(1).writeByte('t').writeInt(0).writeShort(1).writeInt(0).writeInt(3).writeByte(9),
            "records_length 3 but 1 bytes follow");
    }

    private static void assertMalformed(MessageType type, ByteBuf body, String detail) {
        try {
            assertThatThrownBy(() -> Messages.decode(type, body))
                .isInstanceOfSatisfying(WireException.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED_FRAME))
                .hasMessageContaining(detail);
        } finally {
            body.release();
        }
    }

    private static Frame roundTrip(Frame frame) {
        ByteBuf encoded = Unpooled.buffer();
        FrameEncoder.encodeFully(frame, encoded);
        EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(FrameLayout.DEFAULT_MAX_FRAME_BYTES));
        channel.writeInbound(encoded);
        Frame decoded = channel.readInbound();
        assertThat(channel.finish()).isFalse();
        return decoded;
    }

    /** Records compare field by field; payload buffers compare by their readable bytes. */
    static void assertSameMessage(Message actual, Message expected) {
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        assertThat(actual.type()).isEqualTo(expected.type());
        ByteBuf expectedPayload = expected.payload();
        if (expectedPayload == null) {
            assertThat(actual.payload()).isNull();
            assertThat(actual).isEqualTo(expected);
            return;
        }
        assertThat(ByteBufUtil.hexDump(actual.payload())).isEqualTo(ByteBufUtil.hexDump(expectedPayload));
        assertThat(actual).usingRecursiveComparison().ignoringFields("records").isEqualTo(expected);
    }

    private static void assertReleased(Message m) {
        if (m.payload() != null) {
            assertThat(m.payload().refCnt()).as("payload of %s", m.type()).isZero();
        }
    }
}
