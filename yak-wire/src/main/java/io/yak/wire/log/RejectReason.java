package io.yak.wire.log;

/**
 * Why a server refused what a peer sent or closed its connection: the {@code reason} tag of the rejection counters
 * ({@code yak.rejected}) and, with the peer's address, the key under which {@link RejectionLog} rate-limits its log
 * lines. A closed list, so a peer cannot create meters or log keys by choosing what to send.
 */
public enum RejectReason {
    /** Length below the minimum, or a body that does not parse. */
    MALFORMED_FRAME("malformed_frame"),
    /** Length above {@code max.frame.bytes}. */
    FRAME_TOO_LARGE("frame_too_large"),
    UNKNOWN_MESSAGE_TYPE("unknown_message_type"),
    UNSUPPORTED_VERSION("unsupported_version"),
    /** A frame not complete within {@code request.read.timeout.ms} of reading time. */
    FRAME_READ_TIMEOUT("frame_read_timeout"),
    /** A peer that has not read its responses for {@code response.write.timeout.ms}. */
    RESPONSES_NOT_READ("responses_not_read"),
    /** A well-formed request of a type this server does not serve, or with values it cannot act on. */
    INVALID_REQUEST("invalid_request"),
    /** A well-formed request refused with an error in its own response (topic exists, bad partition count, ...). */
    REQUEST_REFUSED("request_refused"),
    /** A broker registration refused (id not in {@code broker.ids}, id in use, bad address); logged by the registry. */
    REGISTRATION_REFUSED("registration_refused"),
    /** A publish whose record batches failed validation. */
    CORRUPT_RECORD_BATCH("corrupt_record_batch"),
    /** A publish stamped too far ahead of the broker's clock. */
    INVALID_TIMESTAMP("invalid_timestamp"),
    /** An {@code ERROR_RESPONSE} received: never answered (WIRE.md, "Errors and closing", rule 6). */
    ERROR_RESPONSE_RECEIVED("error_response_received"),
    /** A failure inside the server while handling the connection (a bug). */
    SERVER_ERROR("server_error");

    private final String tag;

    RejectReason(String tag) {
        this.tag = tag;
    }

    /** The metric tag value. */
    public String tag() {
        return tag;
    }
}
