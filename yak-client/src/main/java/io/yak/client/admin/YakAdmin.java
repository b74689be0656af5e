package io.yak.client.admin;

import io.yak.client.YakException;
import io.yak.client.internal.CommonConfig;
import io.yak.client.internal.Connection;
import io.yak.client.internal.NetworkClient;
import io.yak.wire.ErrorCode;
import io.yak.wire.config.HostPort;
import io.yak.wire.config.TopicConfigs;
import io.yak.wire.message.ClusterMetadata;
import io.yak.wire.message.CreateTopicRequest;
import io.yak.wire.message.CreateTopicResponse;
import io.yak.wire.message.Message;
import io.yak.wire.message.MetadataRequest;
import io.yak.wire.message.MetadataResponse;
import io.yak.wire.message.TopicInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Topic and cluster administration against the coordinator: create (optionally with per-topic configs), list and
 * describe topics, describe the cluster. Every call is synchronous (bounded by {@code request.timeout.ms}) and
 * throws {@link YakException} with the server's error code, or {@link io.yak.client.YakConnectionException} when
 * the coordinator cannot be reached.
 * Never creates topics implicitly. Thread-safe.
 *
 * <p>Keys: {@code coordinator} (127.0.0.1:7000), {@code client.id}, {@code request.timeout.ms} (30000),
 * {@code connect.timeout.ms} (10000), {@code retry.backoff.ms} (unused; accepted for symmetry).
 */
public final class YakAdmin implements AutoCloseable {
    private final CommonConfig config;
    private final NetworkClient network;
    private final Connection coordinator;

    /** Creates an admin client from the keys in the class comment; unknown keys throw IllegalArgumentException. */
    public YakAdmin(Properties props) {
        CommonConfig[] c = new CommonConfig[1];
        CommonConfig.parse(props, "admin config", r -> c[0] = CommonConfig.read(r, "admin"));
        this.config = c[0];
        this.network = new NetworkClient(config.clientId(), config.requestTimeoutMs(), config.connectTimeoutMs(),
            NetworkClient.DEFAULT_MAX_IN_FLIGHT);
        this.coordinator = network.connection(config.coordinator());
    }

    /** An admin client for the coordinator at {@code host:port}, with default settings. */
    public static YakAdmin connect(String hostPort) {
        Properties p = new Properties();
        p.setProperty("coordinator", HostPort.parse(hostPort).toString());
        return new YakAdmin(p);
    }

    public HostPort coordinator() {
        return config.coordinator();
    }

    /**
     * Creates a topic without per-topic configs (the brokers' defaults apply); {@code partitions} -1 takes the
     * coordinator's num.partitions.
     *
     * @return the topic as created
     * @throws YakException TOPIC_ALREADY_EXISTS, INVALID_TOPIC, NO_LIVE_BROKERS, ...
     */
    public TopicInfo createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    /**
     * Creates a topic with per-topic configs; {@code partitions} -1 takes the coordinator's num.partitions.
     * Allowed keys and ranges are those of {@link TopicConfigs} ({@code retention.ms}, {@code retention.bytes},
     * {@code segment.bytes}, {@code segment.ms}, {@code flush.messages}, {@code flush.ms}); values are decimal
     * integers. The coordinator checks them: nothing is created when one is bad. A key left out takes the brokers'
     * default.
     *
     * @param configs per-topic configs, e.g. {@code Map.of(TopicConfigs.RETENTION_MS, "86400000")}; may be empty
     * @return the topic as created, its {@link TopicInfo#configs()} included
     * @throws YakException INVALID_CONFIG (the message names the key and value), TOPIC_ALREADY_EXISTS,
     *     INVALID_TOPIC, NO_LIVE_BROKERS, ...
     */
    public TopicInfo createTopic(String name, int partitions, Map<String, String> configs) {
        CreateTopicResponse r = (CreateTopicResponse) call(new CreateTopicRequest(name, partitions, configs),
            "create topic");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(),
                "cannot create topic '" + name + "': " + describe(r.error(), r.message()));
        }
        TopicInfo t = r.metadata().topic(name);
        return t != null ? t : new TopicInfo(name, List.of(), configs);
    }

    /** Names of all topics, sorted. */
    public List<String> listTopics() {
        List<String> names = new ArrayList<>();
        for (TopicInfo t : describeCluster().topics()) {
            names.add(t.name());
        }
        names.sort(null);
        return names;
    }

    /**
     * One topic's partitions, leaders and leader epochs, and its per-topic configs ({@link TopicInfo#configs()},
     * empty when it was created without any).
     *
     * @throws YakException UNKNOWN_TOPIC when it does not exist
     */
    public TopicInfo describeTopic(String name) {
        MetadataResponse r = (MetadataResponse) call(new MetadataRequest(false, List.of(name)), "describe topic");
        TopicInfo t = r.metadata().topic(name);
        if (t == null) {
            ErrorCode code = r.error() == ErrorCode.NONE ? ErrorCode.UNKNOWN_TOPIC : r.error();
            throw new YakException(code, "unknown topic '" + name + "'");
        }
        return t;
    }

    /** Brokers (with liveness), epoch and every topic. */
    public ClusterMetadata describeCluster() {
        MetadataResponse r = (MetadataResponse) call(new MetadataRequest(false, List.of()), "describe cluster");
        if (r.error() != ErrorCode.NONE) {
            throw new YakException(r.error(), "describe cluster failed: " + describe(r.error(), r.message()));
        }
        return r.metadata();
    }

    private Message call(Message request, String what) {
        CompletableFuture<Message> f = coordinator.send(request);
        try {
            return f.get(config.requestTimeoutMs() + 1000L, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof YakException ye) {
                throw ye;
            }
            throw new YakException(ErrorCode.UNKNOWN_SERVER_ERROR, what + " failed: " + c, c);
        } catch (TimeoutException e) {
            throw new YakException(ErrorCode.REQUEST_TIMED_OUT, what + " timed out after "
                + config.requestTimeoutMs() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new YakException(ErrorCode.REQUEST_TIMED_OUT, "interrupted during " + what, e);
        }
    }

    private static String describe(ErrorCode code, String message) {
        return message == null || message.isEmpty() ? code.toString() : message + " (" + code + ")";
    }

    @Override
    public void close() {
        network.close();
    }
}
