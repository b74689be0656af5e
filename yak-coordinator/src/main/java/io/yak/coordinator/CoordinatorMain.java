package io.yak.coordinator;

import io.yak.wire.config.ConfigException;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar yak-coordinator.jar CONFIG}: reads the config file, starts the coordinator and runs until the
 * process is stopped (SIGTERM/SIGINT close it cleanly through a shutdown hook). Exit codes: 2 for a usage or
 * config error (one line on stderr naming the key), 1 when the coordinator cannot start (data.dir unusable or
 * corrupt, address in use).
 */
public final class CoordinatorMain {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_START_FAILED = 1;
    private static final Logger LOG = LoggerFactory.getLogger(CoordinatorMain.class);

    private CoordinatorMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: java -jar yak-coordinator.jar CONFIG   (see conf/coordinator.properties)");
            System.exit(EXIT_CONFIG);
            return;
        }
        CoordinatorConfig config;
        try {
            config = CoordinatorConfig.load(Path.of(args[0]));
        } catch (ConfigException | InvalidPathException e) {
            System.err.println("yak-coordinator: config error: " + e.getMessage());
            System.exit(EXIT_CONFIG);
            return;
        }
        LOG.info("config {}: {}", args[0], config);
        CoordinatorServer server = new CoordinatorServer(config);
        try {
            server.start();
        } catch (UncheckedIOException e) {
            LOG.error("cannot start the coordinator: {}", e.getMessage());
            System.err.println("yak-coordinator: cannot start: " + e.getMessage());
            System.exit(EXIT_START_FAILED);
            return;
        } catch (RuntimeException e) {
            LOG.error("cannot start the coordinator", e);
            System.err.println("yak-coordinator: cannot start: " + e.getMessage());
            System.exit(EXIT_START_FAILED);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            server.close();
            stopped.countDown();
        }, "yak-coordinator-shutdown"));
        awaitStop(stopped);
    }

    private static void awaitStop(CountDownLatch stopped) {
        boolean interrupted = false;
        while (stopped.getCount() > 0) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
