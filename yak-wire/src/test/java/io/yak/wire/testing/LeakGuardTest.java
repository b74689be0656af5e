package io.yak.wire.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The guard must really see a leak, or a green build proves nothing. */
class LeakGuardTest {
    @Test
    void shouldReportALeakedBuffer() throws Exception {
        leakOne();
        LeakGuard guard = new LeakGuard();
        assertThatThrownBy(() -> guard.afterAll(null)).isInstanceOf(AssertionError.class)
            .hasMessageContaining("leak");
    }

    private static void leakOne() {
        PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(42);
    }
}
