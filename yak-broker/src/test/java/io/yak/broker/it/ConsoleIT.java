package io.yak.broker.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.yak.broker.standalone.StandaloneNode;
import io.yak.client.admin.YakAdmin;
import io.yak.client.consumer.YakConsumer;
import io.yak.client.producer.YakProducer;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web console of a standalone node, in a real browser: a topic with traffic and a consumer group with lag show
 * in the JSON API and, after the page's scripts ran in headless Chromium, in the page's DOM with the charts drawn.
 * The screenshot is kept as {@code target/console-screenshot.png}. Needs Debian's {@code chromium} ({@code .ci/run}
 * installs it).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleIT {
    private static final String TOPIC = "page-views";
    private static final String GROUP = "reporting";
    private static final Path SCREENSHOT = Path.of("target", "console-screenshot.png");

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private String get(String base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s", path).isEqualTo(200);
        return r.body();
    }

    @Test
    void shouldShowTheTopicTheGroupAndLiveChartsInABrowser() throws Exception {
        String chromium = chromium();
        try (StandaloneNode node = HttpNode.start(dir)) {
            String base = "http://127.0.0.1:" + node.httpAddress().getPort();
            String bootstrap = "127.0.0.1:" + node.coordinator().address().getPort();
            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> get(base, "/health")
                .contains("\"ready\""));
            try (YakAdmin admin = YakAdmin.connect(bootstrap)) {
                admin.createTopic(TOPIC, 2);
            }
            Properties pc = new Properties();
            pc.setProperty("coordinator", bootstrap);
            try (YakProducer producer = new YakProducer(pc)) {
                for (int i = 0; i < 400; i++) {
                    producer.send(TOPIC, i % 2, null, ("view-" + i).getBytes(UTF_8), System.currentTimeMillis());
                }
                producer.flush();
            }
            Properties cc = new Properties();
            cc.setProperty("coordinator", bootstrap);
            cc.setProperty("group.id", GROUP);
            cc.setProperty("auto.offset.reset", "earliest");
            cc.setProperty("enable.auto.commit", "false");
            try (YakConsumer consumer = new YakConsumer(cc)) {
                consumer.subscribe(List.of(TOPIC));
                int read = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (read < 400 && System.nanoTime() < deadline) {
                    read += consumer.poll(Duration.ofMillis(200)).size();
                }
                consumer.commitSync(); // 200 per partition; the member stays in the group while the page is read
            // traffic while the console samples: rates above zero, and the group falls behind (lag)
            AtomicBoolean producing = new AtomicBoolean(true);
            Thread traffic = new Thread(() -> {
                try (YakProducer producer = new YakProducer(pc)) {
                    while (producing.get()) {
                        for (int i = 0; i < 50; i++) {
                            producer.send(TOPIC, i % 2, null, ("view-" + i).getBytes(UTF_8),
                                System.currentTimeMillis());
                        }
                        producer.flush();
                        Thread.sleep(100);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "console-traffic");
            traffic.start();
            try {
                // the leader reports every 2 s: the API shows offsets, lag and rates above zero
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    String overview = get(base, "/api/overview");
                    assertThat(overview).contains("\"name\":\"" + TOPIC + "\"", "\"group\":\"" + GROUP + "\"",
                        "\"committed\":200");
                    assertThat(overview).containsPattern("\"lag\":[1-9]");
                    assertThat(get(base, "/api/rates")).contains("\"intervalMs\":2000", "\"" + TOPIC + "\":{\"t\":[")
                        .containsPattern("\"in\":\\[[^]]*[1-9][0-9]*\\.?[0-9]*[^]]*]");
                });
                String dom = browser(chromium, base, "--dump-dom");
                assertThat(dom).contains("data-topic=\"" + TOPIC + "\"", "data-group=\"" + GROUP + "\"", TOPIC,
                    GROUP).contains("<canvas");
                assertThat(dom).doesNotContain("view-1"); // record values are never shown
                Files.createDirectories(SCREENSHOT.getParent());
                Files.deleteIfExists(SCREENSHOT);
                browser(chromium, base, "--screenshot=" + SCREENSHOT.toAbsolutePath(), "--window-size=1280,1500");
                assertThat(SCREENSHOT).exists();
                assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);
            } finally {
                producing.set(false);
                traffic.join(30_000);
            }
            }
        }
    }

    /** Runs headless Chromium on the console and returns what it printed (the DOM for --dump-dom). */
    private String browser(String chromium, String base, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--no-first-run", "--disable-extensions", "--user-data-dir=" + dir.resolve("chromium-profile"),
            "--virtual-time-budget=8000"));
        command.addAll(List.of(args));
        command.add(base + "/");
        Path out = dir.resolve("chromium.out");
        Process process = new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(out.toFile())
            .redirectError(dir.resolve("chromium.err").toFile()).start();
        try {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        } finally {
            process.destroyForcibly();
        }
        return Files.readString(out, UTF_8);
    }

    private static String chromium() {
        for (String dirName : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                File f = new File(dirName, name);
                if (f.canExecute()) {
                    return f.getAbsolutePath();
                }
            }
        }
        throw new AssertionError("the console's browser test needs Chromium: install Debian's chromium package "
            + "(apt-get install chromium), as .ci/run does");
    }
}
