package io.yak.wire.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.wire.testing.CapturedLogs;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RejectionLogTest {
    private final AtomicLong nowMs = new AtomicLong(1_000_000);
    private final RejectionLog log = new RejectionLog("broker 1", 60_000, nowMs::get);

    @Test
    void shouldWarnOncePerHostAndReasonPerIntervalAndCountTheRest() {
        try (CapturedLogs logs = new CapturedLogs(RejectionLog.class)) {
            for (int port = 1000; port < 2000; port++) {
                log.reject(new InetSocketAddress("127.0.0.1", port), RejectReason.MALFORMED_FRAME, "bad length");
            }
            log.reject(new InetSocketAddress("127.0.0.2", 1), RejectReason.MALFORMED_FRAME, "bad length");
            log.reject(new InetSocketAddress("127.0.0.1", 1), RejectReason.FRAME_TOO_LARGE, "too large");
            assertThat(logs.at(Level.WARN)).hasSize(3);

            log.flush(); // within the interval: nothing yet
            assertThat(logs.at(Level.WARN)).hasSize(3);
            nowMs.addAndGet(60_000);
            log.flush();
            assertThat(logs.at(Level.WARN)).hasSize(4);
            assertThat(logs.at(Level.WARN).get(3)).contains("999 MALFORMED_FRAME from 127.0.0.1");
        }
        assertThat(log.count(RejectReason.MALFORMED_FRAME)).isEqualTo(1001);
        assertThat(log.count(RejectReason.FRAME_TOO_LARGE)).isEqualTo(1);
        assertThat(log.total()).isEqualTo(1002);
        assertThat(log.warnLines()).isEqualTo(4);
    }

    @Test
    void shouldWarnAgainWithTheCountAfterTheInterval() {
        try (CapturedLogs logs = new CapturedLogs(RejectionLog.class)) {
            InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 5);
            log.reject(peer, RejectReason.INVALID_REQUEST, "a");
            log.reject(peer, RejectReason.INVALID_REQUEST, "b");
            nowMs.addAndGet(60_000);
            log.reject(peer, RejectReason.INVALID_REQUEST, "c");
            assertThat(logs.at(Level.WARN)).hasSize(2);
            assertThat(logs.at(Level.WARN).get(1)).contains("c (1 more from that host");
        }
    }

    /** Found by a tester: with more hosts than were remembered, every rejection was logged as a first one. */
    @Test
    void shouldBoundWarnLinesWhateverTheNumberOfHosts() {
        int hosts = RejectionLog.MAX_TRACKED + 1000;
        try (CapturedLogs logs = new CapturedLogs(RejectionLog.class)) {
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < hosts; i++) {
                    log.reject(new InetSocketAddress("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
                        1), RejectReason.MALFORMED_FRAME, "x");
                }
            }
            assertThat(logs.at(Level.WARN)).hasSize(RejectionLog.MAX_WARNS_PER_INTERVAL);
            nowMs.addAndGet(60_000);
            log.flush();
            assertThat(logs.at(Level.WARN)).hasSize(RejectionLog.MAX_WARNS_PER_INTERVAL + 1);
            String summary = logs.at(Level.WARN).get(RejectionLog.MAX_WARNS_PER_INTERVAL);
            assertThat(summary).contains((4L * hosts - RejectionLog.MAX_WARNS_PER_INTERVAL - 20 * 3) + " from other "
                + "hosts");
            assertThat(summary.length()).as("a summary stays one short line").isLessThan(2000);
        }
        assertThat(log.count(RejectReason.MALFORMED_FRAME)).isEqualTo(4L * hosts);
    }
}
