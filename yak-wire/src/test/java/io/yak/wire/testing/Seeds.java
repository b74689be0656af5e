package io.yak.wire.testing;

import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeds for property tests. Each run uses a few fixed seeds plus fresh ones; every test prints its seed, and
 * {@code -Dyak.test.seed=N} replays exactly that seed.
 */
public final class Seeds {
    public static final String PROPERTY = "yak.test.seed";

    private static final long[] FIXED = {1L, 42L, 20261125L, -7L, Long.MAX_VALUE};

    private Seeds() {
    }

    /** {@code count} seeds: the fixed ones first, then fresh ones; only the replay seed when the property is set. */
    public static LongStream seeds(int count) {
        String replay = System.getProperty(PROPERTY);
        if (replay != null && !replay.isBlank()) {
            return LongStream.of(Long.parseLong(replay.trim()));
        }
        SplittableRandom fresh = new SplittableRandom();
        return LongStream.range(0, count).map(i -> i < FIXED.length ? FIXED[(int) i] : fresh.nextLong());
    }

    /** A random source for one test, with its seed printed so a failure can be replayed. */
    public static Random random(String test, long seed) {
        System.out.println(test + " seed=" + seed + " (replay with -D" + PROPERTY + "=" + seed + ")");
        return new Random(seed);
    }
}
