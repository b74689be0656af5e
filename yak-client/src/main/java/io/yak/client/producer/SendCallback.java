package io.yak.client.producer;

import io.yak.client.YakException;

/**
 * Told the outcome of one record given to {@link YakProducer#send(String, int, byte[], byte[], long, SendCallback,
 * long)}: the allocation-free way to send. The producer keeps only the callback reference and the caller's
 * {@code token} per record (in arrays of the batch), so a record costs no object of its own while it waits; one
 * callback instance can serve every record, the token telling them apart (a sequence number, a send time).
 *
 * <p>Runs on the producer's sender thread, in offset order within a partition, like Kafka's callbacks: it must
 * be quick and must not block or call {@code flush()}/{@code close()}. A callback that throws is logged and the
 * other records are still told. When {@code send} itself rejects the record (unknown topic, record too large,
 * metadata or buffer-memory timeout), the callback runs on the calling thread before {@code send} returns; records
 * still unsent when {@code close()} gives up are failed on the closing thread.
 */
@FunctionalInterface
public interface SendCallback {
    /**
     * @param token     what the caller passed to {@code send}
     * @param offset    the record's offset, or -1 with {@code acks=0} or on failure
     * @param timestamp the record's timestamp (epoch ms)
     * @param error     null when the record is stored, else why it is not
     */
    void onCompletion(long token, String topic, int partition, long offset, long timestamp, YakException error);
}
