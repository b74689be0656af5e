package io.yak.coordinator.cluster;

import io.yak.wire.ErrorCode;
import io.yak.wire.log.LogText;
import io.yak.wire.message.BrokerInfo;
import io.yak.wire.message.PartitionRef;
import java.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a broker's life means for the cluster, as Kafka's ClusterControlManager: registration, heartbeats, silence
 * and clean shutdown. The {@link BrokerRegistry} decides who may register and who is alive; this class logs each
 * such decision with the epoch and has {@link ReplicationControl} apply what follows for leadership (STATE.md,
 * "Leadership": a death, a restart, a return, a changed heartbeat list). The contracts are those of the
 * {@link ClusterState} methods of the same names.
 *
 * <p>It never bumps the cluster epoch: each method takes the epoch its caller, the {@link ClusterState}, bumps to
 * when the result says the state changed. Not thread-safe: owned by the thread that owns the {@link ClusterState};
 * time is passed in as {@code nowMs}.
 */
final class BrokerLifecycle {
    /** Logged under ClusterState's name, as it always was: operators' log filters keep working. */
    private static final Logger LOG = LoggerFactory.getLogger(ClusterState.class);

    private final long heartbeatTimeoutMs;
    private final BrokerRegistry brokers;
    private final PartitionStates partitions;
    private final ReplicationControl control;

    BrokerLifecycle(long heartbeatTimeoutMs, BrokerRegistry brokers, PartitionStates partitions,
                    ReplicationControl control) {
        this.heartbeatTimeoutMs = heartbeatTimeoutMs;
        this.brokers = brokers;
        this.partitions = partitions;
        this.control = control;
    }

    /** See {@link ClusterState#registerBroker(int, String, int, long, boolean, long, SocketAddress, long)}. */
    RegisterResult register(int id, String host, int port, long incarnationId, boolean cleanShutdown,
                            long connectionId, SocketAddress remote, long nowMs, long newEpoch) {
        BrokerRegistry.Registration r = brokers.register(id, host, port, incarnationId, connectionId, remote, nowMs);
        if (r.error() != ErrorCode.NONE) {
            return new RegisterResult(r.error(), false, BrokerInfo.NO_EPOCH);
        }
        BrokerEntry b = r.broker();
        String address = LogText.safe(b.address());
        switch (r.change()) {
            case NONE -> {
                return new RegisterResult(ErrorCode.NONE, false, b.brokerEpoch);
            }
            case NEW -> {
                b.brokerEpoch = newEpoch;
                LOG.info("broker {} registered at {} (new), brokerEpoch {}, epoch {}", id, address, b.brokerEpoch,
                    newEpoch);
            }
            case MOVED -> LOG.info("broker {} moved from {} to {} on the same connection, epoch {}", id,
                LogText.safe(r.oldAddress()), address, newEpoch);
            case RECONNECTED -> {
                if (!r.addressChanged()) {
                    LOG.info("broker {} at {} registered again on a new connection (same incarnation, brokerEpoch "
                        + "{}): nothing changes", id, address, b.brokerEpoch);
                    return new RegisterResult(ErrorCode.NONE, false, b.brokerEpoch);
                }
                LOG.info("broker {} registered again (same incarnation, brokerEpoch {}), moved from {} to {}, "
                    + "epoch {}", id, b.brokerEpoch, LogText.safe(r.oldAddress()), address, newEpoch);
            }
            case RETURNED -> {
                LOG.info("broker {} at {} is back (same incarnation, brokerEpoch {}; was declared dead), epoch {}",
                    id, address, b.brokerEpoch, newEpoch);
                control.electWhereInIsr(b, "broker " + id + " is back", newEpoch);
            }
            case NEW_INCARNATION -> {
                if (r.wasAlive()) {
                    LOG.info("broker {} restarted (new incarnation at {}): its previous incarnation (brokerEpoch {}) "
                        + "is treated as dead, epoch {}", id, address, b.brokerEpoch, newEpoch);
                    control.brokerGone(b, "broker " + id + " restarted", newEpoch);
                }
                b.brokerEpoch = newEpoch;
                LOG.info("broker {} registered at {} (new incarnation, was {}, after {} shutdown), brokerEpoch {}, "
                    + "epoch {}", id, address, LogText.safe(r.oldAddress()), cleanShutdown ? "a clean" : "an unclean",
                    b.brokerEpoch, newEpoch);
                if (!cleanShutdown) {
                    control.withoutUncleanReplica(b, newEpoch);
                }
                control.electWhereInIsr(b, "broker " + id + " registered", newEpoch);
            }
            default -> throw new IllegalStateException("registration change " + r.change());
        }
        control.electUncleanIfEnabled(newEpoch);
        return new RegisterResult(ErrorCode.NONE, true, b.brokerEpoch);
    }

