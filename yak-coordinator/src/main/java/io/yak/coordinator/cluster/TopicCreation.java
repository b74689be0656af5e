package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;

/**
 * Outcome of a CREATE_TOPIC.
 *
 * @param error   NONE (the state changed) or why nothing was created
 * @param message the detail for the response when it says more than the error code (for
 *                INVALID_REPLICATION_FACTOR: the factor and the brokers available), else null
 */
public record TopicCreation(ErrorCode error, String message) {
    static final TopicCreation CREATED = new TopicCreation(ErrorCode.NONE, null);
}
