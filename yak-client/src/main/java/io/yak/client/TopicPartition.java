package io.yak.client;

/** A partition of a topic. */
public record TopicPartition(String topic, int partition) {
    public TopicPartition {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("empty topic");
        }
        if (partition < 0) {
            throw new IllegalArgumentException("partition " + partition + " < 0");
        }
    }

    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
