package io.yak.coordinator.net;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.Frame;
import io.yak.wire.message.LeaderInfo;
import io.yak.wire.message.LeaderInfoDelta;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes the cluster's changes to every registered connection (brokers, producers, consumers): a LEADER_INFO_DELTA
 * (what one change did, a few partitions) to a connection that has the view it applies to, else a whole LEADER_INFO
 * (correlation id 0). A connection leaves the set when it closes.
 *
 * <p>Bounded per connection: a push is written on the connection's own event loop, and only while the connection
 * is writable. A peer that does not drain keeps just the newest undelivered view (older views are useless once a
 * newer epoch exists), sent whole when it becomes writable again; deltas resume from there.
 *
 * <p>{@link #register} and {@link #broadcast} may be called from any thread.
 */
public final class Broadcaster {
    private static final Logger LOG = LoggerFactory.getLogger(Broadcaster.class);
    /** Newest metadata not yet pushed to a non-writable channel; touched on the channel's event loop only. */
    private static final AttributeKey<ClusterMetadata> PENDING =
        AttributeKey.valueOf(Broadcaster.class, "pendingLeaderInfo");
    /** The epoch of the last view pushed to the channel (a delta applies to it); event loop only. */
    private static final AttributeKey<Long> SENT_EPOCH = AttributeKey.valueOf(Broadcaster.class, "sentEpoch");

    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final LongAdder pushes = new LongAdder();
    private final LongAdder deltas = new LongAdder();

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

    /** LEADER_INFO and LEADER_INFO_DELTA frames written. */
    public long pushes() {
        return pushes.sum();
    }

    /** LEADER_INFO_DELTA frames written (the rest of {@link #pushes} were whole views). */
    public long deltas() {
        return deltas.sum();
    }

    /**
     * Pushes the change to {@code metadata} to every registered connection.
     *
     * @param delta the change from the previous epoch's view to {@code metadata}, or null to send the whole view
     */
    public void broadcast(ClusterMetadata metadata, LeaderInfoDelta delta) {
        LOG.debug("broadcasting epoch {} to {} connections", metadata.epoch(), channels.size());
        for (Channel ch : channels) {
            try {
                ch.eventLoop().execute(() -> push(ch, metadata, delta));
            } catch (RejectedExecutionException e) {
                LOG.debug("not pushing epoch {} to {}: its event loop is shut down", metadata.epoch(),
                    ch.remoteAddress());
            }
        }
    }

    private void push(Channel ch, ClusterMetadata metadata, LeaderInfoDelta delta) {
        if (!ch.isActive()) {
            return;
        }
        if (!ch.isWritable()) {
            ch.attr(PENDING).set(metadata);
            return;
        }
        ch.attr(PENDING).set(null);
        Long sent = ch.attr(SENT_EPOCH).get();
        if (delta != null && sent != null && sent == delta.baseEpoch()) {
            pushes.increment();
            deltas.increment();
            ch.attr(SENT_EPOCH).set(delta.epoch());
            ch.writeAndFlush(Frame.of(0, delta), ch.voidPromise());
        } else if (sent == null || sent < metadata.epoch()) {
            write(ch, metadata);
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
        ch.attr(SENT_EPOCH).set(metadata.epoch());
        ch.writeAndFlush(Frame.of(0, new LeaderInfo(metadata)), ch.voidPromise());
    }
}
