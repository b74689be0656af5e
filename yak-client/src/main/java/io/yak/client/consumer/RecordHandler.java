package io.yak.client.consumer;

/**
 * Receives records from {@link YakConsumer#poll(java.time.Duration, RecordHandler)} one at a time, as a
 * {@link RecordView} over the fetched bytes: the allocation-free way to consume.
 *
 * <p>The view is valid only during the call; copy what must outlive it. The handler runs on the polling thread
 * and must not call the consumer. When it throws, the poll stops and rethrows; the record it threw on is not
 * consumed (the position stays on it, so the next poll hands it out again).
 */
@FunctionalInterface
public interface RecordHandler {
    void onRecord(RecordView record);
}
