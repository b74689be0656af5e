package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.ErrorCode;
import io.yak.wire.MessageType;
import io.yak.wire.WireException;

/** Decodes a frame body by type. The body buffer is borrowed; payload messages retain a slice of it. */
public final class Messages {
    private Messages() {
    }

    /**
     * Decodes a whole body; trailing bytes are an error.
     *
     * @throws WireException MALFORMED_FRAME when the body does not parse
     */
    public static Message decode(MessageType type, ByteBuf body) {
        Message m = switch (type) {
            case REGISTER_BROKER_REQUEST -> RegisterBrokerRequest.read(body);
            case REGISTER_BROKER_RESPONSE -> RegisterBrokerResponse.read(body);
            case HEARTBEAT_REQUEST -> HeartbeatRequest.read(body);
            case HEARTBEAT_RESPONSE -> HeartbeatResponse.read(body);
            case LEADER_INFO -> LeaderInfo.read(body);
            case REGISTER_PRODUCER_REQUEST -> RegisterProducerRequest.read(body);
            case REGISTER_PRODUCER_RESPONSE -> RegisterProducerResponse.read(body);
            case REGISTER_CONSUMER_REQUEST -> RegisterConsumerRequest.read(body);
            case REGISTER_CONSUMER_RESPONSE -> RegisterConsumerResponse.read(body);
            case CREATE_TOPIC_REQUEST -> CreateTopicRequest.read(body);
            case CREATE_TOPIC_RESPONSE -> CreateTopicResponse.read(body);
            case METADATA_REQUEST -> MetadataRequest.read(body);
            case METADATA_RESPONSE -> MetadataResponse.read(body);
            case PUBLISH_REQUEST -> PublishRequest.read(body);
            case PUBLISH_RESPONSE -> PublishResponse.read(body);
            case CONSUME_REQUEST -> ConsumeRequest.read(body);
            case CONSUME_RESPONSE -> ConsumeResponse.read(body);
            case LIST_OFFSETS_REQUEST -> ListOffsetsRequest.read(body);
            case LIST_OFFSETS_RESPONSE -> ListOffsetsResponse.read(body);
            case COMMIT_OFFSET_REQUEST -> CommitOffsetRequest.read(body);
            case COMMIT_OFFSET_RESPONSE -> CommitOffsetResponse.read(body);
            case FETCH_OFFSET_REQUEST -> FetchOffsetRequest.read(body);
            case FETCH_OFFSET_RESPONSE -> FetchOffsetResponse.read(body);
            case ERROR_RESPONSE -> ErrorResponse.read(body);
            case BROKER_SHUTDOWN_REQUEST -> BrokerShutdownRequest.read(body);
            case BROKER_SHUTDOWN_RESPONSE -> BrokerShutdownResponse.read(body);
            case REPLICA_FETCH_REQUEST -> ReplicaFetchRequest.read(body);
            case REPLICA_FETCH_RESPONSE -> ReplicaFetchResponse.read(body);
            case ALTER_ISR_REQUEST -> AlterIsrRequest.read(body);
            case ALTER_ISR_RESPONSE -> AlterIsrResponse.read(body);
            case LEADER_INFO_DELTA -> LeaderInfoDelta.read(body);
            case JOIN_GROUP_REQUEST -> JoinGroupRequest.read(body);
            case JOIN_GROUP_RESPONSE -> JoinGroupResponse.read(body);
            case SYNC_GROUP_REQUEST -> SyncGroupRequest.read(body);
            case SYNC_GROUP_RESPONSE -> SyncGroupResponse.read(body);
            case GROUP_HEARTBEAT_REQUEST -> GroupHeartbeatRequest.read(body);
            case GROUP_HEARTBEAT_RESPONSE -> GroupHeartbeatResponse.read(body);
            case LEAVE_GROUP_REQUEST -> LeaveGroupRequest.read(body);
            case LEAVE_GROUP_RESPONSE -> LeaveGroupResponse.read(body);
            case LIST_GROUPS_REQUEST -> ListGroupsRequest.read(body);
            case LIST_GROUPS_RESPONSE -> ListGroupsResponse.read(body);
            case DESCRIBE_GROUP_REQUEST -> DescribeGroupRequest.read(body);
            case DESCRIBE_GROUP_RESPONSE -> DescribeGroupResponse.read(body);
            case DELETE_GROUP_REQUEST -> DeleteGroupRequest.read(body);
            case DELETE_GROUP_RESPONSE -> DeleteGroupResponse.read(body);
            case DELETE_TOPIC_REQUEST -> DeleteTopicRequest.read(body);
            case DELETE_TOPIC_RESPONSE -> DeleteTopicResponse.read(body);
            case CREATE_PARTITIONS_REQUEST -> CreatePartitionsRequest.read(body);
            case CREATE_PARTITIONS_RESPONSE -> CreatePartitionsResponse.read(body);
            case ALTER_TOPIC_CONFIGS_REQUEST -> AlterTopicConfigsRequest.read(body);
            case ALTER_TOPIC_CONFIGS_RESPONSE -> AlterTopicConfigsResponse.read(body);
            case BROKER_STATS_REQUEST -> BrokerStatsRequest.read(body);
            case BROKER_STATS_RESPONSE -> BrokerStatsResponse.read(body);
        };
        if (body.isReadable()) {
            m.release();
            throw new WireException(ErrorCode.MALFORMED_FRAME,
                body.readableBytes() + " unexpected bytes after the body of " + type);
        }
        return m;
    }
}
