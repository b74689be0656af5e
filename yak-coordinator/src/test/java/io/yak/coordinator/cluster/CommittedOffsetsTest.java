package io.yak.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.yak.wire.ErrorCode;
import io.yak.wire.testing.CapturedLogs;
import org.junit.jupiter.api.Test;

class CommittedOffsetsTest {
    private final CommittedOffsets offsets = new CommittedOffsets();

    @Test
    void shouldStoreUpToTheBoundThenRefuseNewKeysButUpdateKnownOnes() {
        for (int p = 0; p < CommittedOffsets.MAX_COMMITTED_OFFSETS; p++) {
            assertThat(offsets.commit("g", "t", p, p)).isEqualTo(ErrorCode.NONE);
        }

        assertThat(offsets.commit("g", "t", -7, 1)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(offsets.commit("g", "t", 5, 50)).isEqualTo(ErrorCode.NONE);
        assertThat(offsets.fetch("g", "t", 5)).isEqualTo(50);
        assertThat(offsets.fetch("g", "t", -7)).isEqualTo(ClusterState.NO_OFFSET);
        assertThat(offsets.snapshot()).hasSize(CommittedOffsets.MAX_COMMITTED_OFFSETS);
    }

    @Test
    void shouldEscapeTheGroupNameInTheLimitWarning() {
        for (int p = 0; p < CommittedOffsets.MAX_COMMITTED_OFFSETS; p++) {
            offsets.commit("g", "t", p, p);
        }
        try (CapturedLogs logs = new CapturedLogs(CommittedOffsets.class)) {
            assertThat(offsets.commit("g\nERROR [main] FORGED LINE", "t", 0, 1)).isEqualTo(ErrorCode.INVALID_REQUEST);

            assertThat(logs.at(Level.WARN)).singleElement().asString().doesNotContain("\n")
                .contains("g\\nERROR [main] FORGED LINE");
        }
    }

    @Test
    void shouldValidateGroupAndOffset() {
        assertThat(CommittedOffsets.validate("g", 0)).isEqualTo(ErrorCode.NONE);
        assertThat(CommittedOffsets.validate("g".repeat(CommittedOffsets.MAX_GROUP_LENGTH), 0))
            .isEqualTo(ErrorCode.NONE);
        assertThat(CommittedOffsets.validate("g".repeat(CommittedOffsets.MAX_GROUP_LENGTH + 1), 0))
            .isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(CommittedOffsets.validate("", 0)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(CommittedOffsets.validate(null, 0)).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(CommittedOffsets.validate("g", -1)).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
}
