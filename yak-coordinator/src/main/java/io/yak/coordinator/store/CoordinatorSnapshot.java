package io.yak.coordinator.store;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the coordinator persists, as one immutable value: the content of the state file described in
 * {@code yak-coordinator/STATE.md}: brokers with their incarnation and broker epoch, every partition's replicas,
 * ISR, leader and epochs, so a coordinator restart changes no leadership.
 *
 * @param epoch          the cluster epoch when the snapshot was taken
 * @param nextProducerId the producer id the next REGISTER_PRODUCER gets
 * @param brokers        every broker ever registered
 * @param topics         every topic, with each partition's replica and leader epoch, and its configs
 * @param offsets        committed offsets of consumer groups
 */
public record CoordinatorSnapshot(long epoch, long nextProducerId, List<Broker> brokers, List<Topic> topics,
                                  List<CommittedOffset> offsets) {
    public static final CoordinatorSnapshot EMPTY = new CoordinatorSnapshot(0, 1, List.of(), List.of(), List.of());

    public CoordinatorSnapshot {
        brokers = List.copyOf(brokers);
        topics = List.copyOf(topics);
        offsets = List.copyOf(offsets);
    }

    /** {@link Broker#brokerEpoch()} when no incarnation is known (brokers read from a version 1 or 2 file). */
    public static final long NO_BROKER_EPOCH = -1;
    /** {@link Partition#leader()} of an offline partition. */
    public static final int NO_LEADER = -1;

    /**
     * A known broker.
     *
     * @param host          its last advertised address
     * @param incarnationId the random id of its latest registered process
     * @param brokerEpoch   that registration's broker epoch, or {@link #NO_BROKER_EPOCH}
     * @param alive         whether it was alive when the snapshot was taken
     */
    public record Broker(int id, String host, int port, long incarnationId, long brokerEpoch, boolean alive) {
        /** A broker as a version 1 or 2 file stores it: no incarnation known, dead. */
        public Broker(int id, String host, int port) {
            this(id, host, port, 0, NO_BROKER_EPOCH, false);
        }
    }

    /**
     * A topic; element i of {@code partitions} is partition i; {@code configs} are its per-topic configs
     * (unmodifiable, sorted by key; empty when it was created without any); {@code topicId} the cluster epoch it was
     * created at ({@link #NO_TOPIC_ID} for a topic of a file written before topics had ids).
     */
    public record Topic(String name, List<Partition> partitions, Map<String, String> configs, long topicId) {
        public Topic {
            partitions = List.copyOf(partitions);
            configs = Collections.unmodifiableSortedMap(new TreeMap<>(configs));
        }

        /** A topic without an id. */
        public Topic(String name, List<Partition> partitions, Map<String, String> configs) {
            this(name, partitions, configs, NO_TOPIC_ID);
        }

        /** A topic without per-topic configs. */
        public Topic(String name, List<Partition> partitions) {
            this(name, partitions, Map.of());
        }
    }

    /** {@link Topic#topicId()} of a topic stored before topics had ids. */
    public static final long NO_TOPIC_ID = 0;

    /**
     * One partition's replication state.
     *
     * @param replicas        the brokers holding a copy, the preferred leader first
     * @param isr             the in-sync replicas, in replicas order
     * @param leader          the leading broker, or {@link #NO_LEADER}
     * @param leaderEpoch     its leader epoch
     * @param partitionEpoch  its partition epoch
     * @param eligibleLeaders replicas outside the ISR known to hold every committed record (KIP-966), in replicas
     *                        order
     */
    public record Partition(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                            int partitionEpoch, List<Integer> eligibleLeaders) {
        public Partition {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
            eligibleLeaders = List.copyOf(eligibleLeaders);
        }

        /** A partition without eligible leader replicas (as a version 3 file stores every partition). */
        public Partition(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                         int partitionEpoch) {
            this(replicas, isr, leader, leaderEpoch, partitionEpoch, List.of());
        }

        /**
         * A partition as a version 1 or 2 file stores it: one replica, in sync, offline (its broker leads it again
         * when it registers), the partition epoch starting at the leader epoch.
         */
        public Partition(int replica, int leaderEpoch) {
            this(List.of(replica), List.of(replica), NO_LEADER, leaderEpoch, leaderEpoch);
        }

        /** {@link #problem(List, List, int, int, int, List)} without eligible leader replicas. */
        public static String problem(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                     int partitionEpoch) {
            return problem(replicas, isr, leader, leaderEpoch, partitionEpoch, List.of());
        }

        /**
         * Why these values are not a partition's replication state (STATE.md's rules: replicas distinct and at
         * least one; the ISR and the eligible leader replicas distinct replicas in replicas order, disjoint, not both
         * empty; the ISR empty only while offline; the leader {@link #NO_LEADER} or in the ISR; epochs {@code >= 0}),
         * or null when they are. The one check of these rules: when the state file is read, and for every state the
         * coordinator's {@code PartitionState} takes.
         */
        public static String problem(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                                     int partitionEpoch, List<Integer> eligibleLeaders) {
            if (replicas.isEmpty() || new HashSet<>(replicas).size() != replicas.size()) {
                return "replicas " + replicas + " empty or not distinct";
            }
            if (!inReplicaOrder(replicas, isr)) {
                return "isr " + isr + " not distinct, not a subset of replicas " + replicas + " or not in their order";
            }
            if (!inReplicaOrder(replicas, eligibleLeaders)) {
                return "eligible leaders " + eligibleLeaders + " not distinct, not a subset of replicas " + replicas
                    + " or not in their order";
            }
            for (int member : eligibleLeaders) {
                if (isr.contains(member)) {
                    return "eligible leader " + member + " is in the isr " + isr;
                }
            }
            if (isr.isEmpty() && (leader != NO_LEADER || eligibleLeaders.isEmpty())) {
                return "isr empty while " + (leader != NO_LEADER ? "led by " + leader : "no eligible leader is left");
            }
            if (leader != NO_LEADER && !isr.contains(leader)) {
                return "leader " + leader + " not in isr " + isr;
            }
            if (leaderEpoch < 0 || partitionEpoch < 0) {
                return "leader epoch " + leaderEpoch + " / partition epoch " + partitionEpoch + " negative";
            }
            return null;
        }

        /** Distinct replicas, in replicas order (also true of an empty list). */
        private static boolean inReplicaOrder(List<Integer> replicas, List<Integer> members) {
            int last = -1;
            for (int member : members) {
                int position = replicas.indexOf(member); // -1 for a non-replica
                if (position <= last) {
                    return false; // also a repeat, or not a replica
                }
                last = position;
            }
            return true;
        }
    }

    /** A consumer group's next offset to read in one partition. */
    public record CommittedOffset(String group, String topic, int partition, long offset) {
    }
}
