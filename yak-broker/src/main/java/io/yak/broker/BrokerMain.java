package io.yak.broker;

import io.yak.broker.standalone.StandaloneNode;
import io.yak.http.HttpRoutes;
import io.yak.http.HttpServer;
import io.yak.http.RunningNode;
import io.yak.http.ServerHttp;
import io.yak.http.ServerMetrics;
import io.yak.wire.config.HostPort;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import io.yak.wire.process.StopSignal;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar yak-broker.jar [CONFIG]}: runs one broker, or, when the file says {@code mode=standalone} or
 * no file is given, a coordinator and a broker in this one process (the embedded default). Every failure to start
 * is one line on stderr without a stack trace (that goes to the DEBUG log): exit code 2 for a usage or config
 * error (naming the key), 1 when the node cannot start ({@code cannot listen on 127.0.0.1:9092: address already
 * in use}, an unusable data.dir).
 */
public final class BrokerMain {
    static final int EXIT_OK = 0;
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_CONFIG = 2;
    static final String USAGE = "usage: java -jar yak-broker.jar [CONFIG.properties]   (no file: standalone node, "
        + "coordinator 127.0.0.1:7000, broker 127.0.0.1:9092, data in ./yak-data)";
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    /** What {@link #start} did: the running node, or none and the exit code. */
    record Started(AutoCloseable node, int exitCode) {
    }

    public static void main(String[] args) {
        // before anything starts: a SIGTERM during startup stops the node once it is up, with a log line
        StopSignal signal = StopSignal.install("yak-broker", LOG);
        Started started = start(args, System.out, System.err);
        signal.started(started.node());
        if (started.node() == null) {
            System.exit(started.exitCode());
            return;
        }
        signal.awaitStop();
    }

    /** Starts a broker with its meters and, with {@code httpListen}, its HTTP port; on failure stops what started. */
    private static RunningNode startBroker(BrokerConfig config, HostPort httpListen)
        throws IOException, InterruptedException {
        ServerMetrics metrics = new ServerMetrics();
        BrokerServer broker = new BrokerServer(config, metrics.registry());
        try {
            broker.start();
            HttpServer http = httpListen == null ? null : ServerHttp.start("broker " + config.brokerId(), httpListen,
                metrics, broker::notReadyReasons, new HttpRoutes());
            return new RunningNode(broker, http, metrics);
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            metrics.close();
            throw e;
        }
    }

    /**
     * The standalone node of the built-in defaults, with its HTTP port on {@link StandaloneNode#DEFAULT_HTTP_LISTEN};
     * when that address is taken the node runs without one (a WARN says so), as it did before it had one. An address
     * set in a config file is required to bind.
     */
    private static StandaloneNode startWithDefaults() throws Exception {
        try {
            return StandaloneNode.start(defaults().withDefault(ServerHttp.LISTEN_KEY,
                StandaloneNode.DEFAULT_HTTP_LISTEN.toString()));
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("(" + ServerHttp.LISTEN_KEY + ")")) {
                throw e;
            }
            LOG.warn("{}; running without an HTTP port (set {} in a config file to choose one)", e.getMessage(),
                ServerHttp.LISTEN_KEY);
            return StandaloneNode.start(defaults());
        }
    }

    private static ConfigReader defaults() {
        return new ConfigReader(new Properties(), "built-in standalone defaults");
    }

    /**
     * Parses the arguments and starts the node; prints help to {@code out} and every error as one line to
     * {@code err}.
     */
    static Started start(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
            out.println(USAGE);
            return new Started(null, EXIT_OK);
        }
        if (args.length > 1) {
            err.println(USAGE);
            return new Started(null, EXIT_CONFIG);
        }
        try {
            if (args.length == 0) {
                return new Started(startWithDefaults(), EXIT_OK);
            }
            ConfigReader r = ConfigReader.load(Path.of(args[0]));
            String mode = r.string("mode", "broker");
            if (mode.equals("standalone")) {
                return new Started(StandaloneNode.start(r), EXIT_OK);
            } else if (mode.equals("broker")) {
                BrokerConfig config = BrokerConfig.from(r);
                HostPort httpListen = r.optionalHostPort(ServerHttp.LISTEN_KEY);
                r.finish();
                return new Started(startBroker(config, httpListen), EXIT_OK);
            } else {
                throw new ConfigException(r.source() + ": key 'mode' must be broker or standalone, was '" + mode + "'");
            }
        } catch (ConfigException | InvalidPathException e) {
            err.println("yak-broker: bad config: " + e.getMessage());
            return new Started(null, EXIT_CONFIG);
        } catch (IOException | UncheckedIOException e) {
            // An operating error (address in use, data.dir unusable): the message says what and why.
            LOG.debug("start failed", e);
            err.println("yak-broker: " + e.getMessage());
            return new Started(null, EXIT_START_FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("yak-broker: interrupted while starting");
            return new Started(null, EXIT_START_FAILED);
        } catch (Exception e) {
            LOG.error("yak-broker: failed to start: {}", e.toString(), e);
            return new Started(null, EXIT_START_FAILED);
        }
    }
}
