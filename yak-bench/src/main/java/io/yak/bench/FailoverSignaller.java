package io.yak.bench;

import io.yak.wire.message.BrokerInfo;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a broker's process and sends it the failover's signal: the PID given with {@code --pids}, or else the local
 * process listening on the broker's port ({@link ProcListeners}). Signals go through {@link ProcessHandle}, which
 * remembers the process's start time, so a PID reused by another process after the broker exited is not signalled.
 * Never signals this JVM. Immutable; any thread.
 */
final class FailoverSignaller {
    /** The two faults of the Kafka anchor's failover runs: F1 kill -9, F2 SIGTERM (a controlled shutdown). */
    enum Signal {
        KILL("SIGKILL"), TERM("SIGTERM");

        private final String signalName;

        Signal(String signalName) {
            this.signalName = signalName;
        }

        String signalName() {
            return signalName;
        }

        /**
         * {@code KILL}, {@code SIGKILL} or {@code 9}; {@code TERM}, {@code SIGTERM} or {@code 15}; any case.
         *
         * @throws IllegalArgumentException for anything else
         */
        static Signal parse(String text) {
            String t = text.trim().toUpperCase(Locale.ROOT);
            return switch (t) {
                case "KILL", "SIGKILL", "9" -> KILL;
                case "TERM", "SIGTERM", "15" -> TERM;
                default -> throw new IllegalArgumentException("--signal must be KILL or TERM, was '" + text + "'");
            };
        }
    }

    /**
     * A broker's process, found before the run so that a broker that cannot be found stops the run before it
     * starts rather than at the signal.
     *
     * @param commandLine how the process was started, when the system tells (for the line saying how to restart it)
     */
    record Target(BrokerInfo broker, ProcessHandle process, Optional<String> commandLine) {
        long pid() {
            return process.pid();
        }

        String describe() {
            return String.format(Locale.ROOT, "broker %d (%s, pid %d)", broker.id(), broker.address(), pid());
        }
    }

    private final Map<Integer, Long> pids;
    private final ProcListeners listeners;

    /**
     * @param pids      broker id to PID ({@code --pids}); empty to find every broker by its port
     * @param listeners finds a process by its listening port
     */
    FailoverSignaller(Map<Integer, Long> pids, ProcListeners listeners) {
        this.pids = Map.copyOf(pids);
        this.listeners = listeners;
    }

    /**
     * {@code ID=PID,ID=PID,...}, e.g. {@code 1=4242,2=4243,3=4244}; spaces around the parts are ignored.
     *
     * @return broker id to PID, in the order given
     * @throws IllegalArgumentException naming the bad part
     */
    static Map<Integer, Long> parsePids(String text) {
        Map<Integer, Long> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                "--pids must be BROKER_ID=PID,..., e.g. 1=4242,2=4243,3=4244; was empty");
        }
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            int eq = p.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--pids: '" + p + "' is not BROKER_ID=PID (e.g. 1=4242)");
            }
            int id;
            long pid;
            try {
                id = Integer.parseInt(p.substring(0, eq).trim());
                pid = Long.parseLong(p.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--pids: '" + p + "' is not BROKER_ID=PID with two integers", e);
            }
            if (id < 0) {
                throw new IllegalArgumentException("--pids: broker id " + id + " must not be negative");
            }
            if (pid < 1) {
                throw new IllegalArgumentException("--pids: PID " + pid + " of broker " + id + " must be positive");
            }
            if (out.putIfAbsent(id, pid) != null) {
                throw new IllegalArgumentException("--pids: broker " + id + " is given twice");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * The process of {@code broker}: its {@code --pids} entry, or without {@code --pids} the local process
     * listening on its port.
     *
     * @throws IllegalStateException when it cannot be found, is not running, or is this JVM
     */
    Target find(BrokerInfo broker) {
        long pid;
        if (pids.isEmpty()) {
            pid = listeners.pidListeningOn(broker.host(), broker.port());
        } else {
            Long given = pids.get(broker.id());
            if (given == null) {
                throw new IllegalStateException("--pids gives no PID for broker " + broker.id() + " ("
                    + broker.address() + "), a replica of the partition whose leader is to be signalled");
            }
            pid = given;
        }
        if (pid == ProcessHandle.current().pid()) {
            throw new IllegalStateException("broker " + broker.id() + " (" + broker.address() + ") runs in this "
                + "yak-bench process (pid " + pid + "); failover needs brokers in processes of their own");
        }
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(
            "no running process with pid " + pid + " for broker " + broker.id() + " (" + broker.address() + ")"));
        return new Target(broker, process, process.info().commandLine());
    }

    /**
     * Sends {@code signal} to the target's process.
     *
     * @throws IllegalStateException when the process is gone or the signal could not be sent (permissions)
     */
    static void send(Target target, Signal signal) {
        if (!target.process().isAlive()) {
            throw new IllegalStateException(target.describe() + " is no longer running; nothing to signal");
        }
        boolean sent = signal == Signal.KILL ? target.process().destroyForcibly() : target.process().destroy();
        if (!sent) {
            throw new IllegalStateException("could not send " + signal.signalName() + " to " + target.describe()
                + " (another user's process?)");
        }
    }
}
