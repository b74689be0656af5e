package io.yak.coordinator;

import io.yak.http.HttpRoutes;
import io.yak.http.HttpServer;
import io.yak.http.RunningNode;
import io.yak.http.ServerHttp;
import io.yak.http.ServerMetrics;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.config.HostPort;
import io.yak.wire.process.StopSignal;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar yak-coordinator.jar CONFIG}: reads the config file, starts the coordinator and runs until the
 * process is stopped (SIGTERM/SIGINT close it cleanly through a shutdown hook). Every failure to start is one line
 * on stderr without a stack trace (that goes to the DEBUG log). Exit codes: 0 for {@code --help}, 2 for a usage or
 * config error (naming the key), 1 when the coordinator cannot start ({@code cannot listen on 127.0.0.1:7000:
 * address already in use}, data.dir unusable or corrupt).
 */
public final class CoordinatorMain {
    static final int EXIT_OK = 0;
    static final int EXIT_CONFIG = 2;
    static final int EXIT_START_FAILED = 1;
    static final String USAGE = "usage: java -jar yak-coordinator.jar CONFIG.properties   (see "
        + "conf/coordinator.properties)";
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorMain.class);

    private CoordinatorMain() {
    }

    /**
     * What {@link #start} did: the running coordinator and the process around it (HTTP port, meters), or none and
     * the exit code.
     */
    record Started(CoordinatorServer server, RunningNode node, int exitCode) {
    }

    public static void main(String[] args) {
        // before anything starts: a SIGTERM during startup stops the coordinator once it is up, with a log line
        StopSignal signal = StopSignal.install("yak-coordinator", LOG);
        Started started = start(args, System.out, System.err);
        signal.started(started.node());
        if (started.node() == null) {
            System.exit(started.exitCode());
            return;
        }
        signal.awaitStop();
    }

    /**
     * Parses the arguments and starts the coordinator; prints help to {@code out} and every error as one line to
     * {@code err}.
     */
    static Started start(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return new Started(null, null, EXIT_OK);
        }
        if (args.length != 1) {
            err.println(USAGE);
            return new Started(null, null, EXIT_CONFIG);
        }
        CoordinatorConfig config;
        HostPort httpListen;
        try {
            ConfigReader r = ConfigReader.load(Path.of(args[0]));
            config = CoordinatorConfig.from(r);
            httpListen = r.optionalHostPort(ServerHttp.LISTEN_KEY);
            r.finish();
        } catch (ConfigException | InvalidPathException e) {
            err.println("yak-coordinator: bad config: " + e.getMessage());
            return new Started(null, null, EXIT_CONFIG);
        }
        LOG.info("config {}: {}, http.listen {}", args[0], config, httpListen == null ? "none" : httpListen);
        ServerMetrics metrics = new ServerMetrics();
        CoordinatorServer server = new CoordinatorServer(config, metrics.registry());
        try {
            server.start();
            HttpServer http = httpListen == null ? null : ServerHttp.start("coordinator", httpListen, metrics,
                server::notReadyReasons, server.consoleRoutes(new HttpRoutes()));
            return new Started(server, new RunningNode(server, http, metrics), EXIT_OK);
        } catch (UncheckedIOException | IOException e) {
            // An operating error (address in use, data.dir unusable or corrupt): the message says what and why.
            LOG.debug("start failed", e);
            err.println("yak-coordinator: " + e.getMessage());
            server.close();
            metrics.close();
            return new Started(null, null, EXIT_START_FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("yak-coordinator: interrupted while starting");
            server.close();
            metrics.close();
            return new Started(null, null, EXIT_START_FAILED);
        } catch (RuntimeException e) {
            LOG.error("cannot start the coordinator", e);
            server.close();
            metrics.close();
            return new Started(null, null, EXIT_START_FAILED);
        }
    }
}
