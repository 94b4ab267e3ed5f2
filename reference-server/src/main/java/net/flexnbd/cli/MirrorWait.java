package net.flexnbd.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import net.flexnbd.control.ControlResponse;

/**
 * {@code mirror --wait}: follows a started migration through the source's {@code status}
 * until it ends, showing its progress (percent of the current pass, speed, time left, pass
 * and attempt), as a bar rewritten in place on a terminal and as plain lines otherwise, and
 * gives the migration's outcome as the exit status: 0 once the destination has taken over
 * (the source exited, or no longer has control), 11 if the migration stopped without a
 * handover ({@code break}).
 */
final class MirrorWait {
    /** Exit status when the migration stopped before a handover: the control code "not mirroring". */
    static final int STOPPED = 11;
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(10);
    private static final int BAR = 30;
    /** Plain output repeats an unchanged line only this often (in polls). */
    private static final int PLAIN_EVERY = 10;

    /** The pause between two looks at the status. */
    interface Pacer {
        void pause() throws InterruptedException;
    }

    private final CliEnvironment.ControlSender control;
    private final Path socket;
    private final PrintStream out;
    private final boolean terminal;
    private final Pacer pacer;

    MirrorWait(CliEnvironment.ControlSender control, Path socket, PrintStream out, boolean terminal, Pacer pacer) {
        this.control = control;
        this.socket = socket;
        this.out = out;
        this.terminal = terminal;
        this.pacer = pacer;
    }

    /** A look every half second, on a terminal if there is one. */
    static MirrorWait of(CliEnvironment env, Path socket) {
        return new MirrorWait(env.control(), socket, env.out(), System.console() != null, () -> Thread.sleep(500));
    }

    /** Waits for the end of the migration; returns the exit status. */
    int await() throws InterruptedException {
        String lastLine = "";
        int unchanged = 0;
        while (true) {
            Map<String, String> status;
            try {
                ControlResponse response = control.send(socket, "status", java.util.List.of(), STATUS_TIMEOUT);
                status = response.isSuccess() ? parse(response.message()) : Map.of();
            } catch (IOException gone) {
                // The control socket goes with the source, which exits once it has handed over.
                return finish("migration complete: the source has handed over and exited", 0);
            }
            if (!"true".equals(status.get("is_mirroring"))) {
                return "false".equals(status.get("has_control"))
                        ? finish("migration complete: the destination has taken over", 0)
                        : finish("migration stopped before the handover; the source is still in control", STOPPED);
            }
            String line = progress(status);
            if (terminal) {
                out.print("\r" + line + "\033[K");
                out.flush();
            } else if (!line.equals(lastLine) || ++unchanged >= PLAIN_EVERY) {
                out.println(line);
                unchanged = 0;
            }
            lastLine = line;
            pacer.pause();
        }
    }

    private int finish(String message, int status) {
        if (terminal) {
            out.print("\r\033[K");
        }
        out.println("mirror: " + message);
        return status;
    }

    /** One line: a bar on a terminal, words otherwise. */
    String progress(Map<String, String> status) {
        long size = number(status, "size");
        long left = number(status, "migration_bytes_left");
        int percent = size <= 0 ? 0 : (int) Math.max(0, Math.min(100, (size - left) * 100 / size));
        String speed = mebibytes(number(status, "migration_speed")) + "/s";
        String eta = status.getOrDefault("migration_seconds_left", "?") + " s";
        String where = "pass " + status.getOrDefault("migration_pass", "?") + ", attempt "
                + status.getOrDefault("migration_attempts", "?");
        if (terminal) {
            int filled = percent * BAR / 100;
            return "[" + "#".repeat(filled) + ".".repeat(BAR - filled) + "] " + String.format(Locale.ROOT, "%3d%%", percent)
                    + "  " + speed + "  ETA " + eta + "  " + where;
        }
        return "mirror: " + percent + "% of this pass sent, " + speed + ", about " + eta + " left, " + where;
    }

    private static String mebibytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static long number(Map<String, String> status, String key) {
        try {
            return Long.parseLong(status.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> parse(String line) {
        Map<String, String> status = new HashMap<>();
        for (String pair : line.strip().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                status.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return status;
    }
}
