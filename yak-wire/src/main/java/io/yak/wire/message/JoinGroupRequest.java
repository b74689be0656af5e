package io.yak.wire.message;

import io.netty.buffer.ByteBuf;
import io.yak.wire.MessageType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A consumer joins (empty {@code memberId}) or rejoins a group, naming the assignors it supports in order of
 * preference. Answered once the group's next generation is formed. See {@code WIRE.md}, section
 * "JOIN_GROUP_REQUEST". Immutable.
 */
public record JoinGroupRequest(String group, int sessionTimeoutMs, int rebalanceTimeoutMs, String memberId,
                               String groupInstanceId, String clientId, String protocolType,
                               List<GroupProtocol> protocols) implements Message {
    public JoinGroupRequest {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(memberId, "memberId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(protocolType, "protocolType");
        protocols = List.copyOf(protocols);
    }

    @Override
    public MessageType type() {
        return MessageType.JOIN_GROUP_REQUEST;
    }

    @Override
    public void writeBody(ByteBuf out) {
        Codec.writeString(out, group);
        out.writeInt(sessionTimeoutMs);
        out.writeInt(rebalanceTimeoutMs);
        Codec.writeString(out, memberId);
        Codec.writeString(out, groupInstanceId);
        Codec.writeString(out, clientId);
        Codec.writeString(out, protocolType);
        out.writeInt(protocols.size());
        for (GroupProtocol p : protocols) {
            p.write(out);
        }
    }

    static JoinGroupRequest read(ByteBuf in) {
        String group = Codec.readRequiredString(in, "group");
        int session = Codec.readInt(in, "session_timeout_ms");
        int rebalance = Codec.readInt(in, "rebalance_timeout_ms");
        String memberId = Codec.readRequiredString(in, "member_id");
        String instanceId = Codec.readString(in, "group_instance_id");
        String clientId = Codec.readRequiredString(in, "client_id");
        String protocolType = Codec.readRequiredString(in, "protocol_type");
        int n = Codec.readCount(in, "protocol_count");
        List<GroupProtocol> protocols = new ArrayList<>(Math.min(n, in.readableBytes() / GroupProtocol.MIN_BYTES));
        for (int i = 0; i < n; i++) {
            protocols.add(GroupProtocol.read(in));
        }
        return new JoinGroupRequest(group, session, rebalance, memberId, instanceId, clientId, protocolType,
            protocols);
    }
}
