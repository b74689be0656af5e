package io.yak.broker;

import io.yak.broker.standalone.StandaloneNode;
import io.yak.wire.config.ConfigException;
import io.yak.wire.config.ConfigReader;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar yak-broker.jar [CONFIG]}: runs one broker, or, when the file says {@code mode=standalone} or
 * no file is given, a coordinator and a broker in this one process (the embedded default). A bad config stops
 * the process with exit code 2 and one line naming the key.
 */
public final class BrokerMain {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length > 1 || (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help")))) {
            System.err.println("usage: java -jar yak-broker.jar [CONFIG.properties]   (no file: standalone node, "
                + "coordinator 127.0.0.1:7000, broker 127.0.0.1:9092, data in ./yak-data)");
            System.exit(args.length > 1 ? 2 : 0);
        }
        AutoCloseable node;
        try {
            ConfigReader r = args.length == 0 ? new ConfigReader(new Properties(), "built-in standalone defaults")
                : ConfigReader.load(Path.of(args[0]));
            String mode = args.length == 0 ? "standalone" : r.string("mode", "broker");
            if (mode.equals("standalone")) {
                node = StandaloneNode.start(r);
            } else if (mode.equals("broker")) {
                BrokerConfig config = BrokerConfig.from(r);
                r.finish();
                BrokerServer broker = new BrokerServer(config);
                broker.start();
                node = broker;
            } else {
                throw new ConfigException(r.source() + ": key 'mode' must be broker or standalone, was '" + mode + "'");
            }
        } catch (ConfigException e) {
            System.err.println("yak-broker: bad config: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            LOG.error("yak-broker: failed to start: {}", e.toString(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                LOG.error("error while stopping: {}", e.toString(), e);
            }
            stopped.countDown();
        }, "yak-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
