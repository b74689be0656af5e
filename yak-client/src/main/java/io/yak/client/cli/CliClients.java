package io.yak.client.cli;

import io.yak.client.YakConnectionException;
import io.yak.client.admin.YakAdmin;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.HostPort;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import picocli.CommandLine;

/** Client settings shared by the commands: short connect timeout, CLI client ids. */
final class CliClients {
    private CliClients() {
    }

    static Properties base(HostPort coordinator, String role) {
        Properties p = new Properties();
        p.setProperty("coordinator", coordinator.toString());
        p.setProperty("client.id", "yak-cli-" + role);
        p.setProperty("connect.timeout.ms", Integer.toString(YakCli.CLI_CONNECT_TIMEOUT_MS));
        p.setProperty("request.timeout.ms", "15000");
        return p;
    }

    /**
     * Applies {@code --producer-property} / {@code --consumer-property} settings over the CLI's own, then builds
     * the client; a key or value the client refuses is a usage error naming it.
     */
    static <T> T client(CommandLine.Model.CommandSpec spec, Properties p, Map<String, String> overrides,
                        Function<Properties, T> factory) {
        overrides.forEach(p::setProperty);
        try {
            return factory.apply(p);
        } catch (IllegalArgumentException | ConfigException e) {
            // the clients name the key in what they throw for an unknown key or a bad value
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    static YakAdmin admin(HostPort coordinator) {
        return new YakAdmin(base(coordinator, "admin"));
    }

    /**
     * Fails fast, with one clear line, when the coordinator cannot be reached (the producer and consumer would
     * otherwise keep retrying).
     *
     * @throws YakConnectionException when it cannot be reached
     */
    static void checkReachable(YakAdmin admin) {
        admin.describeCluster();
    }
}
