package io.yak.wire.config;

import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Turns an I/O failure into the words an operator reads on one line: the reason ({@code no such file or directory},
 * {@code address already in use}), not the bare path that {@link NoSuchFileException} and its kin carry as their
 * message. Used by {@link ConfigReader} and by the servers' start-up errors. Stateless; any thread.
 */
public final class IoReasons {
    /** Netty's native transport prefixes the OS error text with the call and errno. */
    private static final Pattern NATIVE_PREFIX = Pattern.compile("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ");

    private IoReasons() {
    }

    /**
     * Why {@code e} happened, in words: the file system reason of a {@link FileSystemException} (mapped from its
     * type when it has none), the OS text of a socket error, or else the message.
     */
    public static String reason(Throwable e) {
        if (e instanceof FileSystemException f) {
            if (f.getReason() != null) {
                return osText(f.getReason());
            }
            if (f instanceof NoSuchFileException) {
                return "no such file or directory";
            }
            if (f instanceof AccessDeniedException) {
                return "permission denied";
            }
            if (f instanceof NotDirectoryException) {
                return "not a directory";
            }
            if (f instanceof FileAlreadyExistsException) {
                return "file already exists";
            }
            if (f instanceof DirectoryNotEmptyException) {
                return "directory not empty";
            }
            return "file system error (" + f.getClass().getSimpleName() + ")";
        }
        if (e instanceof CharacterCodingException) {
            return "not valid UTF-8 text";
        }
        if (e instanceof UnresolvedAddressException) {
            return "cannot resolve the host name";
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof SocketException || NATIVE_PREFIX.matcher(message).find()) {
            return osText(NATIVE_PREFIX.matcher(message).replaceFirst(""));
        }
        return osText(message);
    }

    /**
     * {@link #reason} of a failure to use {@code path}, naming the file only when it is another one (a parent
     * directory, a file inside it). A {@link FileAlreadyExistsException} for a path that must be a directory means
     * it is something else.
     */
    public static String reason(Throwable e, Path path) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            Path file = Path.of(f.getFile());
            boolean same = file.toAbsolutePath().normalize().equals(path.toAbsolutePath().normalize());
            if (same && f instanceof FileAlreadyExistsException && !Files.isDirectory(path)) {
                return "not a directory";
            }
            if (!same) {
                return f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": " + reason(e);
            }
        }
        return reason(e);
    }

    /** OS error texts ("Address already in use", "Is a directory") start lower case inside our one-line messages. */
    private static String osText(String text) {
        if (text.length() > 1 && Character.isUpperCase(text.charAt(0)) && Character.isLowerCase(text.charAt(1))
            && text.indexOf(':') < 0) {
            return Character.toLowerCase(text.charAt(0)) + text.substring(1);
        }
        return text;
    }
}
