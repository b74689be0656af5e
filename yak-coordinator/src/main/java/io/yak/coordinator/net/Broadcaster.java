package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Frame;
import io.yak.wire.message.LeaderInfo;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes LEADER_INFO (correlation id 0) to every registered connection (brokers, producers, consumers) after each
 * change of the cluster state. A connection leaves the set when it closes.
 *
 * <p>Bounded per connection: a push is written on the connection's own event loop, and only while the connection
 * is writable. A peer that does not drain keeps just the newest undelivered metadata (older views are useless once
 * a newer epoch exists), sent when it becomes writable again.
 *
 * <p>{@link #register} and {@link #broadcast} may be called from any thread.
 */
public final class Broadcaster {
    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    /** Newest metadata not yet pushed to a non-writable channel; touched on the channel's event loop only. */
    private static final AttributeKey<ClusterMetadata> PENDING =
        AttributeKey.valueOf(Broadcaster.class, "pendingLeaderInfo");

    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final LongAdder pushes = new LongAdder();

    /** Adds a connection; idempotent. */
    public void register(Channel channel) {
        if (channels.add(channel)) {
            channel.closeFuture().addListener(f -> channels.remove(channel));
        }
    }

    /** Registered connections now open. */
    public int size() {
        return channels.size();
    }

    /** LEADER_INFO frames written. */
    public long pushes() {
        return pushes.sum();
    }

    /** Pushes {@code metadata} to every registered connection. */
    public void broadcast(ClusterMetadata metadata) {
        LOG.debug("broadcasting epoch {} to {} connections", metadata.epoch(), channels.size());
        for (Channel ch : channels) {
            try {
                ch.eventLoop().execute(() -> push(ch, metadata));
            } catch (RejectedExecutionException e) {
                LOG.debug("not pushing epoch {} to {}: its event loop is shut down", metadata.epoch(),
                    ch.remoteAddress());
            }
        }
    }

    private void push(Channel ch, ClusterMetadata metadata) {
        if (!ch.isActive()) {
            return;
        }
        if (ch.isWritable()) {
            ch.attr(PENDING).set(null);
            write(ch, metadata);
        } else {
            ch.attr(PENDING).set(metadata);
        }
    }

    /** Sends the held-back metadata once the peer drained its buffer. Runs on the channel's event loop. */
    void writabilityChanged(Channel ch) {
        if (ch.isWritable()) {
            ClusterMetadata pending = ch.attr(PENDING).getAndSet(null);
            if (pending != null && ch.isActive()) {
                write(ch, pending);
            }
        }
    }

    private void write(Channel ch, ClusterMetadata metadata) {
        pushes.increment();
        ch.writeAndFlush(Frame.of(0, new LeaderInfo(metadata)), ch.voidPromise());
    }
}
