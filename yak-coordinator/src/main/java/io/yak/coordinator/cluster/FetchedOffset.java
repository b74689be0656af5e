package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;

/**
 * A committed offset lookup.
 *
 * @param error  NONE (also when nothing was committed), UNKNOWN_TOPIC or UNKNOWN_PARTITION
 * @param offset the committed offset, or {@link ClusterState#NO_OFFSET} when there is none
 */
public record FetchedOffset(ErrorCode error, long offset) {
}
