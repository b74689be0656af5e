package io.yak.client.producer;

import io.micrometer.core.instrument.MeterRegistry;
import io.yak.client.RecordMetadata;
import io.yak.client.YakException;
import io.yak.client.internal.ClientNetwork;
import io.yak.client.internal.MetadataCache;
import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.message.PartitionInfo;
import io.yak.wire.message.TopicInfo;
import io.yak.wire.net.NetworkClient;
import io.yak.wire.record.RecordBatchBuilder;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes records to YaK topics. {@link #send} copies the record into a batch of its partition and returns at
 * once (blocking only while the topic's metadata is fetched the first time, or while {@code buffer.memory} is full,
 * each up to {@code max.block.ms}); the {@code yak-producer-sender} thread sends full or lingered batches to the
 * partition leaders, retries retriable failures, and completes the futures.
 *
 * <p>Configuration: see {@link ProducerConfig} for the keys ({@code coordinator}, {@code batch.size},
 * {@code linger.ms}, {@code acks}, {@code retries}, {@code delivery.timeout.ms}, {@code buffer.memory},
 * {@code max.block.ms}, {@code max.in.flight.requests.per.connection}, {@code request.timeout.ms},
 * {@code retry.backoff.ms}, {@code connect.timeout.ms}, {@code max.request.size}, {@code enable.idempotence},
 * {@code client.id}); unknown keys
 * throw {@link IllegalArgumentException}.
 *
 * <p>Guarantees: with the default {@code acks=all} a record is acknowledged once every in-sync replica of its
 * partition has it, so it survives the loss of the leader. Retriable errors ({@code NOT_LEADER}, a lost connection,
 * {@code NOT_ENOUGH_REPLICAS}, ...) are retried, following leader changes, within {@code delivery.timeout.ms}.
 * With {@code enable.idempotence} (the default, as in Kafka 3+) a retry stores nothing twice, also when its answer
 * was lost or it reaches a new leader, and records of one partition are stored in the order they were sent with up
 * to 5 requests in flight. Without it delivery is at-least-once (a retry after a lost answer may store a batch twice)
 * and a retried batch may land after a later one already in flight unless
 * {@code max.in.flight.requests.per.connection} is 1 (see {@link Sender}). A future completes with the record's
 * offset ({@code -1} with acks=0) or fails with a {@link YakException}.
 *
 * <p>Metrics: given a Micrometer {@link MeterRegistry} ({@link #YakProducer(Properties, MeterRegistry)}) the
 * producer registers its {@code yak.producer.*} meters there, tagged {@code client.id} (see {@code METRICS.md}), and
 * removes them when it closes.
 *
 * <p>Thread-safe. Futures complete on the sender thread: chain only quick work onto them (or use the
 * {@code *Async} variants), and never call {@link #flush()} from such a callback.
 */
public final class YakProducer implements AutoCloseable {
    /** The {@code partition} argument of {@code send} that lets the key (or the sticky partitioner) choose. */
    public static final int ANY_PARTITION = Router.ANY_PARTITION;
    private static final Logger LOG = LoggerFactory.getLogger(YakProducer.class);

    private final ProducerConfig config;
    private final NetworkClient network;
    private final MetadataCache metadata;
    private final RecordAccumulator accumulator;
    private final Router router;
    private final Sender sender;
    private final Thread senderThread;
    private final long maxBlockNs;
    private final ProducerMetrics metrics;
    private volatile boolean closed;

    /** Creates a producer from the keys listed in the class comment; it registers no meters. */
    public YakProducer(Properties props) {
        this(props, null, System::nanoTime, new Random());
    }

    /**
     * Creates a producer from the keys listed in the class comment that records its meters ({@code yak.producer.*},
     * tagged with its {@code client.id}) in {@code registry} until it closes; a null registry records nothing, as
     * {@link #YakProducer(Properties)}.
     */
    public YakProducer(Properties props, MeterRegistry registry) {
        this(props, registry, System::nanoTime, new Random());
    }

    YakProducer(Properties props, MeterRegistry registry, LongSupplier nanoClock, Random random) {
        this.config = ProducerConfig.from(props);
        this.maxBlockNs = TimeUnit.MILLISECONDS.toNanos(config.maxBlockMs());
        this.network = ClientNetwork.create(config.common());
        this.metadata = new MetadataCache(network, config.common().coordinator(), MetadataCache.Role.PRODUCER,
            config.common().clientId(), null, config.common().retryBackoffMs(), nanoClock);
        this.accumulator = new RecordAccumulator(config.batchSize(), config.lingerMs(), config.deliveryTimeoutMs(),
            new BufferPool(config.bufferMemory()), nanoClock, config.idempotence() ? metadata::producerId : null);
        this.router = new Router(new StickyPartitioner(random), accumulator);
        // registered once the network and buffers exist, so a constructor failing there leaves no meters behind
        this.metrics = registry == null ? ProducerMetrics.NONE
            : new ProducerMetrics(registry, config.common().clientId());
        this.sender = new Sender(config, accumulator, metadata, network, nanoClock, metrics);
        metadata.addListener(sender::wakeup);
        this.senderThread = sender.start();
        LOG.debug("producer {} started: coordinator {}, acks {}, batch.size {}, linger.ms {}, idempotence {}",
            LogText.safe(config.common().clientId()), config.common().coordinator(), config.acks(), config.batchSize(),
            config.lingerMs(), config.idempotence());
    }

    public String clientId() {
        return config.common().clientId();
    }

    /** Sends a record timestamped now. See {@link #send(String, int, byte[], byte[], long)}. */
    public CompletableFuture<RecordMetadata> send(String topic, byte[] key, byte[] value) {
        return send(topic, Router.ANY_PARTITION, key, value, System.currentTimeMillis());
    }

    /** Sends a record with the given timestamp (epoch ms). */
    public CompletableFuture<RecordMetadata> send(String topic, byte[] key, byte[] value, long timestamp) {
        return send(topic, Router.ANY_PARTITION, key, value, timestamp);
    }

    /**
     * Sends a record to an explicit partition, or with {@code partition} -1 to the partition its key hashes to
     * (murmur2, as Kafka) or, without a key, to the topic's sticky partition. The key and value are copied before
     * this returns; the caller may reuse the arrays. The topic is created when it does not exist and the
     * coordinator allows auto-creation.
     *
     * @return completes with the record's offset, or fails with a {@link YakException} (also for metadata or
     *     buffer-memory timeouts and records larger than {@code max.request.size})
     * @throws IllegalStateException after {@link #close()}
     * @throws IllegalArgumentException for a negative timestamp (as Kafka's {@code ProducerRecord})
     */
    public CompletableFuture<RecordMetadata> send(String topic, int partition, byte[] key, byte[] value,
                                                  long timestamp) {
        RecordFuture future = new RecordFuture();
        YakException rejected = append(topic, partition, key, value, timestamp, future, 0);
        if (rejected != null) {
            metrics.failed(rejected, 1);
            future.completeExceptionally(rejected);
        }
        return future;
    }

    /**
     * Sends a record like {@link #send(String, int, byte[], byte[], long)}, telling {@code callback} the outcome
     * with {@code token} instead of returning a future: the producer allocates nothing for the record (it is copied
     * into the batch's pooled buffer; the callback and token go into the batch's arrays). See {@link SendCallback}
     * for the thread it runs on.
     *
     * @throws IllegalStateException after {@link #close()}
     * @throws IllegalArgumentException for a negative timestamp
     */
    public void send(String topic, int partition, byte[] key, byte[] value, long timestamp, SendCallback callback,
                     long token) {
        Objects.requireNonNull(callback, "callback");
        YakException rejected = append(topic, partition, key, value, timestamp, callback, token);
        if (rejected != null) {
            metrics.failed(rejected, 1);
            callback.onCompletion(token, topic, partition, -1, timestamp, rejected);
        }
    }

    /** Appends the record for {@code sink}; returns why it was rejected, or null. */
    private YakException append(String topic, int partition, byte[] key, byte[] value, long timestamp, Object sink,
                                long token) {
        Objects.requireNonNull(topic, "topic");
        if (closed) {
            throw new IllegalStateException("producer " + clientId() + " is closed");
        }
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp " + timestamp + " < 0: a record's timestamp is epoch ms");
        }
        try {
            int bound = RecordBatchBuilder.batchSizeBound(key == null ? -1 : key.length,
                value == null ? -1 : value.length);
            if (bound > config.maxRequestSize()) {
                throw new YakException(ErrorCode.FRAME_TOO_LARGE, "record of about " + bound
                    + " bytes exceeds max.request.size " + config.maxRequestSize());
            }
            long start = System.nanoTime();
            TopicInfo t = metadata.topic(topic);
            if (t == null) {
                t = metadata.awaitTopic(topic, true, config.maxBlockMs());
            }
            long remainingNs = Math.max(0, maxBlockNs - (System.nanoTime() - start));
            RecordAccumulator.AppendResult r =
                router.append(t, partition, timestamp, key, value, sink, token, remainingNs);
            if (r != RecordAccumulator.AppendResult.APPENDED) {
                sender.wakeup();
            }
            return null;
        } catch (YakException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new YakException(ErrorCode.REQUEST_TIMED_OUT, "interrupted in send", e);
        }
    }

    /**
     * The partitions of a topic (creating it when allowed), waiting up to {@code max.block.ms} for metadata.
     *
     * @throws YakException when the topic is unknown or the metadata does not arrive in time
     */
    public List<PartitionInfo> partitionsFor(String topic) {
        TopicInfo t = metadata.topic(topic);
        if (t == null) {
            t = metadata.awaitTopic(topic, true, config.maxBlockMs());
        }
        return t.partitions();
    }

    /**
     * Sends every buffered record now and waits until all records sent before this call are acknowledged or
     * failed.
     *
     * @throws IllegalStateException when called from a send callback (it would wait for itself)
     */
    public void flush() {
        if (sender.isSenderThread()) {
            throw new IllegalStateException("flush() called from a send callback on the sender thread would deadlock");
        }
        accumulator.beginFlush();
        try {
            sender.wakeup();
            for (ProducerBatch b : accumulator.incompleteBatches()) {
                b.done.join();
            }
        } finally {
            accumulator.endFlush();
        }
    }

    /**
     * Flushes, stops the sender and closes the connections. Bounded by {@code delivery.timeout.ms}: records not
     * delivered by then fail.
     */
    @Override
    public void close() {
        if (sender.isSenderThread()) {
            // refused before anything changes: the close() the application makes elsewhere still shuts it down
            throw new IllegalStateException("close() called from a send callback on the sender thread");
        }
        if (closed) {
            return;
        }
        closed = true;
        try {
            accumulator.close();
            flush();
            sender.initiateClose();
            senderThread.join(config.deliveryTimeoutMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (senderThread.isAlive()) {
                sender.forceClose();
            }
            network.close();
            try {
                senderThread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // A send racing with close may have appended after the last drain.
            for (ProducerBatch b : accumulator.removeAll()) {
                YakException e = new YakException(ErrorCode.UNKNOWN_SERVER_ERROR,
                    "producer closed before the record was sent");
                metrics.failed(e, b.recordCount());
                b.fail(e);
                accumulator.deallocate(b);
            }
            metrics.close();
            LOG.debug("producer {} closed", LogText.safe(clientId()));
        }
    }
}
