package io.yak.broker.it;

import io.yak.client.ConsumerRecord;
import io.yak.client.TopicPartition;
import io.yak.client.YakException;
import io.yak.client.consumer.ConsumerRebalanceListener;
import io.yak.client.consumer.WakeupException;
import io.yak.client.consumer.YakConsumer;
import io.yak.wire.ErrorCode;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * A consumer group member on a thread of its own, as a service would run one: polls, "processes" each record by
 * recording it in a map shared by every member of a test (so a record processed twice shows), commits after
 * processing and when partitions are revoked. Records what its rebalance listener is told. Always {@link #close()}.
 */
final class GroupMember implements AutoCloseable {
    /** One listener call, with the time it happened. */
    record Call(String kind, Set<TopicPartition> partitions, long nanos) {
    }

    /** One processed record: which member, when. */
    record Processed(String member, long nanos) {
    }

    final String name;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    private final Map<String, ConcurrentLinkedQueue<Processed>> processed;
    private final Thread thread;
    private final YakConsumer consumer;
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile boolean running = true;
    private volatile boolean paused;
    /** The next onPartitionsRevoked throws (after recording the call), as a buggy application listener would. */
    volatile boolean failNextRevoke;

    /**
     * @param processed value -> every processing of a record with that value, shared by the members of a test
     */
    GroupMember(String name, Properties props, Object topics, Map<String, ConcurrentLinkedQueue<Processed>> processed) {
        this.name = name;
        this.processed = processed;
        this.consumer = new YakConsumer(props);
        ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                calls.add(new Call("revoked", Set.copyOf(partitions), System.nanoTime()));
                if (failNextRevoke) {
                    failNextRevoke = false;
                    throw new IllegalStateException("listener of " + name + " fails");
                }
                try {
                    consumer.commitSync(); // positions are after every processed record: the next owner goes on there
                } catch (YakException e) {
                    errors.add(e);
                }
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                calls.add(new Call("assigned", Set.copyOf(partitions), System.nanoTime()));
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                calls.add(new Call("lost", Set.copyOf(partitions), System.nanoTime()));
            }
        };
        if (topics instanceof Pattern p) {
            consumer.subscribe(p, listener);
        } else {
            @SuppressWarnings("unchecked")
            Collection<String> names = (Collection<String>) topics;
            consumer.subscribe(names, listener);
        }
        this.thread = new Thread(this::run, "member-" + name);
        thread.start();
    }

    private void run() {
        try {
            while (running) {
                if (paused) {
                    Thread.sleep(10);
                    continue;
                }
                List<ConsumerRecord> records;
                try {
                    records = consumer.poll(Duration.ofMillis(100));
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) { // recorded; a service's loop goes on polling
                    errors.add(e);
                    assignment = Set.copyOf(consumer.assignment());
                    Thread.sleep(50);
                    continue;
                }
                assignment = Set.copyOf(consumer.assignment());
                for (ConsumerRecord r : records) {
                    processed.computeIfAbsent(new String(r.value(), java.nio.charset.StandardCharsets.UTF_8),
                        v -> new ConcurrentLinkedQueue<>()).add(new Processed(name, System.nanoTime()));
                }
                if (!records.isEmpty()) {
                    try {
                        consumer.commitSync();
                    } catch (YakException e) {
                        if (e.errorCode() != ErrorCode.REBALANCE_IN_PROGRESS) { // committed after the rebalance
                            errors.add(e);
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Throwable t) {
            errors.add(t);
        }
    }

    Set<TopicPartition> assignment() {
        return assignment;
    }

    /** Stops polling (a stuck service), without closing; {@link #resume()} goes on. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /** Runs {@code action} on the consumer once the member thread stopped polling (after {@link #stopPolling()}). */
    void withConsumer(Consumer<YakConsumer> action) {
        action.accept(consumer);
    }

    /** Ends the poll loop and waits for the thread, leaving the consumer open. */
    void stopPolling() throws InterruptedException {
        running = false;
        thread.join(30_000); // a poll returns within its 100 ms
    }

    @Override
    public void close() throws InterruptedException {
        stopPolling();
        consumer.close();
    }
}
