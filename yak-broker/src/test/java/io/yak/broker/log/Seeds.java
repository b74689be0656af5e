package io.yak.broker.log;

import java.util.stream.LongStream;

/** Seeds of the randomized tests: {@code -Dyak.seed=N} replays one; otherwise fresh ones (each test prints its). */
final class Seeds {
    private Seeds() {
    }

    static LongStream seeds() {
        Long fixed = Long.getLong("yak.seed");
        if (fixed != null) {
            return LongStream.of(fixed);
        }
        long base = System.nanoTime();
        return LongStream.range(0, 4).map(i -> base * 31 + i * 0x9E3779B97F4A7C15L);
    }
}
