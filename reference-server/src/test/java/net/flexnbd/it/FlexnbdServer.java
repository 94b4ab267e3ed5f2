package net.flexnbd.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlResponse;

/**
 * One {@code bin/flexnbd serve} process on 127.0.0.1 and a port the system picks, with its
 * control socket and log in a test's directory. {@link #close()} always stops it: SIGTERM,
 * then SIGKILL if it lingers. It is started as a shell would start it: SIGINT and SIGTERM
 * at their default disposition, whatever the test JVM inherited.
 */
final class FlexnbdServer implements AutoCloseable {
    static final Path LAUNCHER = Path.of("..", "bin", "flexnbd").toAbsolutePath().normalize();

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(15);
    /** The server's startup line: "serving FILE (SIZE bytes) on /127.0.0.1:PORT". */
    private static final Pattern SERVING = Pattern.compile("serving .* on \\S*/127\\.0\\.0\\.1:(\\d+)");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Process process;
    private final Path log;
    private final Path controlSocket;
    private final int port;

    private FlexnbdServer(Process process, Path log, Path controlSocket, int port) {
        this.process = process;
        this.log = log;
        this.controlSocket = controlSocket;
        this.port = port;
    }

    /**
     * Starts {@code flexnbd serve --addr 127.0.0.1 --port 0 --file FILE --sock DIR/ctl-N OPTIONS...}
     * and returns once it logs the port it listens on (it accepts connections from then on).
     *
     * @param options further options and access-list entries, such as "--killswitch" or "127.0.0.1"
     */
    static FlexnbdServer serve(Path dir, Path file, String... options) throws IOException {
        int n = COUNTER.incrementAndGet();
        Path socket = dir.resolve("ctl-" + n);
        Path log = dir.resolve("flexnbd-" + n + ".log");
        List<String> command = new ArrayList<>(List.of("perl", "-e",
                "$SIG{INT} = $SIG{TERM} = 'DEFAULT'; exec @ARGV or die \"cannot run $ARGV[0]: $!\\n\"",
                LAUNCHER.toString(), "serve", "--addr", "127.0.0.1", "--port", "0",
                "--file", file.toString(), "--sock", socket.toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            int port = await("flexnbd serve " + file + " logs its port").atMost(STARTUP)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> portFromLog(process, log), p -> p > 0);
            await("control socket " + socket).atMost(STARTUP).until(() -> Files.exists(socket));
            return new FlexnbdServer(process, log, socket, port);
        } catch (RuntimeException | Error e) {
            stop(process);
            throw new AssertionError("flexnbd serve did not start; log:\n" + read(log), e);
        }
    }

    private static int portFromLog(Process process, Path log) {
        Matcher m = SERVING.matcher(read(log));
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("flexnbd exited " + process.exitValue() + " before serving");
        }
        return 0;
    }

    int port() {
        return port;
    }

    InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The server as an NBD URI, for libnbd, qemu and fio. */
    String uri() {
        return "nbd://127.0.0.1:" + port;
    }

    Path controlSocket() {
        return controlSocket;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** What the server has logged so far. */
    String log() {
        return read(log);
    }

    /** The {@code status} answer's key=value pairs, through the control socket. */
    Map<String, String> status() throws IOException {
        ControlResponse answer = ControlClient.send(controlSocket, "status", List.of(), Duration.ofSeconds(10));
        if (!answer.isSuccess()) {
            throw new AssertionError("status answered " + answer.toLine());
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : answer.message().trim().split(" ")) {
            int eq = pair.indexOf('=');
            fields.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return fields;
    }

    int connectedClients() throws IOException {
        return Integer.parseInt(status().get("num_clients"));
    }

    /** Sends {@code SIG<name>} ("TERM", "INT") with kill(1). */
    void signal(String name) throws IOException, InterruptedException {
        Tool.run(Duration.ofSeconds(10), "kill", "-" + name, Long.toString(pid())).requireSuccess();
    }

    /** Waits for the process to end and returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("flexnbd " + pid() + " still running after " + timeout + "; log:\n" + log());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        stop(process);
        try {
            Files.deleteIfExists(controlSocket);
        } catch (IOException ignored) {
            // a leftover socket in a temporary directory harms nothing
        }
    }

    private static void stop(Process process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }
}
