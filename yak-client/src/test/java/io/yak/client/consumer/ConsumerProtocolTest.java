package io.yak.client.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.yak.client.TopicPartition;
import io.yak.client.consumer.assignor.Subscription;
import io.yak.wire.WireException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsumerProtocolTest {
    @Test
    void shouldRoundTripSubscriptionsAndAssignments() {
        Subscription s = new Subscription(List.of("orders", "ünïcode"),
            List.of(new TopicPartition("orders", 3), new TopicPartition("ünïcode", 0)), 7);
        assertThat(ConsumerProtocol.decodeSubscription(ConsumerProtocol.encodeSubscription(s))).isEqualTo(s);
        Subscription empty = Subscription.of(List.of());
        assertThat(ConsumerProtocol.decodeSubscription(ConsumerProtocol.encodeSubscription(empty))).isEqualTo(empty);

        List<TopicPartition> a = List.of(new TopicPartition("orders", 1), new TopicPartition("orders", 4));
        assertThat(ConsumerProtocol.decodeAssignment(ConsumerProtocol.encodeAssignment(a))).isEqualTo(a);
        assertThat(ConsumerProtocol.decodeAssignment(new byte[0])).isEmpty();
    }

    @Test
    void shouldRefuseOtherVersionsAndTruncatedBytes() {
        byte[] bytes = ConsumerProtocol.encodeSubscription(Subscription.of(List.of("t")));
        bytes[1] = 2; // version 2
        assertThatThrownBy(() -> ConsumerProtocol.decodeSubscription(bytes)).isInstanceOf(WireException.class)
            .hasMessageContaining("version 2");
        byte[] assignment = ConsumerProtocol.encodeAssignment(List.of(new TopicPartition("t", 0)));
        byte[] cut = Arrays.copyOf(assignment, assignment.length - 2);
        assertThatThrownBy(() -> ConsumerProtocol.decodeAssignment(cut)).isInstanceOf(WireException.class);
    }
}
