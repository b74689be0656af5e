package io.yak.faults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short system commands ({@code ip}, {@code kill}) and reports their exit code and output. Each call waits at
 * most {@link #TIMEOUT_SECONDS}; a command still running then is killed (by the PID this class started).
 */
final class Commands {
    static final int TIMEOUT_SECONDS = 20;

    /** What a command did: its exit code (-1 when it could not start or timed out) and its merged output. */
    record Result(int exitCode, String output) {
        boolean ok() {
            return exitCode == 0;
        }
    }

    private Commands() {
    }

    static Result run(List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, "cannot run " + String.join(" ", command) + ": " + e.getMessage());
        }
        try (InputStream in = p.getInputStream()) {
            // The commands print little; reading before waiting keeps a full pipe from blocking them.
            byte[] out = in.readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", command) + " timed out after " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            p.destroyForcibly();
            return new Result(-1, String.join(" ", command) + ": " + e.getMessage());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, String.join(" ", command) + ": interrupted");
        }
    }

    /** Runs {@code command} and throws, naming it and its output, when it fails. */
    static String check(List<String> command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new IllegalStateException("`" + String.join(" ", command) + "` failed (exit " + r.exitCode()
                + "): " + r.output());
        }
        return r.output();
    }
}
