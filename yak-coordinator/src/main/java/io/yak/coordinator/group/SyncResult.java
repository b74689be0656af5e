package io.yak.coordinator.group;

import io.yak.wire.ErrorCode;

/** The answer to a sync: the member's assignment bytes of the current generation, as its leader computed them. */
public record SyncResult(ErrorCode error, byte[] assignment) {
    static SyncResult failed(ErrorCode error) {
        return new SyncResult(error, new byte[0]);
    }
}