    /** See {@link ClusterState#heartbeat}. */
    HeartbeatResult heartbeat(int brokerId, long connectionId, List<PartitionRef> offlinePartitions, long nowMs,
                              long newEpoch) {
        BrokerEntry b = brokers.heartbeat(brokerId, connectionId, nowMs);
        if (b == null) {
            return HeartbeatResult.UNKNOWN;
        }
        boolean firstReport = !b.reportKnown;
        b.reportKnown = true;
        OfflineReports.Change change = OfflineReports.apply(b, offlinePartitions, partitions, nowMs);
        int changed = control.reportChanged(b, change, newEpoch);
        if (firstReport) {
            // restored from the state file: now that its list is known, it may lead what has no leader
            changed += control.electWhereInIsr(b, "broker " + b.id + " heard from after the coordinator's restart",
                newEpoch);
        }
        if (!change.isEmpty() || firstReport) {
            changed += control.electUncleanIfEnabled(newEpoch);
        }
        if (changed == 0) {
            return HeartbeatResult.UNCHANGED; // nothing listed, or only partitions whose ISR it is not in
        }
        return HeartbeatResult.CHANGED;
    }

    /**
     * See {@link ClusterState#checkLiveness}.
     *
     * @return true when the state changed (a broker declared dead or forgotten)
     */
    boolean checkLiveness(long nowMs, long newEpoch) {
        List<BrokerEntry> dead = brokers.silent(nowMs);
        for (BrokerEntry b : dead) {
            LOG.info("broker {} at {} declared dead: no heartbeat for {} ms (heartbeat.timeout.ms {}), epoch {}",
                b.id, LogText.safe(b.address()), nowMs - b.lastHeartbeatMs, heartbeatTimeoutMs, newEpoch);
            brokers.markDead(b); // all of them first: none of them may be elected in place of another
        }
        for (BrokerEntry b : dead) {
            control.brokerGone(b, "broker " + b.id + " dead", newEpoch);
        }
        for (BrokerEntry b : dead) {
            forgetIfNeverHeard(b, newEpoch);
        }
        List<BrokerEntry> longDead = brokers.forgetLongDead(nowMs);
        for (BrokerEntry b : longDead) {
            LOG.info("broker {} at {} forgotten: dead for {} ms (dead.broker.forget.ms {}) and holds no partition, "
                + "epoch {}", b.id, LogText.safe(b.address()), nowMs - b.deadSinceMs, brokers.deadBrokerForgetMs(),
                newEpoch);
        }
        if (dead.isEmpty() && longDead.isEmpty()) {
            return false;
        }
        control.electUncleanIfEnabled(newEpoch);
        return true;
    }

    /**
     * A broker that never sent a heartbeat since it registered and holds no partition is forgotten at once when it
     * dies: it never showed it serves anything (issue 19: fake brokers stayed in every metadata).
     */
    private void forgetIfNeverHeard(BrokerEntry b, long newEpoch) {
        if (brokers.forgetIfNeverHeard(b)) {
            LOG.info("broker {} at {} forgotten: no heartbeat since it registered and holds no partition, epoch {}",
                b.id, LogText.safe(b.address()), newEpoch);
        }
    }

    /**
     * See {@link ClusterState#brokerShutdown}.
     *
     * @return whether it applied (the state changed)
     */
    boolean brokerShutdown(int brokerId, long connectionId, long newEpoch) {
        BrokerEntry b = brokers.registeredOn(brokerId, connectionId);
        if (b == null) {
            return false;
        }
        LOG.info("broker {} at {} shut down cleanly: its leaderships move to other in-sync replicas, epoch {}", b.id,
            LogText.safe(b.address()), newEpoch);
        brokers.markDead(b);
        control.brokerGone(b, "broker " + b.id + " shut down", newEpoch);
        forgetIfNeverHeard(b, newEpoch);
        control.electUncleanIfEnabled(newEpoch);
        return true;
    }
}
