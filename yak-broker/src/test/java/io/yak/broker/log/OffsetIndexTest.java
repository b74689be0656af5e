package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OffsetIndexTest {
    static LongStream seeds() {
        return Seeds.seeds();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldFindTheSameFloorAsATreeMap(long seed) {
        System.out.println("OffsetIndexTest seed " + seed + " (replay with -Dyak.seed=" + seed + ")");
        Random random = new Random(seed);
        OffsetIndex index = new OffsetIndex();
        TreeMap<Long, Integer> model = new TreeMap<>();
        long offset = random.nextInt(1000);
        int position = 16;
        int entries = random.nextInt(2000);
        for (int i = 0; i < entries; i++) {
            offset += 1 + random.nextInt(50);
            position += 1 + random.nextInt(5000);
            index.append(offset, position);
            model.put(offset, position);
            if (random.nextInt(10) == 0) {
                checkLookups(random, index, model, offset);
            }
        }
        assertThat(index.size()).isEqualTo(entries);
        checkLookups(random, index, model, offset);
    }

    private static void checkLookups(Random random, OffsetIndex index, TreeMap<Long, Integer> model, long max) {
        for (int i = 0; i < 200; i++) {
            long probe = random.nextLong(max + 100);
            Map.Entry<Long, Integer> floor = model.floorEntry(probe);
            assertThat(index.floorPosition(probe, -7)).as("floor of %d", probe)
                .isEqualTo(floor == null ? -7 : floor.getValue());
        }
        for (Map.Entry<Long, Integer> e : model.entrySet()) {
            assertThat(index.floorPosition(e.getKey(), -7)).isEqualTo(e.getValue());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void shouldRejectOffsetsThatDoNotIncrease(long seed) {
        OffsetIndex index = new OffsetIndex();
        index.append(seed & 0xffff, 16);
        assertThatThrownBy(() -> index.append(seed & 0xffff, 32)).isInstanceOf(IllegalStateException.class);
        assertThat(index.floorPosition(Long.MAX_VALUE, 0)).isEqualTo(16);
    }
}
