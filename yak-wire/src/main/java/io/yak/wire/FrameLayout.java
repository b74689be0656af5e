package io.yak.wire;

/**
 * Byte offsets of the frame header. The authority is {@code yak-wire/WIRE.md}, section "Frame header";
 * {@code WireDocumentTest} checks that the two agree.
 */
public final class FrameLayout {
    /** int32: bytes after this field (header remainder plus body). */
    public static final int LENGTH_OFFSET = 0;
    public static final int LENGTH_LENGTH = 4;
    /** int16: {@link MessageType} id; 0 is never valid. */
    public static final int TYPE_OFFSET = LENGTH_OFFSET + LENGTH_LENGTH;
    public static final int TYPE_LENGTH = 2;
    /** int16: body version of that type. */
    public static final int VERSION_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
    public static final int VERSION_LENGTH = 2;
    /** int32: chosen by the requester, echoed in the response; 0 on unsolicited pushes. */
    public static final int CORRELATION_ID_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int CORRELATION_ID_LENGTH = 4;
    /** First byte of the body. */
    public static final int BODY_OFFSET = CORRELATION_ID_OFFSET + CORRELATION_ID_LENGTH;

    /** Whole header, length field included. */
    public static final int HEADER_LENGTH = BODY_OFFSET;
    /** The smallest legal value of the length field: a header with an empty body. */
    public static final int MIN_LENGTH_FIELD = HEADER_LENGTH - LENGTH_LENGTH;
    /** Default for {@code max.frame.bytes}: the largest value of the length field a peer accepts. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 8 * 1024 * 1024;

    private FrameLayout() {
    }
}
