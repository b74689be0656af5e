package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replacing small files. A temp path that cannot be written (here an empty directory in its place) stands in for a
 * disk with no block left for the temp file; FullDiskIT shows the real thing on a full tmpfs.
 */
class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void shouldReplaceThroughATempFile() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[] {1, 2, 3});

        assertThat(DurableFiles.replaceOrOverwrite(file, new byte[] {4, 5, 6, 7})).as("overwritten in place").isFalse();

        assertThat(Files.readAllBytes(file)).containsExactly(4, 5, 6, 7);
        assertThat(dir.resolve("f.tmp")).doesNotExist();
    }

    @Test
    void shouldOverwriteInPlaceWhenTheTempFileCannotBeWrittenAndTheLengthIsTheSame() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[] {1, 2, 3});
        Files.createDirectory(dir.resolve("f.tmp"));

        assertThat(DurableFiles.replaceOrOverwrite(file, new byte[] {7, 8, 9})).as("overwritten in place").isTrue();

        assertThat(Files.readAllBytes(file)).containsExactly(7, 8, 9);
        assertThat(dir.resolve("f.tmp")).doesNotExist();
    }

    @Test
    void shouldFailLeavingTheFileAsItWasWhenTheLengthDiffers() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[] {1, 2, 3});
        Files.createDirectory(dir.resolve("f.tmp"));

        assertThatThrownBy(() -> DurableFiles.replaceOrOverwrite(file, new byte[] {7, 8})).isInstanceOf(IOException.class);

        assertThat(Files.readAllBytes(file)).containsExactly(1, 2, 3);
    }
}
