package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.ConsumerRecord;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.message.Frame;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage sent to a live broker: each bad connection gets an error answer (where it can be addressed) and is
 * closed; a good client on its own connection keeps working; stored data does not change.
 */
class BadFrameIT {
    private static final String TOPIC = "bad-frames";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCloseBadConnectionsAndKeepServingOthers() throws Exception {
        try (TestCluster cluster = new TestCluster(dir, 1, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.broker(1).registered());
            admin.createTopic(TOPIC, 1);
            produce(cluster.bootstrap(), 0, 1000);
            Properties cp = new Properties();
            cp.setProperty("coordinator", cluster.bootstrap());
            cp.setProperty("auto.offset.reset", "earliest");
            try (YakConsumer consumer = new YakConsumer(cp)) {
                consumer.subscribe(List.of(TOPIC));
                assertThat(readValues(consumer, 1000)).hasSize(1000);
                TreeMap<String, String> before = hashes(dir.resolve("broker-1"));
                InetSocketAddress broker = cluster.broker(1).address();

                ByteBuf oversized = Unpooled.buffer().writeInt(Integer.MAX_VALUE).writeShort(15).writeShort(1)
                    .writeInt(77);
                assertAnsweredAndClosed(broker, oversized, 77, ErrorCode.FRAME_TOO_LARGE);
                ByteBuf unknownType = Unpooled.buffer().writeInt(8).writeShort(999).writeShort(1).writeInt(78);
                assertAnsweredAndClosed(broker, unknownType, 78, ErrorCode.UNKNOWN_MESSAGE_TYPE);
                ByteBuf badVersion = Unpooled.buffer().writeInt(8).writeShort(17).writeShort(9).writeInt(79);
                assertAnsweredAndClosed(broker, badVersion, 79, ErrorCode.UNSUPPORTED_VERSION);
                ByteBuf truncatedBody = Unpooled.buffer().writeInt(10).writeShort(17).writeShort(1).writeInt(80)
                    .writeShort(500);
                assertAnsweredAndClosed(broker, truncatedBody, 80, ErrorCode.MALFORMED_FRAME);
                assertCorruptBatchRejected(broker);
                long seed = System.nanoTime();
                System.out.println("BadFrameIT random garbage seed " + seed);
                Random random = new Random(seed);
                for (int i = 0; i < 20; i++) {
                    byte[] garbage = new byte[1 + random.nextInt(200)];
                    random.nextBytes(garbage);
                    sendAndDrain(broker, garbage);
                }

                assertThat(hashes(dir.resolve("broker-1"))).as("stored files unchanged").isEqualTo(before);
                assertThat(cluster.broker(1).badFrames()).isGreaterThanOrEqualTo(4);

                produce(cluster.bootstrap(), 1000, 500);
                List<String> more = readValues(consumer, 500);
                assertThat(more).first().isEqualTo("v1000");
                assertThat(more).last().isEqualTo("v1499");
            }
        }
    }

    private static void produce(String bootstrap, int from, int count) throws Exception {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = from; i < from + count; i++) {
                producer.send(TOPIC, null, ("v" + i).getBytes(UTF_8));
            }
            producer.flush();
        }
    }

    private static List<String> readValues(YakConsumer consumer, int count) {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (out.size() < count && System.nanoTime() < deadline) {
            for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                out.add(new String(r.value(), UTF_8));
            }
        }
        return out;
    }

    private static void assertAnsweredAndClosed(InetSocketAddress broker, ByteBuf frame, int correlationId,
                                                ErrorCode expected) throws IOException {
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        try (Socket s = new Socket(broker.getAddress(), broker.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = in.readInt();
            assertThat(length).isGreaterThanOrEqualTo(10);
            assertThat(in.readShort()).isEqualTo(MessageType.ERROR_RESPONSE.id());
            assertThat(in.readShort()).isEqualTo((short) 1);
            assertThat(in.readInt()).isEqualTo(correlationId);
            assertThat(ErrorCode.of(in.readShort())).isEqualTo(expected);
            in.skipNBytes(length - 10);
            assertThat(in.read()).as("connection closed after the error").isEqualTo(-1);
        }
    }

    /** A well-formed publish whose batch has a bad CRC: answered with CORRUPT_RECORD_BATCH, nothing stored. */
    private static void assertCorruptBatchRejected(InetSocketAddress broker) throws IOException {
        ByteBuf batch = Unpooled.buffer();
        RecordBatchBuilder b = new RecordBatchBuilder();
        b.begin(batch, System.currentTimeMillis(), RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
        b.append(System.currentTimeMillis(), null, "evil".getBytes(UTF_8));
        b.finish();
        batch.setByte(batch.writerIndex() - 2, batch.getByte(batch.writerIndex() - 2) ^ 0x5a);
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(81, new PublishRequest(TOPIC, 0, (short) 1, 1000, batch)), out);
        batch.release();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        try (Socket s = new Socket(broker.getAddress(), broker.getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(bytes);
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = in.readInt();
            assertThat(in.readShort()).isEqualTo(MessageType.PUBLISH_RESPONSE.id());
            in.readShort();
            assertThat(in.readInt()).isEqualTo(81);
            assertThat(ErrorCode.of(in.readShort())).isEqualTo(ErrorCode.CORRUPT_RECORD_BATCH);
            in.skipNBytes(length - 10);
        }
    }

    private static void sendAndDrain(InetSocketAddress broker, byte[] garbage) throws IOException {
        try (Socket s = new Socket(broker.getAddress(), broker.getPort())) {
            s.setSoTimeout(300);
            OutputStream out = s.getOutputStream();
            out.write(garbage);
            out.flush();
            s.shutdownOutput();
            try {
                s.getInputStream().readAllBytes();
            } catch (IOException timeoutOrReset) {
                // A short fragment of a plausible frame just waits for more bytes; the server owes no answer.
                assertThat(timeoutOrReset).isNotNull();
            }
        }
    }

    private static TreeMap<String, String> hashes(Path root) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
                out.put(root.relativize(f).toString(), HexFormat.of().formatHex(digest));
            }
        }
        return out;
    }
}
