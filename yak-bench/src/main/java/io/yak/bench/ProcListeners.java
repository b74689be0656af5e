package io.yak.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the local process that listens on a TCP port, the way {@code ss -ltnp} does, for {@code yak-bench failover}
 * to signal a broker it knows only by address. Linux only: the LISTEN sockets of {@code /proc/net/tcp} and
 * {@code /proc/net/tcp6} give each socket's inode, and the process owning it is the one with a file descriptor
 * {@code /proc/PID/fd/N -> socket:[inode]}. Only processes whose {@code fd} directory this user may read are
 * found (one's own, or all as root), and only in this network namespace. Stateless; any thread.
 */
final class ProcListeners {
    /** {@code st} of a socket in LISTEN state (include/net/tcp_states.h). */
    private static final String LISTEN_STATE = "0A";

    private final Path proc;
    private final ByteOrder order;

    /**
     * @param proc  the proc file system, {@code /proc}; a test gives a directory laid out like it
     * @param order how the kernel printed the address words: the byte order of the machine that wrote the files
     */
    ProcListeners(Path proc, ByteOrder order) {
        this.proc = proc;
        this.order = order;
    }

    /** The running kernel's {@code /proc}. */
    static ProcListeners system() {
        return new ProcListeners(Path.of("/proc"), ByteOrder.nativeOrder());
    }

    /** A listening socket of {@code /proc/net/tcp*}: the local address (wildcard 0.0.0.0 or ::), port and inode. */
    record Listener(InetAddress address, int port, long inode) {
    }

    /**
     * The PID of the one process listening on {@code port} at {@code host}'s address (or on every address).
     *
     * @throws IllegalStateException saying why, when no process or more than one holds such a socket, or
     *     {@code /proc} cannot be read (not Linux)
     */
    long pidListeningOn(String host, int port) {
        Path tcp = proc.resolve("net/tcp");
        if (!Files.isReadable(tcp)) {
            throw new IllegalStateException("cannot find the process listening on port " + port + ": " + tcp
                + " is not readable (finding a broker's process by its port works on Linux only); give its PID with "
                + "--pids BROKER_ID=PID,...");
        }
        List<Listener> listeners = new ArrayList<>();
        try {
            listeners.addAll(parse(Files.readAllLines(tcp), order));
            Path tcp6 = proc.resolve("net/tcp6");
            if (Files.isReadable(tcp6)) { // absent when IPv6 is disabled
                listeners.addAll(parse(Files.readAllLines(tcp6), order));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + proc.resolve("net") + ": " + e, e);
        }
        Set<Long> inodes = inodesFor(listeners, addressesOf(host), port);
        if (inodes.isEmpty()) {
            throw new IllegalStateException("no local process listens on " + host + ":" + port + " (a broker on "
                + "another host, or in another network namespace?); give its PID with --pids BROKER_ID=PID,...");
        }
        Owners owners = owners(inodes);
        if (owners.pids.size() == 1) {
            return owners.pids.iterator().next();
        }
        if (owners.pids.isEmpty()) {
            throw new IllegalStateException("a socket listens on " + host + ":" + port + " (inode " + inodes
                + ") but no process readable here holds it (" + owners.unreadable + " processes' file descriptors "
                + "were not readable: another user's?); run as the broker's user or give --pids BROKER_ID=PID,...");
        }
        throw new IllegalStateException("several processes hold the socket listening on " + host + ":" + port
            + ": " + owners.pids + "; give the broker's PID with --pids BROKER_ID=PID,...");
    }

    /**
     * The LISTEN sockets of one {@code /proc/net/tcp} or {@code tcp6} file (header line included). A line reads
     * {@code sl local_address rem_address st ... uid timeout inode ...}, the local address as {@code ADDR:PORT} in
     * hex: ADDR is 8 (IPv4) or 32 (IPv6) hex digits, 32-bit words each printed in {@code order}; PORT is the number.
     *
     * @throws IllegalArgumentException for a line that is not laid out so
     */
    static List<Listener> parse(List<String> lines, ByteOrder order) {
        List<Listener> out = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || !f[0].endsWith(":")) {
                continue; // the header, or an empty line
            }
            if (!f[3].equals(LISTEN_STATE)) {
                continue;
            }
            int colon = f[1].indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("local address without port in /proc/net/tcp line: " + line);
            }
            try {
                InetAddress address = decodeAddress(f[1].substring(0, colon), order);
                int port = Integer.parseInt(f[1].substring(colon + 1), 16);
                out.add(new Listener(address, port, Long.parseLong(f[9])));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad /proc/net/tcp line: " + line, e);
            }
        }
        return out;
    }

    /**
     * An address as {@code /proc/net/tcp*} prints it: 8 or 32 hex digits, each 32-bit word in {@code order}. An
     * IPv4-mapped IPv6 address comes back as the IPv4 address ({@link InetAddress#getByAddress(byte[])} does that).
     */
    static InetAddress decodeAddress(String hex, ByteOrder order) {
        if (hex.length() != 8 && hex.length() != 32) {
            throw new IllegalArgumentException("address '" + hex + "' is neither 8 nor 32 hex digits");
        }
        ByteBuffer bytes = ByteBuffer.allocate(hex.length() / 2).order(order);
        for (int i = 0; i < hex.length(); i += 8) {
            bytes.putInt((int) Long.parseLong(hex.substring(i, i + 8), 16));
        }
        try {
            return InetAddress.getByAddress(bytes.array());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }

    /**
     * The inodes of the listeners on {@code port} at one of {@code addresses} or at the wildcard address; every
     * listener on the port when {@code addresses} is empty (a host name that does not resolve here).
     */
    static Set<Long> inodesFor(List<Listener> listeners, Set<InetAddress> addresses, int port) {
        Set<Long> inodes = new TreeSet<>();
        for (Listener l : listeners) {
            if (l.port() == port && l.inode() != 0 && (addresses.isEmpty() || l.address().isAnyLocalAddress()
                    || addresses.contains(l.address()))) {
                inodes.add(l.inode());
            }
        }
        return inodes;
    }

    private static Set<InetAddress> addressesOf(String host) {
        try {
            return Set.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return Set.of();
        }
    }

    /** Processes holding one of the sockets, and how many processes' descriptors could not be read. */
    private record Owners(Set<Long> pids, int unreadable) {
    }

    private Owners owners(Set<Long> inodes) {
        Set<String> links = new TreeSet<>();
        for (long inode : inodes) {
            links.add("socket:[" + inode + "]");
        }
        Set<Long> pids = new TreeSet<>();
        int unreadable = 0;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, ProcListeners::isPidDirectory)) {
            for (Path p : processes) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(p.resolve("fd"))) {
                    for (Path fd : fds) {
                        if (links.contains(readLink(fd))) {
                            pids.add(Long.parseLong(p.getFileName().toString()));
                            break;
                        }
                    }
                } catch (IOException e) {
                    if (!(e instanceof NoSuchFileException)) { // that one: the process exited while we looked
                        unreadable++;
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + proc + ": " + e, e);
        }
        return new Owners(pids, unreadable);
    }

    private static boolean isPidDirectory(Path p) {
        String name = p.getFileName().toString();
        if (name.isEmpty() || name.length() > 18) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return Files.isDirectory(p);
    }

    /**
     * The link's target, or "" when the descriptor was closed between listing and reading it; any other failure
     * makes the caller count the process as unreadable.
     */
    private static String readLink(Path fd) throws IOException {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
