package io.yak.wire;

/**
 * Error codes carried as int16 by every response. The list in {@code yak-wire/WIRE.md}, section "Error codes",
 * is the authority; codes are never renumbered, only added.
 */
public enum ErrorCode {
    NONE(0, false),
    UNKNOWN_SERVER_ERROR(1, false),
    MALFORMED_FRAME(2, false),
    FRAME_TOO_LARGE(3, false),
    UNKNOWN_MESSAGE_TYPE(4, false),
    UNSUPPORTED_VERSION(5, false),
    CORRUPT_RECORD_BATCH(6, false),
    UNKNOWN_TOPIC(7, true),
    UNKNOWN_PARTITION(8, false),
    NOT_LEADER(9, true),
    PARTITION_OFFLINE(10, true),
    OFFSET_OUT_OF_RANGE(11, false),
    TOPIC_ALREADY_EXISTS(12, false),
    INVALID_REQUEST(13, false),
    NO_LIVE_BROKERS(14, true),
    UNKNOWN_BROKER(15, false),
    BROKER_ID_IN_USE(16, false),
    STORAGE_ERROR(17, true),
    REQUEST_TIMED_OUT(18, true),
    INVALID_TOPIC(19, false),
    INVALID_CONFIG(20, false),
    INVALID_TIMESTAMP(21, false),
    NOT_ENOUGH_REPLICAS(22, true),
    NOT_ENOUGH_REPLICAS_AFTER_APPEND(23, true),
    FENCED_LEADER_EPOCH(24, true),
    UNKNOWN_LEADER_EPOCH(25, true),
    STALE_BROKER_EPOCH(26, false),
    INVALID_UPDATE_VERSION(27, false),
    INVALID_REPLICATION_FACTOR(28, false),
    INELIGIBLE_REPLICA(29, false),
    OUT_OF_ORDER_SEQUENCE(30, false),
    INVALID_PRODUCER_EPOCH(31, false),
    UNKNOWN_MEMBER_ID(32, false),
    ILLEGAL_GENERATION(33, false),
    REBALANCE_IN_PROGRESS(34, false),
    FENCED_INSTANCE_ID(35, false),
    INCONSISTENT_GROUP_PROTOCOL(36, false),
    INVALID_SESSION_TIMEOUT(37, false),
    NON_EMPTY_GROUP(38, false),
    GROUP_ID_NOT_FOUND(39, false),
    GROUP_MAX_SIZE_REACHED(40, false);

    private static final ErrorCode[] BY_CODE;

    static {
        int max = 0;
        for (ErrorCode e : values()) {
            max = Math.max(max, e.code);
        }
        BY_CODE = new ErrorCode[max + 1];
        for (ErrorCode e : values()) {
            BY_CODE[e.code] = e;
        }
    }

    private final short code;
    private final boolean retriable;

    ErrorCode(int code, boolean retriable) {
        this.code = (short) code;
        this.retriable = retriable;
    }

    public short code() {
        return code;
    }

    /** True when the same request may succeed later, after a metadata refresh or a wait. */
    public boolean retriable() {
        return retriable;
    }

    /** The error for a wire code; unknown codes map to {@link #UNKNOWN_SERVER_ERROR}. */
    public static ErrorCode of(int code) {
        if (code >= 0 && code < BY_CODE.length && BY_CODE[code] != null) {
            return BY_CODE[code];
        }
        return UNKNOWN_SERVER_ERROR;
    }
}
