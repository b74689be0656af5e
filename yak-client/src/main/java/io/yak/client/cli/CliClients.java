package io.yak.client.cli;

import io.yak.client.YakConnectionException;
import io.yak.client.admin.YakAdmin;
import io.yak.wire.config.HostPort;
import java.util.Properties;

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
