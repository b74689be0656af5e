package io.yak.client.admin;

import io.yak.client.TopicPartition;

/**
 * One partition of an offset reset plan ({@link YakAdmin#planOffsetReset}): the group's committed offset now
 * ({@code -1} when none) and the offset the reset commits, already clamped to the partition's log start and end.
 */
public record OffsetReset(TopicPartition partition, long currentOffset, long newOffset) {
}
