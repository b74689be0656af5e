package io.yak.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcListenersTest {
    /** Lines as a little-endian Linux prints them (x86_64), trailing columns shortened. */
    private static final String TAIL = " 1 0 100 0 0 10 0";
    private static final List<String> TCP = List.of(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0100007F:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4711" + TAIL,
        "   1: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 815" + TAIL,
        "   2: 0100007F:2329 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 9999" + TAIL,
        "   3: 0200007F:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5555" + TAIL,
        "");
    private static final List<String> TCP6 = List.of(
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr "
            + "tm->when retrnsmt   uid  timeout inode",
        "   0: 0000000000000000FFFF00000100007F:232A 00000000000000000000000000000000:0000 0A 00000000:00000000 "
            + "00:00000000 00000000  1000        0 6001 1 0 100 0 0 10 0",
        "   1: 00000000000000000000000001000000:232B 00000000000000000000000000000000:0000 0A 00000000:00000000 "
            + "00:00000000 00000000  1000        0 6002 1 0 100 0 0 10 0",
        "   2: 00000000000000000000000000000000:232C 00000000000000000000000000000000:0000 0A 00000000:00000000 "
            + "00:00000000 00000000  1000        0 6003 1 0 100 0 0 10 0");

    @TempDir
    Path dir;

    @Test
    void shouldParseOnlyListeningSocketsWithAddressPortAndInode() throws Exception {
        List<ProcListeners.Listener> l = ProcListeners.parse(TCP, ByteOrder.LITTLE_ENDIAN);
        assertThat(l).containsExactly(
            new ProcListeners.Listener(InetAddress.getByName("127.0.0.1"), 9001, 4711),
            new ProcListeners.Listener(InetAddress.getByName("0.0.0.0"), 8000, 815),
            new ProcListeners.Listener(InetAddress.getByName("127.0.0.2"), 9001, 5555));
    }

    @Test
    void shouldDecodeIpv6IncludingMappedIpv4AndLoopback() throws Exception {
        List<ProcListeners.Listener> l = ProcListeners.parse(TCP6, ByteOrder.LITTLE_ENDIAN);
        assertThat(l).extracting(ProcListeners.Listener::address).containsExactly(
            InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"), InetAddress.getByName("::"));
        assertThat(l).extracting(ProcListeners.Listener::port).containsExactly(9002, 9003, 9004);
        assertThat(ProcListeners.decodeAddress("7F000001", ByteOrder.BIG_ENDIAN))
            .isEqualTo(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void shouldRejectAMalformedLine() {
        assertThatThrownBy(() -> ProcListeners.parse(List.of(
            "   0: 0100007F:ZZZZ 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 4711 1"),
            ByteOrder.LITTLE_ENDIAN)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ZZZZ");
        assertThatThrownBy(() -> ProcListeners.decodeAddress("0100", ByteOrder.LITTLE_ENDIAN))
            .hasMessageContaining("neither 8 nor 32");
    }

    @Test
    void shouldMatchTheHostsAddressOrTheWildcardOnThePort() throws Exception {
        List<ProcListeners.Listener> l = ProcListeners.parse(TCP, ByteOrder.LITTLE_ENDIAN);
        assertThat(ProcListeners.inodesFor(l, Set.of(InetAddress.getByName("127.0.0.1")), 9001)).containsExactly(4711L);
        assertThat(ProcListeners.inodesFor(l, Set.of(InetAddress.getByName("127.0.0.2")), 9001)).containsExactly(5555L);
        assertThat(ProcListeners.inodesFor(l, Set.of(), 9001)).containsExactly(4711L, 5555L);
        assertThat(ProcListeners.inodesFor(l, Set.of(InetAddress.getByName("127.0.0.1")), 8000)).containsExactly(815L);
        assertThat(ProcListeners.inodesFor(l, Set.of(InetAddress.getByName("127.0.0.1")), 7000)).isEmpty();
    }

    @Test
    void shouldFindTheProcessHoldingTheSocketInAProcTree() throws Exception {
        Path proc = fakeProc();
        fd(proc, 100, 3, "socket:[1]");
        fd(proc, 100, 4, "/dev/null");
        fd(proc, 4242, 0, "/dev/null");
        fd(proc, 4242, 7, "socket:[4711]");
        Files.createDirectories(proc.resolve("self"));
        ProcListeners pl = new ProcListeners(proc, ByteOrder.LITTLE_ENDIAN);
        assertThat(pl.pidListeningOn("127.0.0.1", 9001)).isEqualTo(4242);
    }

    @Test
    void shouldSayWhyWhenNoOrSeveralProcessesHoldTheSocket() throws Exception {
        Path proc = fakeProc();
        fd(proc, 100, 3, "socket:[4711]");
        fd(proc, 101, 3, "socket:[4711]");
        ProcListeners pl = new ProcListeners(proc, ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> pl.pidListeningOn("127.0.0.1", 9001))
            .hasMessageContaining("several processes").hasMessageContaining("[100, 101]")
            .hasMessageContaining("--pids");
        assertThatThrownBy(() -> pl.pidListeningOn("127.0.0.1", 7000))
            .hasMessageContaining("no local process listens on 127.0.0.1:7000").hasMessageContaining("--pids");
        assertThatThrownBy(() -> pl.pidListeningOn("127.0.0.1", 8000))
            .hasMessageContaining("no process readable here holds it");
    }

    @Test
    void shouldSayItNeedsLinuxWithoutProcNetTcp() {
        ProcListeners pl = new ProcListeners(dir.resolve("no-proc"), ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> pl.pidListeningOn("127.0.0.1", 9001))
            .hasMessageContaining("is not readable").hasMessageContaining("Linux only").hasMessageContaining("--pids");
    }

    @Test
    void shouldFindThisJvmListeningOnAPortOnLinux() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux /proc only");
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            assertThat(ProcListeners.system().pidListeningOn("127.0.0.1", s.getLocalPort()))
                .isEqualTo(ProcessHandle.current().pid());
        }
    }

    private Path fakeProc() throws Exception {
        Path proc = dir.resolve("proc");
        Files.createDirectories(proc.resolve("net"));
        Files.write(proc.resolve("net/tcp"), TCP);
        Files.write(proc.resolve("net/tcp6"), TCP6);
        return proc;
    }

    private static void fd(Path proc, int pid, int fd, String target) throws Exception {
        Path fds = Files.createDirectories(proc.resolve(Integer.toString(pid)).resolve("fd"));
        Files.createSymbolicLink(fds.resolve(Integer.toString(fd)), Path.of(target));
    }
}
