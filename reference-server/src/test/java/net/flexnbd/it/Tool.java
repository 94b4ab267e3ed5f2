package net.flexnbd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program (a real NBD client, {@code stat}, the launcher) to completion
 * and keeps what it printed, so a test can assert on its exit status and output. A program
 * that outlives its deadline is killed and fails the test.
 */
final class Tool {
    private Tool() {}

    /** Exit status, stdout and stderr of one finished run. */
    record Outcome(List<String> command, int status, String out, String err) {
        /** This outcome, after checking that the program exited 0. */
        Outcome requireSuccess() {
            if (status != 0) {
                throw new AssertionError(describe("exited " + status));
            }
            return this;
        }

        String describe(String what) {
            return String.join(" ", command) + " " + what + "\n--- stdout:\n" + out + "\n--- stderr:\n" + err;
        }
    }

    static Outcome run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, List.of(command));
    }

    static Outcome run(Duration timeout, List<String> command) throws IOException, InterruptedException {
        return run(timeout, Map.of(), command);
    }

    /** Runs {@code command} with {@code environment} added to (or replacing parts of) this JVM's. */
    static Outcome run(Duration timeout, Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("flexnbd-it-", ".out");
        Path err = Files.createTempFile("flexnbd-it-", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(environment);
            Process process = builder
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError(String.join(" ", command) + " still running after " + timeout
                            + "; stderr so far:\n" + Files.readString(err, StandardCharsets.UTF_8));
                }
            } finally {
                if (process.isAlive()) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            return new Outcome(List.copyOf(command), process.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs qemu-io on a raw image at {@code uri} with one {@code -c} per command; it must exit 0. */
    static Outcome qemuIo(String uri, String... commands) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (String c : commands) {
            command.add("-c");
            command.add(c);
        }
        command.add(uri);
        return run(Duration.ofSeconds(120), command).requireSuccess();
    }

    /** The blocks of 512 bytes the file system has allocated to {@code file} ({@code stat -c %b}). */
    static long allocatedBlocks(Path file) throws IOException, InterruptedException {
        String blocks = run(Duration.ofSeconds(30), "stat", "-c", "%b", file.toString()).requireSuccess().out().trim();
        return Long.parseLong(blocks);
    }
}
