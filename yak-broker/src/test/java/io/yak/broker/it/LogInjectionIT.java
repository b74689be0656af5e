package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.Frame;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.Message;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.record.RecordBatchBuilder;
import io.yak.wire.record.RecordBatchLayout;
import io.yak.wire.testing.CapturedLogs;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * Issue 19, log injection: a client names a topic holding a newline and a fake log line in PUBLISH, CONSUME and
 * LIST_OFFSETS. The broker answers INVALID_TOPIC, asks for no such topic, writes no forged line into any log, and
 * keeps serving a good producer and consumer.
 */
class LogInjectionIT {
    private static final String FORGED_LINE = "2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE";
    private static final String TOPIC = "good";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRefuseTopicNamesThatForgeLogLinesAndKeepServing() throws Exception {
        // Every logger at DEBUG while attached: the lines a production config hides count too.
        try (CapturedLogs ours = new CapturedLogs("io.yak");
             CapturedLogs all = new CapturedLogs(Logger.ROOT_LOGGER_NAME);
             TestCluster cluster = new TestCluster(dir, 1, 1 << 20);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap())) {
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.broker(1).registered());
            admin.createTopic(TOPIC, 1);
            produce(cluster.bootstrap(), 0, 100);
            InetSocketAddress broker = cluster.broker(1).address();

            List<String> hostile = List.of("t\n" + FORGED_LINE, "\n" + FORGED_LINE, "t\r\n" + FORGED_LINE,
                "t\u2028" + FORGED_LINE, TOPIC + "\n" + FORGED_LINE, "x".repeat(5000) + "\n" + FORGED_LINE);
            int id = 100;
            Map<String, ErrorCode> answers = new LinkedHashMap<>();
            try (Socket s = new Socket(broker.getAddress(), broker.getPort())) {
                s.setSoTimeout(10_000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                for (int i = 0; i < hostile.size(); i++) {
                    String name = hostile.get(i);
                    answers.put("LIST_OFFSETS " + i, ask(s, in, ++id, new ListOffsetsRequest(name, 0,
                        ListOffsetsRequest.NO_LEADER_EPOCH, ListOffsetsRequest.LATEST),
                        MessageType.LIST_OFFSETS_RESPONSE));
                    answers.put("CONSUME " + i, ask(s, in, ++id,
                        new ConsumeRequest(name, 0, ConsumeRequest.NO_LEADER_EPOCH, 0, 1024, 0),
                        MessageType.CONSUME_RESPONSE));
                    answers.put("PUBLISH " + i, ask(s, in, ++id, new PublishRequest(name, 0, (short) 1, 1000, batch()),
                        MessageType.PUBLISH_RESPONSE));
                }
                // The same connection still serves a valid request.
                assertThat(ask(s, in, ++id, new ListOffsetsRequest(TOPIC, 0, ListOffsetsRequest.NO_LEADER_EPOCH,
                    ListOffsetsRequest.LATEST), MessageType.LIST_OFFSETS_RESPONSE)).isEqualTo(ErrorCode.NONE);
            }
            // A creation the broker asked for would be logged by the coordinator a moment later: none may come.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertNoForgedLine(ours.events()));
            assertThat(answers).as("every hostile request answered INVALID_TOPIC")
                .allSatisfy((request, error) -> assertThat(error).as(request).isEqualTo(ErrorCode.INVALID_TOPIC));

            produce(cluster.bootstrap(), 100, 100);
            assertThat(readAll(cluster.bootstrap(), 200)).hasSize(200).startsWith("v0").endsWith("v199");
            assertThat(admin.listTopics()).as("no topic was created for a hostile name").containsExactly(TOPIC);

            assertNoForgedLine(ours.events());
            assertNoForgedLine(all.events());
        }
    }

    /** No line of any captured event, its message or a throwable's, starts with text a client sent. */
    private static void assertNoForgedLine(List<ILoggingEvent> events) {
        assertThat(events).isNotEmpty();
        for (ILoggingEvent e : events) {
            List<String> texts = new ArrayList<>();
            texts.add(e.getFormattedMessage());
            for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                texts.add(t.getMessage());
            }
            for (String text : texts) {
                if (text == null) {
                    continue;
                }
                assertThat(Stream.of(text.split("\r\n|\r|\n|\u2028|\u2029", -1)).skip(1))
                    .as("a line after the first of [%s] %s", e.getLoggerName(), text)
                    .noneMatch(line -> line.contains("FORGED LINE"));
            }
        }
    }

    /** Sends one request and reads its answer: the response's error code. */
    private static ErrorCode ask(Socket s, DataInputStream in, int correlationId, Message request,
                                 MessageType expected) throws IOException {
        ByteBuf out = Unpooled.buffer();
        FrameEncoder.encodeFully(Frame.of(correlationId, request), out);
        if (request instanceof PublishRequest p) {
            p.records().release();
        }
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        s.getOutputStream().write(bytes);
        s.getOutputStream().flush();
        int length = in.readInt();
        assertThat(in.readShort()).as("response type").isEqualTo(expected.id());
        in.readShort();
        assertThat(in.readInt()).isEqualTo(correlationId);
        ErrorCode error = ErrorCode.of(in.readShort());
        in.skipNBytes(length - 10);
        return error;
    }

    private static ByteBuf batch() {
        ByteBuf batch = Unpooled.buffer();
        RecordBatchBuilder b = new RecordBatchBuilder();
        b.begin(batch, System.currentTimeMillis(), RecordBatchLayout.NO_PRODUCER_ID,
            RecordBatchLayout.NO_PRODUCER_EPOCH, RecordBatchLayout.NO_SEQUENCE);
        b.append(System.currentTimeMillis(), null, "evil".getBytes(UTF_8));
        b.finish();
        return batch;
    }

    private static void produce(String bootstrap, int from, int count) throws Exception {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = from; i < from + count; i++) {
                producer.send(TOPIC, 0, null, ("v" + i).getBytes(UTF_8), System.currentTimeMillis())
                    .get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> readAll(String bootstrap, int count) {
        Properties c = new Properties();
        c.setProperty("coordinator", bootstrap);
        List<String> values = new ArrayList<>();
        try (YakConsumer consumer = new YakConsumer(c)) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(new String(r.value(), UTF_8));
                }
            }
        }
        return values;
    }
}
