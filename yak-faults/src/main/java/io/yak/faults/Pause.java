package io.yak.faults;

/** Sleeps for the harness's threads, which stop by flags rather than interrupts: an interrupt is a failure. */
final class Pause {
    private Pause() {
    }

    static void ms(long ms) {
        if (ms <= 0) {
            return;
        }
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
