package io.yak.broker.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fallocate(2) gives a sparse file real blocks without changing its size or its bytes. */
class NativeFilesTest {
    @TempDir
    Path dir;

    /** Blocks of 512 bytes the file system gave the file ({@code stat -c %b}). */
    private static long blocks(Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(p.waitFor()).as("stat: %s", out).isZero();
        return Long.parseLong(out);
    }

    @Test
    void shouldAllocateASparseRangeKeepingSizeAndBytes() throws Exception {
        assumeTrue(Platform.isLinux(), "fallocate(2) is Linux only; elsewhere zeros are written");
        Path file = dir.resolve("segment");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(8 << 20);
            raf.seek(0);
            raf.write(new byte[] {1, 2, 3});
        }
        long before = blocks(file);

        assertThat(NativeFiles.allocate(file, 1 << 20, 3 << 20)).as("allocated natively").isTrue();

        assertThat(blocks(file) - before).as("512-byte blocks added").isGreaterThanOrEqualTo((2 << 20) / 512);
        assertThat(Files.size(file)).isEqualTo(8 << 20);
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertThat(bytes[2]).isEqualTo((byte) 3);
        for (int i = 3; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                throw new AssertionError("byte " + i + " is " + bytes[i]);
            }
        }
    }

    @Test
    void shouldFailWithTheFileNamedWhenItCannotBeOpened() {
        assumeTrue(Platform.isLinux(), "fallocate(2) is Linux only");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> NativeFiles.allocate(missing, 0, 4096)).isInstanceOf(IOException.class)
            .hasMessageContaining(missing.toString());
    }
}
