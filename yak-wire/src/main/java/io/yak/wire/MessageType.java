package io.yak.wire;

/**
 * Every frame type. Ids are stable: requests are odd, each response is its request's id plus one, pushes and
 * the generic error stand alone. The table in {@code yak-wire/WIRE.md}, section "Message types", is the authority.
 */
public enum MessageType {
    REGISTER_BROKER_REQUEST(1),
    REGISTER_BROKER_RESPONSE(2),
    HEARTBEAT_REQUEST(3),
    HEARTBEAT_RESPONSE(4),
    LEADER_INFO(5),
    REGISTER_PRODUCER_REQUEST(7),
    REGISTER_PRODUCER_RESPONSE(8),
    REGISTER_CONSUMER_REQUEST(9),
    REGISTER_CONSUMER_RESPONSE(10),
    CREATE_TOPIC_REQUEST(11),
    CREATE_TOPIC_RESPONSE(12),
    METADATA_REQUEST(13),
    METADATA_RESPONSE(14),
    PUBLISH_REQUEST(15),
    PUBLISH_RESPONSE(16),
    CONSUME_REQUEST(17),
    CONSUME_RESPONSE(18),
    LIST_OFFSETS_REQUEST(19),
    LIST_OFFSETS_RESPONSE(20),
    COMMIT_OFFSET_REQUEST(21),
    COMMIT_OFFSET_RESPONSE(22),
    FETCH_OFFSET_REQUEST(23),
    FETCH_OFFSET_RESPONSE(24),
    ERROR_RESPONSE(25),
    BROKER_SHUTDOWN_REQUEST(27),
    BROKER_SHUTDOWN_RESPONSE(28),
    REPLICA_FETCH_REQUEST(29),
    REPLICA_FETCH_RESPONSE(30),
    ALTER_ISR_REQUEST(31),
    ALTER_ISR_RESPONSE(32),
    LEADER_INFO_DELTA(33),
    JOIN_GROUP_REQUEST(35),
    JOIN_GROUP_RESPONSE(36),
    SYNC_GROUP_REQUEST(37),
    SYNC_GROUP_RESPONSE(38),
    GROUP_HEARTBEAT_REQUEST(39),
    GROUP_HEARTBEAT_RESPONSE(40),
    LEAVE_GROUP_REQUEST(41),
    LEAVE_GROUP_RESPONSE(42),
    LIST_GROUPS_REQUEST(43),
    LIST_GROUPS_RESPONSE(44),
    DESCRIBE_GROUP_REQUEST(45),
    DESCRIBE_GROUP_RESPONSE(46),
    DELETE_GROUP_REQUEST(47),
    DELETE_GROUP_RESPONSE(48),
    DELETE_TOPIC_REQUEST(49),
    DELETE_TOPIC_RESPONSE(50),
    CREATE_PARTITIONS_REQUEST(51),
    CREATE_PARTITIONS_RESPONSE(52),
    ALTER_TOPIC_CONFIGS_REQUEST(53),
    ALTER_TOPIC_CONFIGS_RESPONSE(54),
    BROKER_STATS_REQUEST(55),
    BROKER_STATS_RESPONSE(56);

    /** The only body version of every type so far. */
    public static final short VERSION_1 = 1;

    private static final MessageType[] BY_ID;

    static {
        int max = 0;
        for (MessageType t : values()) {
            max = Math.max(max, t.id);
        }
        BY_ID = new MessageType[max + 1];
        for (MessageType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final short id;

    MessageType(int id) {
        this.id = (short) id;
    }

    public short id() {
        return id;
    }

    /** The highest body version this build understands for this type. */
    public short maxVersion() {
        return VERSION_1;
    }

    /** The type for a wire id, or null when the id is unknown (0 included). */
    public static MessageType of(int id) {
        return id > 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
