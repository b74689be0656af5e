package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.Objects;

/**
 * One assignor a joining member supports, with its subscription in that assignor's encoding (opaque to the
 * coordinator). See {@code WIRE.md}, section "GroupProtocol".
 */
public record GroupProtocol(String name, byte[] metadata) {
    static final int MIN_BYTES = 2 + 4;

    public GroupProtocol {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(metadata, "metadata");
    }

    static GroupProtocol read(ByteBuf in) {
        return new GroupProtocol(Codec.readRequiredString(in, "name"), Codec.readBytes(in, "metadata"));
    }

    void write(ByteBuf out) {
        Codec.writeString(out, name);
        Codec.writeBytes(out, metadata);
    }

    /** By content: the bytes are compared, not the arrays' identity. */
    @Override
    public boolean equals(Object other) {
        return other instanceof GroupProtocol o && Objects.equals(name, o.name) && Arrays.equals(metadata, o.metadata);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(name) + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return "GroupProtocol[" + "name=" + name + ", metadata=" + metadata.length + " bytes" + "]";
    }
}
