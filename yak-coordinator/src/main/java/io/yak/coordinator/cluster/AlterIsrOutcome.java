package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import io.yak.wire.message.AlterIsrResult;
import java.util.List;

/**
 * Outcome of an ALTER_ISR_REQUEST.
 *
 * @param error   NONE, or UNKNOWN_BROKER / STALE_BROKER_EPOCH for the whole request (nothing applied, no results)
 * @param results one per requested partition, in request order, each with the partition's state after the request
 * @param changed whether any ISR changed (epoch bumped once): persist, then answer and broadcast
 */
public record AlterIsrOutcome(ErrorCode error, List<AlterIsrResult> results, boolean changed) {
    public AlterIsrOutcome {
        results = List.copyOf(results);
    }
}
