package io.yak.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What the package phase ships: the library jar, which services embed, carries no logging configuration (the
 * service's own logback.xml must win); the self-contained CLI jar carries one, and its main class.
 */
class PackagingIT {
    private static JarFile jar(String property) throws IOException {
        String path = System.getProperty(property);
        assertThat(path).as("-D%s (set by failsafe)", property).isNotNull();
        assertThat(Files.exists(Path.of(path))).as("%s exists", path).isTrue();
        return new JarFile(path);
    }

    @Test
    void shouldKeepLoggingConfigurationOutOfTheLibraryJar() throws IOException {
        try (JarFile library = jar("yak.library.jar")) {
            assertThat(library.getEntry("io/yak/client/producer/YakProducer.class")).isNotNull();
            assertThat(library.getEntry("logback.xml")).isNull();
            assertThat(library.getEntry("logback-test.xml")).isNull();
        }
    }

    @Test
    void shouldGiveTheCliJarItsLoggingConfigurationAndMainClass() throws IOException {
        try (JarFile cli = jar("yak.cli.jar")) {
            assertThat(cli.getEntry("logback.xml")).isNotNull();
            assertThat(new String(cli.getInputStream(cli.getEntry("logback.xml")).readAllBytes()))
                .contains("io.yak");
            assertThat(cli.getManifest().getMainAttributes().getValue("Main-Class"))
                .isEqualTo("io.yak.client.cli.YakCli");
        }
    }
}
