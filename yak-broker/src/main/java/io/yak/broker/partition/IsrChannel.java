package io.yak.broker.partition;

import io.yak.wire.message.AlterIsrPartition;
import io.yak.wire.message.AlterIsrResult;
import java.util.function.Consumer;

/** How a leader proposes ISR changes to the coordinator (the coordinator link). */
public interface IsrChannel {
    /**
     * Sends the proposal; {@code answer} gets the coordinator's result for it, or null when none came (a lost
     * connection, a request-level refusal), on any thread.
     */
    void alterIsr(AlterIsrPartition change, Consumer<AlterIsrResult> answer);

    /** The broker epoch of this broker's current registration, -1 before the first. */
    long brokerEpoch();

    IsrChannel NONE = new IsrChannel() {
        @Override
        public void alterIsr(AlterIsrPartition change, Consumer<AlterIsrResult> answer) {
            answer.accept(null);
        }

        @Override
        public long brokerEpoch() {
            return -1;
        }
    };
}
