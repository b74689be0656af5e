package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Model tests of the mapped offset and time indexes against {@link TreeMap}s, before and after sealing. */
class OffsetIndexTest {
    private static final long BASE = 1_000_000L;

    @TempDir
    Path dir;

    static LongStream seeds() {
        return Seeds.seeds();
    }

    @AfterEach
    void shouldLeaveNoMapping() {
        assertThat(MappedFiles.liveMappings()).as("live mappings after the test").isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldFindTheSameFloorAsATreeMap(long seed) throws Exception {
        System.out.println("OffsetIndexTest offsets seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        Random random = new Random(seed);
        int entries = random.nextInt(2000);
        Path file = dir.resolve("a.index");
        OffsetIndex index = OffsetIndex.create(file, BASE, entries + random.nextInt(10));
        TreeMap<Long, Integer> model = new TreeMap<>();
        long offset = BASE + random.nextInt(3);
        int position = 16 + random.nextInt(3);
        try {
            for (int i = 0; i < entries; i++) {
                index.append(offset, position);
                model.put(offset, position);
                if (random.nextInt(10) == 0) {
                    checkFloors(random, index, model, offset);
                }
                offset += 1 + random.nextInt(50);
                position += 61 + random.nextInt(5000);
            }
            assertThat(index.size()).isEqualTo(entries);
            checkFloors(random, index, model, offset);
            MappedByteBuffer old = index.seal();
            MappedFiles.unmap(old);
            assertThat(Files.size(file)).isEqualTo(IndexLayout.HEADER_LENGTH + 8L * entries);
            checkFloors(random, index, model, offset);
        } finally {
            index.release();
        }
        OffsetIndex reopened = OffsetIndex.openSealed(file, BASE, position + 61);
        try {
            assertThat(reopened.size()).isEqualTo(entries);
            checkFloors(random, reopened, model, offset);
        } finally {
            reopened.release();
        }
    }

    private static void checkFloors(Random random, OffsetIndex index, TreeMap<Long, Integer> model, long max) {
        for (int i = 0; i < 200; i++) {
            long probe = BASE - 10 + random.nextLong(max - BASE + 100);
            Map.Entry<Long, Integer> floor = model.floorEntry(probe);
            assertThat(index.floorPosition(probe, -7)).as("floor of %d", probe)
                .isEqualTo(floor == null ? -7 : floor.getValue());
            long entry = index.floorEntry(probe);
            if (floor == null) {
                assertThat(entry).isEqualTo(-1);
            } else {
                assertThat(BASE + OffsetIndex.relativeOffset(entry)).isEqualTo(floor.getKey());
                assertThat(OffsetIndex.position(entry)).isEqualTo(floor.getValue());
            }
        }
        for (Map.Entry<Long, Integer> e : model.entrySet()) {
            assertThat(index.floorPosition(e.getKey(), -7)).isEqualTo(e.getValue());
        }
        assertThat(index.floorPosition(Long.MAX_VALUE, -7))
            .isEqualTo(model.isEmpty() ? -7 : model.lastEntry().getValue());
        assertThat(index.floorPosition(Long.MIN_VALUE, -7)).isEqualTo(-7);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldFindTheLastTimeEntryBelowATimestampLikeATreeMap(long seed) throws Exception {
        System.out.println("OffsetIndexTest times seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        Random random = new Random(seed);
        int entries = 1 + random.nextInt(1500);
        Path file = dir.resolve("a.timeindex");
        TimeIndex index = TimeIndex.create(file, BASE, entries);
        TreeMap<Long, Long> model = new TreeMap<>();
        long timestamp = random.nextInt(1000) - 500;
        long offset = BASE + random.nextInt(3);
        try {
            for (int i = 0; i < entries; i++) {
                index.append(timestamp, offset);
                model.put(timestamp, offset);
                if (random.nextInt(10) == 0) {
                    checkTimes(random, index, model, timestamp);
                }
                timestamp += 1 + random.nextInt(random.nextBoolean() ? 3 : 100_000);
                offset += 1 + random.nextInt(20);
            }
            checkTimes(random, index, model, timestamp);
            MappedFiles.unmap(index.seal());
            checkTimes(random, index, model, timestamp);
        } finally {
            index.release();
        }
        TimeIndex reopened = TimeIndex.openSealed(file, BASE, offset);
        try {
            checkTimes(random, reopened, model, timestamp);
            assertThat(reopened.timestampAt(reopened.size() - 1)).isEqualTo(model.lastKey());
        } finally {
            reopened.release();
        }
    }

    private static void checkTimes(Random random, TimeIndex index, TreeMap<Long, Long> model, long max) {
        long min = model.firstKey();
        for (int i = 0; i < 300; i++) {
            long probe = min - 5 + random.nextLong(max - min + 10);
            Map.Entry<Long, Long> below = model.lowerEntry(probe);
            int slot = index.lastSlotBefore(probe);
            if (below == null) {
                assertThat(slot).as("slot below %d", probe).isEqualTo(-1);
            } else {
                assertThat(index.timestampAt(slot)).as("timestamp below %d", probe).isEqualTo(below.getKey());
                assertThat(index.offsetAt(slot)).isEqualTo(below.getValue());
            }
        }
    }

    @Test
    void shouldRejectEntriesThatDoNotIncrease() throws IOException {
        OffsetIndex offsets = OffsetIndex.create(dir.resolve("b.index"), BASE, 10);
        TimeIndex times = TimeIndex.create(dir.resolve("b.timeindex"), BASE, 10);
        try {
            offsets.append(BASE + 5, 100);
            assertThatThrownBy(() -> offsets.append(BASE + 5, 200)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> offsets.append(BASE + 6, 100)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> offsets.append(BASE - 1, 300)).isInstanceOf(IllegalStateException.class);
            assertThat(offsets.floorPosition(Long.MAX_VALUE, 0)).isEqualTo(100);
            times.append(50, BASE + 1);
            assertThatThrownBy(() -> times.append(50, BASE + 2)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> times.append(60, BASE + 1)).isInstanceOf(IllegalStateException.class);
            assertThat(times.size()).isEqualTo(1);
        } finally {
            offsets.release();
            times.release();
        }
    }

    @Test
    void shouldRefuseToLoadDamagedIndexFiles() throws Exception {
        Path file = dir.resolve("c.index");
        OffsetIndex index = OffsetIndex.create(file, BASE, 10);
        index.append(BASE, 16);
        index.append(BASE + 10, 500);
        index.append(BASE + 20, 1000);
        MappedFiles.unmap(index.seal());
        index.release();
        byte[] good = Files.readAllBytes(file);
        OffsetIndex ok = OffsetIndex.openSealed(file, BASE, 2000);
        ok.release();

        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE + 1, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("header base offset");
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 1000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("past the batches");
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("whole 8-byte entries");
        // Cut at an entry boundary, or with zero entries added: the header's entry count tells.
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 8));
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("header says 3 entries, the file "
                + "holds 2");
        Files.write(file, java.util.Arrays.copyOf(good, good.length + 16));
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("the file holds 5");
        byte[] swapped = good.clone();
        swapped[IndexLayout.HEADER_LENGTH + 8 + 3] = 30;
        Files.write(file, swapped);
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("entries CRC32C mismatch");
        // With a CRC32C that matches (a writer bug, not a disk error), the entries are still checked.
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(swapped, IndexLayout.HEADER_LENGTH, swapped.length - IndexLayout.HEADER_LENGTH);
        java.nio.ByteBuffer.wrap(swapped).putInt(IndexLayout.ENTRIES_CRC_OFFSET, (int) crc.getValue());
        Files.write(file, swapped);
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("relative offset 20 <= previous 30");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class);
        Files.delete(file);
        assertThatThrownBy(() -> OffsetIndex.openSealed(file, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("missing");
        Files.write(file, good);
        assertThatThrownBy(() -> TimeIndex.openSealed(file, BASE, 100))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("magic");

        Path active = dir.resolve("d.index");
        OffsetIndex open = OffsetIndex.create(active, BASE, 4);
        open.append(BASE, 16);
        open.close();
        assertThat(Files.size(active)).as("trimmed at close").isEqualTo(IndexLayout.HEADER_LENGTH + 8);
        assertThatThrownBy(() -> OffsetIndex.openSealed(active, BASE, 2000))
            .isInstanceOf(IndexFile.InvalidException.class).hasMessageContaining("never sealed (entry count -1)");
    }

    @Test
    void shouldSizeActiveIndexesSoTheyNeverFillUp() {
        assertThat(IndexLayout.maxEntries(64 * 1024 * 1024, 4096)).isEqualTo(2 + (64 * 1024 * 1024 - 16) / 4096);
        assertThat(IndexLayout.maxEntries(4096, 0)).isEqualTo(2 + (4096 - 16) / IndexLayout.MIN_BATCH_SIZE);
        assertThat(IndexLayout.maxEntries(1024, 1 << 30)).isEqualTo(2);
        assertThat(16L + 12L * IndexLayout.maxEntries(Integer.MAX_VALUE, 0)).isLessThan(Integer.MAX_VALUE);
    }
}
