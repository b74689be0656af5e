package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.yak.client.ConsumerRecord;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import io.yak.wire.MessageType;
import io.yak.wire.codec.FrameEncoder;
import io.yak.wire.codec.ServerLimits;
import io.yak.wire.log.RejectReason;
import io.yak.wire.message.CommitOffsetRequest;
import io.yak.wire.message.ConsumeRequest;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.FetchOffsetRequest;
import io.yak.wire.message.Frame;
import io.yak.wire.message.ListOffsetsRequest;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.PublishRequest;
import io.yak.wire.testing.RandomMessages;
import java.io.IOException;
import java.io.InputStream;
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
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The fuzzer of issue 19 as a test: a live coordinator and broker get seeded random, mutated and malformed frames
 * (including topic names with control characters and answers sent as requests), connections that announce large
 * frames and stall, a sender that trickles, and a reader that never reads, while a good producer and consumer
 * work. Asserts: no server error or crash, no buffer leak (LeakGuard), the bytes stored before the attack
 * unchanged, every acknowledged record of the good producer read back in order, the request memory bound kept,
 * and few log lines per hostile frame.
 *
 * <p>{@code -Dyak.fuzz.frames=N} (default 6000) sets the number of hostile frames, {@code -Dyak.fuzz.seed=S}
 * replays a run; the seed is printed.
 */
class HostileClientIT {
    private static final String GOOD = "good";
    private static final String STORED = "stored";
    private static final int MAX_FRAME = 8 << 20;
    /** Small enough that the stalled large frames below exceed it, so the bound is exercised. */
    private static final long REQUEST_MEMORY = 24L << 20;
    private static final long READ_TIMEOUT_MS = 1500;
    private static final long WRITE_TIMEOUT_MS = 1500;
    private static final int STALLED_LARGE_FRAMES = 12;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldSurviveHostileClientsWhileGoodClientsWork() throws Exception {
        long seed = Long.getLong("yak.fuzz.seed", System.nanoTime());
        int frames = Integer.getInteger("yak.fuzz.frames", 6000);
        System.out.println("HostileClientIT seed " + seed + " (replay: -Dyak.fuzz.seed=" + seed + "), frames "
            + frames);
        ServerLimits limits = new ServerLimits(MAX_FRAME, REQUEST_MEMORY, READ_TIMEOUT_MS, WRITE_TIMEOUT_MS);
        try (TestCluster cluster = new TestCluster(dir, 1, 1 << 20, TestCluster.HEARTBEAT_TIMEOUT_MS, limits);
             YakAdmin admin = YakAdmin.connect(cluster.bootstrap());
             LogCounter logs = new LogCounter()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> cluster.broker(1).registered());
            admin.createTopic(STORED, 1);
            admin.createTopic(GOOD, 1);
            produceSync(cluster.bootstrap(), STORED, 2000);
            TreeMap<String, String> before = hashes(dir.resolve("broker-1").resolve(STORED + "-0"));
            InetSocketAddress broker = cluster.broker(1).address();
            InetSocketAddress coordinator = cluster.coordinator().address();
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

            GoodClients good = new GoodClients(cluster.bootstrap());
            good.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> good.consumed.size() > 100);

