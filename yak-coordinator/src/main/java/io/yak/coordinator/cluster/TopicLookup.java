package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import java.util.List;

/**
 * Outcome of a METADATA request's topic list.
 *
 * @param error   NONE; UNKNOWN_TOPIC when a listed topic does not exist and was not created; or the error that
 *                stopped its creation (INVALID_TOPIC, NO_LIVE_BROKERS, INVALID_REQUEST)
 * @param message human-readable detail for the response, null when {@code error} is NONE
 * @param created topics created by this request, in request order
 */
public record TopicLookup(ErrorCode error, String message, List<String> created) {
    public TopicLookup {
        created = List.copyOf(created);
    }

    /** True when topics were created (epoch bumped once): persist and broadcast. */
    public boolean changed() {
        return !created.isEmpty();
    }
}
