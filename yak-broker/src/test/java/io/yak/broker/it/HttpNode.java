package io.yak.broker.it;

import io.yak.broker.standalone.StandaloneNode;
import io.yak.wire.config.ConfigReader;
import java.nio.file.Path;
import java.util.Properties;

/** A standalone node on ephemeral loopback ports with its HTTP port, data under {@code dir}: the ITs of the port. */
final class HttpNode {
    private HttpNode() {
    }

    static StandaloneNode start(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("mode", "standalone");
        p.setProperty("listen", "127.0.0.1:0");
        p.setProperty("coordinator", "127.0.0.1:0");
        p.setProperty("http.listen", "127.0.0.1:0");
        p.setProperty("data.dir", dir.resolve("data").toString());
        return StandaloneNode.start(new ConfigReader(p, "test"));
    }
}
