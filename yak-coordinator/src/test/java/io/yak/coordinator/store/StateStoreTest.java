package io.yak.coordinator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.yak.wire.testing.CapturedLogs;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateStoreTest {
    @TempDir
    Path dir;

    static CoordinatorSnapshot sample() {
        return new CoordinatorSnapshot(17, 5,
            List.of(new CoordinatorSnapshot.Broker(1, "127.0.0.1", 9001, 0x1234_5678_9ABC_DEF0L, 12, true),
                new CoordinatorSnapshot.Broker(2, "broker-2.example", 9002, -77, 15, false),
                new CoordinatorSnapshot.Broker(3, "h3", 9003)),
            List.of(new CoordinatorSnapshot.Topic("orders", List.of(
                    new CoordinatorSnapshot.Partition(List.of(1, 2, 3), List.of(1, 3), 1, 4, 9),
                    new CoordinatorSnapshot.Partition(List.of(2, 3, 1), List.of(2), -1, 3, 5, List.of(3)),
                    new CoordinatorSnapshot.Partition(List.of(3, 1, 2), List.of(), -1, 2, 6, List.of(1)),
                    new CoordinatorSnapshot.Partition(1, 1)),
                    Map.of("retention.ms", "86400000", "segment.bytes", "1048576")),
                new CoordinatorSnapshot.Topic("x", List.of(new CoordinatorSnapshot.Partition(2, 0)))),
            List.of(new CoordinatorSnapshot.CommittedOffset("group-ü", "orders", 2, 1234567890123L),
                new CoordinatorSnapshot.CommittedOffset("g", "x", 0, 0)));
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private byte[] savedBytes(CoordinatorSnapshot s) throws IOException {
        try (StateStore store = StateStore.open(dir)) {
            store.save(s);
        }
        return Files.readAllBytes(dir.resolve(StateStore.FILE_NAME));
    }

    private CorruptStateException loadCorrupt(byte[] content) throws IOException {
        Files.write(dir.resolve(StateStore.FILE_NAME), content);
        try (StateStore store = StateStore.open(dir)) {
            return org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class, store::load);
        }
    }

    @Test
    void shouldLoadNothingFromNewDirectory() throws IOException {
        try (StateStore store = StateStore.open(dir.resolve("new/sub"))) {
            assertThat(store.load()).isEmpty();
        }
    }

    @Test
    void shouldRoundTripSnapshot() throws IOException {
        try (StateStore store = StateStore.open(dir)) {
            store.save(sample());
        }
        try (StateStore store = StateStore.open(dir)) {
            assertThat(store.load()).contains(sample());
        }
    }

    @Test
    void shouldRoundTripEmptySnapshot() throws IOException {
        try (StateStore store = StateStore.open(dir)) {
            store.save(CoordinatorSnapshot.EMPTY);
            assertThat(store.load()).contains(CoordinatorSnapshot.EMPTY);
        }
    }

    @Test
    void shouldRoundTripRandomSnapshots() throws IOException {
        long seed = System.nanoTime();
        System.out.println("StateStoreTest.shouldRoundTripRandomSnapshots seed=" + seed);
        Random random = new Random(seed);
        try (StateStore store = StateStore.open(dir)) {
            for (int i = 0; i < 50; i++) {
                CoordinatorSnapshot s = randomSnapshot(random);
                store.save(s);
                assertThat(store.load()).as("seed %d", seed).contains(s);
            }
        }
    }

    private static CoordinatorSnapshot randomSnapshot(Random r) {
        List<CoordinatorSnapshot.Broker> brokers = new ArrayList<>();
        int nb = 1 + r.nextInt(5);
        for (int b = 0; b < nb; b++) {
            brokers.add(new CoordinatorSnapshot.Broker(b * 3, "host-" + r.nextInt(1000), r.nextInt(65536)));
        }
        List<CoordinatorSnapshot.Topic> topics = new ArrayList<>();
        List<CoordinatorSnapshot.CommittedOffset> offsets = new ArrayList<>();
        for (int t = r.nextInt(6); t > 0; t--) {
            List<CoordinatorSnapshot.Partition> parts = new ArrayList<>();
            for (int p = 1 + r.nextInt(10); p > 0; p--) {
                parts.add(new CoordinatorSnapshot.Partition(brokers.get(r.nextInt(nb)).id(), r.nextInt(100)));
            }
            Map<String, String> configs = new HashMap<>();
            for (int c = r.nextInt(4); c > 0; c--) {
                configs.put("key-" + r.nextInt(10) + "-\u00e9", Long.toString(r.nextLong()));
            }
            topics.add(new CoordinatorSnapshot.Topic("t" + t, parts, configs));
            offsets.add(new CoordinatorSnapshot.CommittedOffset("g" + r.nextInt(3), "t" + t, 0,
                r.nextLong() & Long.MAX_VALUE));
        }
        return new CoordinatorSnapshot(r.nextLong() & Long.MAX_VALUE, 1 + r.nextInt(1 << 20), brokers, topics,
            offsets);
    }

    @Test
    void shouldReplaceAtomicallyLeavingNoTempFile() throws IOException {
        try (StateStore store = StateStore.open(dir)) {
            store.save(CoordinatorSnapshot.EMPTY);
            store.save(sample());
            store.save(sample());

            assertThat(files()).containsExactly(StateStore.LOCK_FILE_NAME, StateStore.FILE_NAME);
            assertThat(store.load()).contains(sample());
        }
    }

    @Test
    void shouldDeleteTempFileLeftByInterruptedSave() throws IOException {
        savedBytes(sample());
        Files.write(dir.resolve(StateStore.TEMP_FILE_NAME), new byte[] {1, 2, 3});

        try (StateStore store = StateStore.open(dir)) {
            assertThat(files()).doesNotContain(StateStore.TEMP_FILE_NAME);
            assertThat(store.load()).contains(sample());
        }
    }

    @Test
    void shouldRefuseSecondOpenOfSameDirectory() throws IOException {
        try (StateStore first = StateStore.open(dir)) {
            assertThat(first.file()).isEqualTo(dir.resolve(StateStore.FILE_NAME));
            assertThatThrownBy(() -> StateStore.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("in use by another coordinator");
        }
        StateStore.open(dir).close();
    }

    @Test
    void shouldReportChecksumMismatchNamingTheFile() throws IOException {
        byte[] b = savedBytes(sample());
        b[30] ^= 0x10;

        CorruptStateException e = loadCorrupt(b);

        assertThat(e.getMessage()).contains(dir.resolve(StateStore.FILE_NAME).toString()).contains("CRC32C mismatch");
    }

    @Test
    void shouldDetectEveryFlippedByte() throws IOException {
        byte[] good = savedBytes(sample());
        for (int i = 0; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= (byte) 0x01;
            Files.write(dir.resolve(StateStore.FILE_NAME), b);
            try (StateStore store = StateStore.open(dir)) {
                int at = i;
                assertThatThrownBy(store::load).as("flip at %d", at).isInstanceOf(CorruptStateException.class);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 10, 25, 40})
    void shouldReportTruncatedFile(int keep) throws IOException {
        byte[] good = savedBytes(sample());

        CorruptStateException e = loadCorrupt(Arrays.copyOf(good, keep));

        assertThat(e.getMessage()).startsWith("corrupt coordinator state file");
    }

    @Test
    void shouldReportWrongMagic() throws IOException {
        CorruptStateException e = loadCorrupt("hello, this is not a state file at all".getBytes());

        assertThat(e.getMessage()).contains("not a coordinator state file");
    }

    @Test
    void shouldReportUnsupportedVersion() throws IOException {
        byte[] b = savedBytes(sample());
        ByteBuffer.wrap(b).putShort(StateFileCodec.VERSION_OFFSET, (short) 9);

        CorruptStateException e = loadCorrupt(b);

        assertThat(e.getMessage()).contains("unsupported format version 9");
    }

    @Test
    void shouldWriteFormatVersion5() throws IOException {
        byte[] b = savedBytes(sample());

        assertThat(ByteBuffer.wrap(b).getShort(StateFileCodec.VERSION_OFFSET)).isEqualTo((short) 5);
    }

    @Test
    void shouldKeepTopicIdsAndReadAVersion4FileAsTopicsWithoutIds() throws IOException {
        CoordinatorSnapshot withIds = new CoordinatorSnapshot(9, 4,
            List.of(new CoordinatorSnapshot.Broker(1, "h1", 9001, 5, 3, true)),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(List.of(1),
                List.of(1), 1, 3, 8)), Map.of("flush.ms", "9"), 7)),
            List.of());
        try (StateStore store = StateStore.open(dir)) {
            store.save(withIds);
            assertThat(store.load()).contains(withIds);
            assertThat(store.load().orElseThrow().topics().get(0).topicId()).isEqualTo(7);
        }
        CoordinatorSnapshot v4 = new CoordinatorSnapshot(withIds.epoch(), withIds.nextProducerId(),
            withIds.brokers(), List.of(new CoordinatorSnapshot.Topic("t", withIds.topics().get(0).partitions(),
                withIds.topics().get(0).configs())), List.of());
        Files.write(dir.resolve(StateStore.FILE_NAME), encodeOldVersion(withIds, 4));
        try (StateStore store = StateStore.open(dir)) {
            assertThat(store.load()).contains(v4);
            assertThat(v4.topics().get(0).topicId()).isEqualTo(CoordinatorSnapshot.NO_TOPIC_ID);
        }
    }

    @Test
    void shouldReplayGroupAndTopicDeletionsOverTheSnapshot() throws Exception {
        CoordinatorSnapshot after = appendAndReload(List.of(
            new StateRecord.OffsetRecord(new CoordinatorSnapshot.CommittedOffset("g", "orders", 1, 3)),
            new StateRecord.GroupDeleted("g"),
            new StateRecord.TopicDeleted("orders"),
            new StateRecord.TopicRecord(new CoordinatorSnapshot.Topic("orders", List.of(
                new CoordinatorSnapshot.Partition(List.of(1), List.of(1), 1, 0, 0)), Map.of(), 18))), null);

        assertThat(after.offsets()).as("group g's offsets gone, and every offset of the deleted orders")
            .isEmpty();
        assertThat(after.topics()).extracting(CoordinatorSnapshot.Topic::name).containsExactly("orders", "x");
        assertThat(after.topics().get(0).partitions()).hasSize(1);
        assertThat(after.topics().get(0).topicId()).as("the re-created topic, with its new id").isEqualTo(18);
        try (StateStore again = StateStore.open(dir)) {
            assertThat(again.load()).as("the same after compaction into a snapshot").contains(after);
        }
    }

    @Test
    void shouldReadAVersion2FileAsOneReplicaPerPartitionOfflineWithDeadBrokers() throws IOException {
        CoordinatorSnapshot v2 = new CoordinatorSnapshot(9, 4,
            List.of(new CoordinatorSnapshot.Broker(1, "h1", 9001), new CoordinatorSnapshot.Broker(2, "h2", 9002)),
            List.of(new CoordinatorSnapshot.Topic("old", List.of(new CoordinatorSnapshot.Partition(1, 2),
                new CoordinatorSnapshot.Partition(2, 0)), Map.of("retention.ms", "1000"))),
            List.of(new CoordinatorSnapshot.CommittedOffset("g", "old", 1, 5)));
        Files.write(dir.resolve(StateStore.FILE_NAME), encodeOldVersion(v2, 2));

        try (StateStore store = StateStore.open(dir)) {
            CoordinatorSnapshot loaded = store.load().orElseThrow();
            assertThat(loaded).isEqualTo(v2);
            assertThat(loaded.brokers()).allSatisfy(b -> {
                assertThat(b.alive()).isFalse();
                assertThat(b.brokerEpoch()).isEqualTo(CoordinatorSnapshot.NO_BROKER_EPOCH);
            });
            assertThat(loaded.topics().get(0).partitions().get(0)).isEqualTo(
                new CoordinatorSnapshot.Partition(List.of(1), List.of(1), CoordinatorSnapshot.NO_LEADER, 2, 2));
            store.save(loaded);
            assertThat(store.load()).contains(v2);
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(dir.resolve(StateStore.FILE_NAME)))
            .getShort(StateFileCodec.VERSION_OFFSET)).isEqualTo(StateFileCodec.VERSION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,2,3|3,1|1", "1,1|1|1", "1,2|1|2", "1,2||-1", "1,9|1|1", "1,2,3|1|-1|1",
        "1,2,3||1|2", "1,2,3|1|1|3,2", "1,2,3|1|1|4"})
    void shouldRefuseAPartitionBreakingTheReplicationRules(String spec) {
        String[] f = spec.split("\\|", -1);
        List<Integer> replicas = Arrays.stream(f[0].split(",")).map(Integer::valueOf).toList();
        List<Integer> isr = f[1].isEmpty() ? List.of() : Arrays.stream(f[1].split(",")).map(Integer::valueOf).toList();
        List<Integer> eligible = f.length < 4 || f[3].isEmpty() ? List.of()
            : Arrays.stream(f[3].split(",")).map(Integer::valueOf).toList();
        CoordinatorSnapshot bad = new CoordinatorSnapshot(1, 1, List.of(new CoordinatorSnapshot.Broker(1, "h", 1),
            new CoordinatorSnapshot.Broker(2, "h", 2), new CoordinatorSnapshot.Broker(3, "h", 3)),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(replicas, isr,
                Integer.parseInt(f[2]), 0, 0, eligible)))), List.of());

        CorruptStateException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
            () -> StateFileCodec.decode(StateFileCodec.encode(bad), "test"));

        assertThat(e.getMessage()).contains("partition t-0 (replicas " + replicas);
    }

    @Test
    void shouldReadAVersion1FileAsTopicsWithoutConfigs() throws IOException {
        CoordinatorSnapshot withoutConfigs = new CoordinatorSnapshot(9, 4,
            List.of(new CoordinatorSnapshot.Broker(1, "h1", 9001)),
            List.of(new CoordinatorSnapshot.Topic("old", List.of(new CoordinatorSnapshot.Partition(1, 2),
                new CoordinatorSnapshot.Partition(1, 0)))),
            List.of(new CoordinatorSnapshot.CommittedOffset("g", "old", 1, 5)));
        Files.write(dir.resolve(StateStore.FILE_NAME), encodeOldVersion(withoutConfigs, 1));

        try (StateStore store = StateStore.open(dir)) {
            CoordinatorSnapshot loaded = store.load().orElseThrow();
            assertThat(loaded).isEqualTo(withoutConfigs);
            assertThat(loaded.topics().get(0).configs()).isEmpty();
            store.save(loaded);
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(dir.resolve(StateStore.FILE_NAME)))
            .getShort(StateFileCodec.VERSION_OFFSET)).isEqualTo(StateFileCodec.VERSION);
    }

    @Test
    void shouldReadAVersion3FileAsPartitionsWithoutEligibleLeaders() throws IOException {
        CoordinatorSnapshot v3 = new CoordinatorSnapshot(9, 4,
            List.of(new CoordinatorSnapshot.Broker(1, "h1", 9001, 5, 3, true),
                new CoordinatorSnapshot.Broker(2, "h2", 9002, 6, 4, false)),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(
                new CoordinatorSnapshot.Partition(List.of(1, 2), List.of(1), 1, 3, 8),
                new CoordinatorSnapshot.Partition(List.of(2, 1), List.of(2), -1, 0, 1)), Map.of("flush.ms", "9"))),
            List.of(new CoordinatorSnapshot.CommittedOffset("g", "t", 1, 5)));
        Files.write(dir.resolve(StateStore.FILE_NAME), encodeOldVersion(v3, 3));

        try (StateStore store = StateStore.open(dir)) {
            CoordinatorSnapshot loaded = store.load().orElseThrow();
            assertThat(loaded).isEqualTo(v3);
            store.save(loaded);
            assertThat(store.load()).contains(v3);
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(dir.resolve(StateStore.FILE_NAME)))
            .getShort(StateFileCodec.VERSION_OFFSET)).isEqualTo(StateFileCodec.VERSION);
    }

    /** The format 1, 2, 3 or 4 layout of STATE.md, written independently of the codec. */
    private static byte[] encodeOldVersion(CoordinatorSnapshot s, int version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(StateFileCodec.MAGIC);
            out.writeShort(version);
            out.writeLong(s.epoch());
            out.writeLong(s.nextProducerId());
            out.writeInt(s.brokers().size());
            for (CoordinatorSnapshot.Broker b : s.brokers()) {
                out.writeInt(b.id());
                writeString(out, b.host());
                out.writeInt(b.port());
                if (version >= 3) {
                    out.writeLong(b.incarnationId());
                    out.writeLong(b.brokerEpoch());
                    out.writeByte(b.alive() ? 1 : 0);
                }
            }
            out.writeInt(s.topics().size());
            for (CoordinatorSnapshot.Topic t : s.topics()) {
                writeString(out, t.name());
                out.writeInt(t.partitions().size());
                for (CoordinatorSnapshot.Partition p : t.partitions()) {
                    if (version >= 3) {
                        out.writeInt(p.leader());
                        out.writeInt(p.leaderEpoch());
                        out.writeInt(p.partitionEpoch());
                        writeIds(out, p.replicas());
                        writeIds(out, p.isr());
                        if (version >= 4) {
                            writeIds(out, p.eligibleLeaders());
                        }
                    } else {
                        out.writeInt(p.replicas().get(0));
                        out.writeInt(p.leaderEpoch());
                    }
                }
                if (version >= 2) {
                    out.writeInt(t.configs().size());
                    for (Map.Entry<String, String> c : t.configs().entrySet()) {
                        writeString(out, c.getKey());
                        writeString(out, c.getValue());
                    }
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
        }
        return bytes.toByteArray();
    }

    private static void writeIds(DataOutputStream out, List<Integer> ids) throws IOException {
        out.writeInt(ids.size());
        for (int id : ids) {
            out.writeInt(id);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeShort(b.length);
        out.write(b);
    }

    @Test
    void shouldReportADuplicateConfigKeyEvenWithValidChecksum() {
        byte[] good = StateFileCodec.encode(new CoordinatorSnapshot(1, 1, List.of(new CoordinatorSnapshot.Broker(1,
            "h", 1)), List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(1, 0)),
            Map.of("aa", "1", "ab", "2"))), List.of()));
        // rename the second key "ab" to "aa": same length, so only the CRC has to be recomputed
        byte[] b = good.clone();
        b[indexOf(b, "ab".getBytes(StandardCharsets.UTF_8)) + 1] = 'a';
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).putInt(b.length - 4, (int) crc.getValue());

        CorruptStateException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptStateException.class,
            () -> StateFileCodec.decode(b, "test"));

        assertThat(e.getMessage()).contains("config 1 'aa' of topic 't' is empty or a duplicate");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Test
    void shouldReportBrokenInvariantEvenWithValidChecksum() throws IOException {
        CoordinatorSnapshot bad = new CoordinatorSnapshot(1, 1, List.of(new CoordinatorSnapshot.Broker(1, "h", 1)),
            List.of(new CoordinatorSnapshot.Topic("t", List.of(new CoordinatorSnapshot.Partition(2, 0)))), List.of());

        CorruptStateException e = loadCorrupt(StateFileCodec.encode(bad));

        assertThat(e.getMessage()).contains("partition t-0 (replicas [2]", "replica 2 is not a listed broker");
    }

    @Test
    void shouldRunCompletionsInOrderAfterBatchedAppends() throws Exception {
        try (StateStore store = StateStore.open(dir)) {
            store.load();
            StoreWriter writer = new StoreWriter(store, CoordinatorSnapshot.EMPTY);
            List<Integer> order = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(200);
            for (int i = 0; i < 200; i++) {
                int n = i;
                List<StateRecord> records = n % 3 == 0 ? List.of() : List.of(new StateRecord.Counters(n, 1));
                writer.submit(records, failure -> {
                    assertThat(failure).isNull();
                    assertThat(Thread.currentThread().getName()).isEqualTo(StoreWriter.THREAD_NAME);
                    order.add(n);
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            writer.close();

            assertThat(order).hasSize(200).isSorted();
            assertThat(writer.writes()).isBetween(1L, 133L);
            assertThat(writer.compactions()).as("appended, not rewritten").isZero();
            assertThat(Files.exists(dir.resolve(StateStore.FILE_NAME))).as("only the log was written").isFalse();
        }
        try (StateStore reopened = StateStore.open(dir)) {
            assertThat(reopened.load().orElseThrow().epoch()).isEqualTo(199);
        }
    }

    /** Every kind of record, as a coordinator writes them after {@link #sample()}. */
    private static List<StateRecord> changesAfterSample() {
        return List.of(
            new StateRecord.Counters(18, 6),
            new StateRecord.BrokerRecord(new CoordinatorSnapshot.Broker(3, "h3", 9003, 99, 18, true)),
            new StateRecord.PartitionRecord("orders", 1, new CoordinatorSnapshot.Partition(List.of(2, 3, 1),
                List.of(3), 3, 4, 6, List.of(2))),
            new StateRecord.TopicRecord(new CoordinatorSnapshot.Topic("new", List.of(
                new CoordinatorSnapshot.Partition(List.of(1, 3), List.of(1, 3), 1, 0, 0)), Map.of("flush.ms", "5"))),
            new StateRecord.PartitionRecord("new", 0, new CoordinatorSnapshot.Partition(List.of(1, 3), List.of(1),
                1, 0, 1)),
            new StateRecord.OffsetRecord(new CoordinatorSnapshot.CommittedOffset("g", "x", 0, 7)),
            new StateRecord.OffsetRecord(new CoordinatorSnapshot.CommittedOffset("g2", "new", 0, 1)),
            new StateRecord.BrokerRecord(new CoordinatorSnapshot.Broker(4, "h4", 9004, 5, 17, false)),
            new StateRecord.BrokerForgotten(4));
    }

    /** {@link #sample()} after {@link #changesAfterSample()}, built by hand. */
    private static CoordinatorSnapshot sampleAfterChanges() {
        CoordinatorSnapshot s = sample();
        CoordinatorSnapshot.Topic orders = s.topics().get(0);
        List<CoordinatorSnapshot.Partition> ps = new ArrayList<>(orders.partitions());
        ps.set(1, new CoordinatorSnapshot.Partition(List.of(2, 3, 1), List.of(3), 3, 4, 6, List.of(2)));
        return new CoordinatorSnapshot(18, 6,
            List.of(s.brokers().get(0), s.brokers().get(1), new CoordinatorSnapshot.Broker(3, "h3", 9003, 99, 18,
                true)),
            List.of(new CoordinatorSnapshot.Topic("new", List.of(new CoordinatorSnapshot.Partition(List.of(1, 3),
                    List.of(1), 1, 0, 1)), Map.of("flush.ms", "5")),
                new CoordinatorSnapshot.Topic("orders", ps, orders.configs()), s.topics().get(1)),
            List.of(new CoordinatorSnapshot.CommittedOffset("g", "x", 0, 7),
                new CoordinatorSnapshot.CommittedOffset("g2", "new", 0, 1), s.offsets().get(0)));
    }

    private CoordinatorSnapshot appendAndReload(List<StateRecord> records, byte[] tail) throws Exception {
        try (StateStore store = StateStore.open(dir)) {
            store.save(sample());
            store.load();
            StoreWriter writer = new StoreWriter(store, sample());
            CountDownLatch done = new CountDownLatch(1);
            writer.submit(records, f -> done.countDown());
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            writer.close();
        }
        if (tail != null) {
            Files.write(dir.resolve(StateStore.LOG_FILE_NAME), tail, java.nio.file.StandardOpenOption.APPEND);
        }
        try (StateStore reopened = StateStore.open(dir)) {
            return reopened.load().orElseThrow();
        }
    }

    @Test
    void shouldReplayEveryKindOfChangeRecordOverTheSnapshot() throws Exception {
        assertThat(appendAndReload(changesAfterSample(), null)).isEqualTo(sampleAfterChanges());
        try (StateStore again = StateStore.open(dir)) {
            assertThat(again.load()).as("compacted at the first load: the same state from the snapshot alone")
                .contains(sampleAfterChanges());
            assertThat(again.logBytes()).isEqualTo(ChangeLogCodec.HEADER_LENGTH);
        }
    }

    @Test
    void shouldDropATornLastRecordAndKeepTheOnesBefore() throws Exception {
        byte[] whole = ChangeLogCodec.encode(List.of(new StateRecord.OffsetRecord(
            new CoordinatorSnapshot.CommittedOffset("lost", "x", 0, 9))));
        byte[] torn = java.util.Arrays.copyOf(whole, whole.length - 3);
        try (CapturedLogs logs = new CapturedLogs(StateStore.class)) {
            assertThat(appendAndReload(changesAfterSample(), torn)).isEqualTo(sampleAfterChanges());
            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("dropping the last");
        }
        byte[] flipped = whole.clone();
        flipped[flipped.length - 1] ^= 1;
        assertThat(appendAndReload(changesAfterSample(), flipped)).as("a CRC mismatch ends the log too")
            .isEqualTo(sampleAfterChanges());
    }

    @Test
    void shouldGiveTheSameStateWhenRecordsAreReplayedOverASnapshotThatHoldsThem() throws Exception {
        try (StateStore store = StateStore.open(dir)) {
            store.load();
            store.save(sampleAfterChanges()); // compaction's first step done, its second (emptying the log) not
            store.append(ChangeLogCodec.encode(changesAfterSample()));
        }
        try (StateStore reopened = StateStore.open(dir)) {
            assertThat(reopened.load()).contains(sampleAfterChanges());
        }
    }

    @Test
    void shouldCompactOnceTheLogPassesItsLimit() throws Exception {
        try (StateStore store = StateStore.open(dir)) {
            store.save(sample());
            store.load();
            StoreWriter writer = new StoreWriter(store, sample(), 600);
            CountDownLatch done = new CountDownLatch(40);
            for (int i = 0; i < 40; i++) {
                writer.submit(List.of(new StateRecord.OffsetRecord(new CoordinatorSnapshot.CommittedOffset("g", "x",
                    0, i))), f -> done.countDown());
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            writer.close();
            assertThat(writer.compactions()).isPositive();
            assertThat(store.logBytes()).isLessThanOrEqualTo(600);
        }
        try (StateStore reopened = StateStore.open(dir)) {
            assertThat(reopened.load().orElseThrow().offsets()).contains(
                new CoordinatorSnapshot.CommittedOffset("g", "x", 0, 39));
        }
    }

    @Test
    void shouldFailCompletionsSubmittedAfterClose() throws Exception {
        try (StateStore store = StateStore.open(dir)) {
            store.load();
            StoreWriter writer = new StoreWriter(store, CoordinatorSnapshot.EMPTY);
            writer.close();
            List<IOException> failures = new ArrayList<>();

            writer.submit(List.of(), failures::add);

            assertThat(failures).singleElement().extracting(Throwable::getMessage).asString().contains("closed");
        }
    }

    @Test
    void shouldReportWriteFailureToCompletionsAndRewriteEverythingWithTheNextWrite() throws Exception {
        try (StateStore store = StateStore.open(dir)) {
            store.load();
            StoreWriter writer = new StoreWriter(store, sample(), 1); // every write compacts
            Path tmp = dir.resolve(StateStore.TEMP_FILE_NAME);
            Files.createDirectory(tmp);
            Files.write(tmp.resolve("blocker"), new byte[1]);
            List<IOException> results = new ArrayList<>();
            CountDownLatch first = new CountDownLatch(1);

            writer.submit(changesAfterSample(), f -> {
                results.add(f);
                first.countDown();
            });
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();
            Files.delete(tmp.resolve("blocker"));
            Files.delete(tmp);
            CountDownLatch second = new CountDownLatch(1);
            writer.submit(List.of(), f -> {
                results.add(f);
                second.countDown();
            });
            assertThat(second.await(10, TimeUnit.SECONDS)).isTrue();
            writer.close();

            assertThat(results.get(0)).isNotNull();
            assertThat(results.get(1)).isNull();
            assertThat(writer.failures()).isEqualTo(1);
        }
        try (StateStore reopened = StateStore.open(dir)) {
            assertThat(reopened.load()).contains(sampleAfterChanges());
        }
    }
}
