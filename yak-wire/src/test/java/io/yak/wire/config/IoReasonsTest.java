package io.yak.wire.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Error lines give the reason in words, not the path again. */
class IoReasonsTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameTheReasonOfFileSystemExceptionsThatCarryOnlyAPath() {
        assertThat(IoReasons.reason(new NoSuchFileException("/x"))).isEqualTo("no such file or directory");
        assertThat(IoReasons.reason(new AccessDeniedException("/x"))).isEqualTo("permission denied");
        assertThat(IoReasons.reason(new NotDirectoryException("/x"))).isEqualTo("not a directory");
        assertThat(IoReasons.reason(new FileAlreadyExistsException("/x"))).isEqualTo("file already exists");
        assertThat(IoReasons.reason(new FileSystemException("/x", null, "Read-only file system")))
            .isEqualTo("read-only file system");
    }

    @Test
    void shouldNameAnotherFileThanTheOneInQuestion() throws IOException {
        Path data = dir.resolve("data");
        assertThat(IoReasons.reason(new NoSuchFileException(data.toString()), data))
            .isEqualTo("no such file or directory");
        assertThat(IoReasons.reason(new NoSuchFileException(dir + "/parent"), data))
            .isEqualTo(dir + "/parent: no such file or directory");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThat(IoReasons.reason(new FileAlreadyExistsException(file.toString()), file))
            .isEqualTo("not a directory");
    }

    @Test
    void shouldGiveTheOsTextOfSocketErrors() {
        assertThat(IoReasons.reason(new IOException("bind(..) failed with error(-98): Address already in use")))
            .isEqualTo("address already in use");
        assertThat(IoReasons.reason(new BindException("Cannot assign requested address")))
            .isEqualTo("cannot assign requested address");
        assertThat(IoReasons.reason(new UnresolvedAddressException())).isEqualTo("cannot resolve the host name");
        assertThat(IoReasons.reason(new IOException())).isEqualTo("IOException");
    }
}