            logs.reset();
            List<Socket> stalled = stallLargeFrames(broker);
            // the stalled frames use the request memory up: the broker stops reading instead of allocating more
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.broker(1).requestMemory().availableBytes() <= 0);
            long memoryLow = cluster.broker(1).requestMemory().availableBytes();
            assertThat(memoryLow).as("reservations stay within the pool plus one frame").isGreaterThan(-MAX_FRAME);
            assertThat(cluster.broker(1).requestMemory().pauses()).as("connections stopped for memory").isPositive();
            Socket trickler = startTrickle(broker);
            Socket nonReader = startNonReader(broker);
            Random random = new Random(seed);
            Fuzzer fuzzer = new Fuzzer(random, broker, coordinator);
            fuzzer.send(frames);

            // every hostile connection is closed by the servers' bounds within a few timeouts
            await().atMost(Duration.ofSeconds(30)).alias("hostile connections closed by the broker").until(() -> {
                boolean done = closedByPeer(trickler) & closedByPeer(nonReader);
                for (Socket s : stalled) {
                    done &= closedByPeer(s);
                }
                if (!done) {
                    System.out.printf("open: trickler %b, non-reader %b, stalled %d of %d; request memory left %d%n",
                        !closedByPeer(trickler), !closedByPeer(nonReader),
                        stalled.stream().filter(s -> !closedByPeer(s)).count(), stalled.size(),
                        cluster.broker(1).requestMemory().availableBytes());
                }
                return done;
            });
            for (Socket s : stalled) {
                s.close();
            }
            trickler.close();
            nonReader.close();
            long hostileLogLines = logs.total();
            long hostileWarnLines = logs.warnOrWorse();

            good.stop();
            assertThat(good.failure.get()).as("good clients unharmed").isNull();
            assertThat(good.consumed).as("every acknowledged record read back, in order")
                .startsWith(good.acked.toArray(String[]::new));
            assertThat(hashes(dir.resolve("broker-1").resolve(STORED + "-0"))).as("stored bytes unchanged")
                .isEqualTo(before);
            assertThat(readAll(cluster.bootstrap(), STORED, 2000)).hasSize(2000);
            assertThat(logs.errors).as("no server error logged").isEmpty();
            assertThat(cluster.broker(1).requestMemory().availableBytes()).as("request memory all given back")
                .isEqualTo(REQUEST_MEMORY);
            assertThat(cluster.broker(1).rejections().count(RejectReason.FRAME_READ_TIMEOUT))
                .as("stalled and trickled frames timed out").isGreaterThanOrEqualTo(1);
            assertThat(cluster.broker(1).rejections().count(RejectReason.RESPONSES_NOT_READ)).isGreaterThanOrEqualTo(1);
            assertThat(hostileWarnLines).as("WARN lines are rate-limited per host and reason").isLessThan(100);
            assertThat(hostileLogLines).as("log lines do not grow with hostile frames (INFO and above)")
                .isLessThan(300);

            long directAfter = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            System.out.printf("HostileClientIT: %d hostile frames on %d connections + %d stalled %d MiB frames, a "
                    + "trickler, a non-reader; %d log lines (%.5f per frame), %d at WARN or above; broker "
                    + "rejections %d, coordinator rejections %d; pooled direct memory %d MiB before, %d MiB after; "
                    + "lowest request memory left %d MiB; good producer acked %d, consumer read %d%n",
                fuzzer.sent, fuzzer.connections, STALLED_LARGE_FRAMES, MAX_FRAME >> 20, hostileLogLines,
                hostileLogLines / (double) Math.max(1, fuzzer.sent), hostileWarnLines,
                cluster.broker(1).rejections().total(), cluster.coordinator().rejections().total(),
                directBefore >> 20, directAfter >> 20, memoryLow >> 20, good.acked.size(), good.consumed.size());
        }
    }

    // ---- hostile clients --------------------------------------------------------------------------------------

    /** Connections that each announce a max-size frame, send 1 MiB of it, and stall. */
    private static List<Socket> stallLargeFrames(InetSocketAddress broker) throws IOException {
        List<Socket> out = new ArrayList<>();
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < STALLED_LARGE_FRAMES; i++) {
            Socket s = new Socket(broker.getAddress(), broker.getPort());
            ByteBuf header = Unpooled.buffer().writeInt(MAX_FRAME - 4).writeShort(MessageType.PUBLISH_REQUEST.id())
                .writeShort(1).writeInt(i);
            s.getOutputStream().write(header.array(), 0, header.readableBytes());
            s.setSoTimeout(1);
            try {
                s.getOutputStream().write(chunk);
            } catch (IOException stopped) {
                // the broker stopped reading this connection (request memory used up): as intended
                assertThat(stopped).isNotNull();
            }
            out.add(s);
        }
        return out;
    }

    /** Sends the header of a small frame one byte at a time, every READ_TIMEOUT/3: never silent, never done. */
    private static Socket startTrickle(InetSocketAddress broker) throws IOException {
        Socket s = new Socket(broker.getAddress(), broker.getPort());
        Thread t = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {0, 0});
                for (int i = 0; i < 100 && !s.isClosed(); i++) {
                    Thread.sleep(READ_TIMEOUT_MS / 3);
                    out.write(0);
                }
            } catch (IOException | InterruptedException closed) {
                Thread.currentThread().interrupt();
            }
        }, "trickler");
        t.setDaemon(true);
        t.start();
        return s;
    }

    /** Asks for the stored topic again and again and never reads an answer. */
    private static Socket startNonReader(InetSocketAddress broker) throws IOException {
        Socket s = new Socket(broker.getAddress(), broker.getPort());
        s.setReceiveBufferSize(4096);
        Thread t = new Thread(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 10_000 && !s.isClosed(); i++) {
                    out.write(bytes(Frame.of(i,
                        new ConsumeRequest(STORED, 0, ConsumeRequest.NO_LEADER_EPOCH, 0, 1 << 20, 0))));
                }
            } catch (IOException closed) {
                // the broker closed it: what this test waits for
                assertThat(closed).isNotNull();
            }
        }, "non-reader");
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static boolean closedByPeer(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            byte[] sink = new byte[1 << 16];
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Seeded random, mutated and malformed frames over a few connections at a time, to both servers. */
    private static final class Fuzzer {
        private final Random random;
        private final RandomMessages messages;
        private final InetSocketAddress[] targets;
        int sent;
        int connections;

        Fuzzer(Random random, InetSocketAddress broker, InetSocketAddress coordinator) {
            this.random = random;
            this.messages = new RandomMessages(random, true);
            this.targets = new InetSocketAddress[] {broker, coordinator};
        }

        void send(int frames) throws IOException {
            while (sent < frames) {
                InetSocketAddress target = targets[random.nextInt(targets.length)];
                connections++;
                try (Socket s = new Socket(target.getAddress(), target.getPort())) {
                    s.setSoTimeout(200);
                    Thread drain = drainer(s);
                    OutputStream out = s.getOutputStream();
                    int burst = 1 + random.nextInt(50);
                    try {
                        for (int i = 0; i < burst && sent < frames; i++) {
                            out.write(next());
                            sent++;
                        }
                        out.flush();
                    } catch (IOException closedByServer) {
                        assertThat(closedByServer).isNotNull(); // after a bad frame: expected
                    }
                    s.shutdownOutput();
                    drain.join(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private byte[] next() {
            int kind = random.nextInt(10);
            if (kind == 0) {
                byte[] garbage = new byte[1 + random.nextInt(64)];
                random.nextBytes(garbage);
                return garbage;
            }
            MessageType[] types = MessageType.values();
            Message m = tame(messages.message(types[random.nextInt(types.length)]));
            byte[] frame = bytes(Frame.of(random.nextInt(), m));
            if (kind == 1 && frame.length > 12) {
                frame[random.nextInt(frame.length)] ^= (byte) (1 + random.nextInt(255)); // a flipped byte
            } else if (kind == 2 && frame.length > 12) {
                frame = java.util.Arrays.copyOf(frame, 12 + random.nextInt(frame.length - 12)); // a torn frame
                ByteBuf b = Unpooled.wrappedBuffer(frame);
                b.setInt(0, frame.length - 4);
            }
            return frame;
        }

        /**
         * Keeps the topics a hostile request names to a few (valid ones, that exist or get auto-created, and
         * invalid ones carrying control characters) and partition counts small, so the run is bounded in disk
         * and time; the storage is never sent a valid publish to the stored or good topic.
         */
        private Message tame(Message m) {
            if (m instanceof PublishRequest p) {
                return new PublishRequest(topic(), p.partition(), p.acks(), p.timeoutMs(), p.records());
            }
            if (m instanceof ConsumeRequest c) {
                return new ConsumeRequest(random.nextInt(4) == 0 ? STORED : topic(), c.partition(),
                    c.currentLeaderEpoch(), c.offset(), c.maxBytes(), Math.min(Math.max(c.maxWaitMs(), -1), 100));
            }
            if (m instanceof ListOffsetsRequest l) {
                return new ListOffsetsRequest(topic(), l.partition(), l.currentLeaderEpoch(), l.timestamp());
            }
            if (m instanceof CreateTopicRequest c) {
                return new CreateTopicRequest(topic(), Math.min(c.partitions(), 3), c.configs());
            }
            if (m instanceof MetadataRequest md) {
                return new MetadataRequest(md.autoCreate(), List.of(topic()));
            }
            if (m instanceof CommitOffsetRequest c) {
                return new CommitOffsetRequest(c.group(), topic(), c.partition(), c.offset());
            }
            if (m instanceof FetchOffsetRequest f) {
                return new FetchOffsetRequest(f.group(), topic(), f.partition());
            }
            return m;
        }

        private String topic() {
            return switch (random.nextInt(4)) {
                case 0 -> "fuzz-" + random.nextInt(3);
                case 1 -> "t\n2026-12-07 10:00:00.000 ERROR [main] x - FORGED LINE";
                case 2 -> "bad\u0007name\r" + random.nextInt(1000);
                default -> messages.string();
            };
        }

        private static Thread drainer(Socket s) {
            Thread t = new Thread(() -> {
                byte[] sink = new byte[1 << 16];
                try {
                    InputStream in = s.getInputStream();
                    while (in.read(sink) >= 0) {
                        // answers to hostile frames are not checked here; BadFrameIT checks each kind
                        Thread.onSpinWait();
                    }
                } catch (IOException closed) {
                    Thread.currentThread().interrupt();
                }
            }, "fuzz-drain");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }

    private static byte[] bytes(Frame f) {
        ByteBuf b = Unpooled.buffer();
        FrameEncoder.encodeFully(f, b);
        f.release();
        byte[] out = new byte[b.readableBytes()];
        b.readBytes(out);
        b.release();
        return out;
    }

    // ---- good clients -----------------------------------------------------------------------------------------

    /** A producer that records what was acknowledged and a consumer that records what it read, in order. */
    private static final class GoodClients {
        final ConcurrentLinkedQueue<String> acked = new ConcurrentLinkedQueue<>();
        final List<String> consumed = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AtomicBoolean producing = new AtomicBoolean(true);
        private final AtomicLong next = new AtomicLong();
        private final CountDownLatch producerDone = new CountDownLatch(1);
        private final String bootstrap;
        private Thread producer;
        private Thread consumer;
        private volatile boolean consuming = true;

        GoodClients(String bootstrap) {
            this.bootstrap = bootstrap;
        }

        void start() {
            producer = new Thread(this::produce, "good-producer");
            consumer = new Thread(this::consume, "good-consumer");
            producer.start();
            consumer.start();
        }

        private void produce() {
            Properties p = new Properties();
            p.setProperty("coordinator", bootstrap);
            p.setProperty("linger.ms", "1");
            try (YakProducer producer = new YakProducer(p)) {
                while (producing.get()) {
                    String v = "g" + next.getAndIncrement();
                    producer.send(GOOD, null, v.getBytes(UTF_8)).get(30, TimeUnit.SECONDS);
                    acked.add(v);
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            } finally {
                producerDone.countDown();
            }
        }

        private void consume() {
            Properties p = new Properties();
            p.setProperty("coordinator", bootstrap);
            p.setProperty("auto.offset.reset", "earliest");
            try (YakConsumer c = new YakConsumer(p)) {
                c.subscribe(List.of(GOOD));
                while (consuming) {
                    for (ConsumerRecord r : c.poll(Duration.ofMillis(100))) {
                        consumed.add(new String(r.value(), UTF_8));
                    }
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            }
        }

        void stop() throws InterruptedException {
            producing.set(false);
            producerDone.await(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> consumed.size() >= acked.size());
            consuming = false;
            producer.join(10_000);
            consumer.join(10_000);
        }
    }

    private static void produceSync(String bootstrap, String topic, int count) throws Exception {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        try (YakProducer producer = new YakProducer(p)) {
            for (int i = 0; i < count; i++) {
                producer.send(topic, null, ("s" + i).getBytes(UTF_8));
            }
            producer.flush();
        }
    }

    private static List<String> readAll(String bootstrap, String topic, int count) {
        Properties p = new Properties();
        p.setProperty("coordinator", bootstrap);
        p.setProperty("auto.offset.reset", "earliest");
        List<String> out = new ArrayList<>();
        try (YakConsumer c = new YakConsumer(p)) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord r : c.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), UTF_8));
                }
            }
        }
        return out;
    }

    private static TreeMap<String, String> hashes(Path root) throws Exception {
        TreeMap<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (f.getFileName().toString().endsWith(".log")) {
                    byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
                    out.put(root.relativize(f).toString(), HexFormat.of().formatHex(digest));
                }
            }
        }
        return out;
    }

    /** Counts every log event of this JVM (both servers run here) and keeps those at ERROR. */
    private static final class LogCounter extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong total = new AtomicLong();
        private final AtomicLong warn = new AtomicLong();
        private final Logger root = ((LoggerContext) LoggerFactory.getILoggerFactory())
            .getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

        LogCounter() {
            setContext(root.getLoggerContext());
            start();
            root.addAppender(this);
        }

        @Override
        protected void append(ILoggingEvent e) {
            if (!e.getLevel().isGreaterOrEqual(Level.INFO)) {
                return; // count what the shipped logback.xml writes
            }
            total.incrementAndGet();
            if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                warn.incrementAndGet();
            }
            if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                errors.add(e.getFormattedMessage());
            }
        }

        void reset() {
            total.set(0);
            warn.set(0);
            errors.clear();
        }

        long total() {
            return total.get();
        }

        long warnOrWorse() {
            return warn.get();
        }

        @Override
        public void close() {
            root.detachAppender(this);
            stop();
        }
    }
}
