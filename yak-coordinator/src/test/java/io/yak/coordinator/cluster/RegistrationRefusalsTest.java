package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.wire.testing.CapturedLogs;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The refusal log's rate limit and memory bound, with time passed in by hand. */
class RegistrationRefusalsTest {
    private static final String LOGGER = RegistrationRefusalsTest.class.getName();

    private final RegistrationRefusals refusals = new RegistrationRefusals(LoggerFactory.getLogger(LOGGER));
    private long now = 5_000_000;

    @Test
    void shouldWarnOncePerAddressPerMinuteAndGiveTheCountWithTheNextWarning() {
        try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
            for (int i = 0; i < 120; i++) { // one a second for two minutes
                refusals.refused("10.0.0.1", 7, "evil", 9092, "broker id 7 is not in broker.ids 1-3", now);
                now += 1000;
            }

            List<String> warnings = logs.at(Level.WARN);
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(0)).isEqualTo("rejecting registration of broker 7 at evil:9092 from 10.0.0.1: "
                + "broker id 7 is not in broker.ids 1-3");
            assertThat(warnings.get(1)).endsWith("(59 more refused from 10.0.0.1 since its last warning; logged at "
                + "most once per address every 60 s)");
            assertThat(logs.at(Level.DEBUG)).hasSize(118);
        }
    }

    @Test
    void shouldWarnAboutEachAddressSeparately() {
        try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
            refusals.refused("10.0.0.1", 7, "h", 1, "no", now);
            refusals.refused("10.0.0.2", 7, "h", 1, "no", now);
            refusals.refused("10.0.0.1", 7, "h", 1, "no", now + 1);

            assertThat(logs.at(Level.WARN)).hasSize(2);
        }
    }

    @Test
    void shouldEscapeTheHostThePeerSent() {
        try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
            refusals.refused("10.0.0.1", 7, "h\nERROR [main] FORGED LINE", 1, "invalid host", now);

            assertThat(logs.at(Level.WARN)).singleElement().asString().doesNotContain("\n")
                .contains("h\\nERROR [main] FORGED LINE");
        }
    }

    @Test
    void shouldRememberAtMostMaxAddressesAndCountTheRestInTheNextWarning() {
        int fuzzerAddresses = 10 * RegistrationRefusals.MAX_ADDRESSES;
        try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
            for (int i = 0; i < fuzzerAddresses; i++) {
                refusals.refused("10.1." + (i >> 8) + "." + (i & 0xff), 100 + i, "fake", 9092, "not allowed", now);
                assertThat(refusals.addresses()).isLessThanOrEqualTo(RegistrationRefusals.MAX_ADDRESSES);
            }

            assertThat(logs.at(Level.WARN)).as("at most one line per remembered address per interval")
                .hasSize(RegistrationRefusals.MAX_ADDRESSES);
            now += RegistrationRefusals.INTERVAL_MS;
            refusals.refused("10.9.9.9", 1, "late", 9092, "not allowed", now);
            List<String> warnings = logs.at(Level.WARN);
            assertThat(warnings.get(warnings.size() - 1)).contains("from 10.9.9.9",
                (fuzzerAddresses - RegistrationRefusals.MAX_ADDRESSES) + " refused from other addresses not logged");
            assertThat(refusals.addresses()).isEqualTo(RegistrationRefusals.MAX_ADDRESSES);
        }
    }

    @Test
    void shouldKeepTheCountOfAnAddressThatMadeRoomForAnother() {
        try (CapturedLogs logs = new CapturedLogs(LOGGER)) {
            refusals.refused("10.0.0.1", 7, "h", 1, "no", now);
            refusals.refused("10.0.0.1", 7, "h", 1, "no", now + 1); // counted under 10.0.0.1
            now += RegistrationRefusals.INTERVAL_MS;
            for (int i = 0; i < RegistrationRefusals.MAX_ADDRESSES; i++) { // 10.0.0.1 makes room for the last one
                refusals.refused("10.2.0." + i, 7, "h", 1, "no", now);
            }

            List<String> warnings = logs.at(Level.WARN);
            assertThat(warnings).hasSize(1 + RegistrationRefusals.MAX_ADDRESSES);
            assertThat(warnings.get(warnings.size() - 1)).contains("1 refused from other addresses not logged");
        }
    }
}
