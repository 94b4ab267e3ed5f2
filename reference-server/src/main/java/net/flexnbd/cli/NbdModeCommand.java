package net.flexnbd.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * What {@code read} and {@code write} share: where the NBD server is, which byte range,
 * and one connection to it. Ranges longer than one NBD request are split.
 */
abstract class NbdModeCommand extends ModeCommand implements Callable<Integer> {

    /** Largest piece sent in one request: the server's payload limit. */
    static final int CHUNK = net.flexnbd.protocol.Nbd.MAX_PAYLOAD;

    @Option(names = {"-l", "--addr"}, required = true, paramLabel = "ADDR", description = "The NBD server's address.")
    String addr;

    @Option(names = {"-p", "--port"}, required = true, paramLabel = "PORT", description = "The NBD server's port.")
    int port;

    @Option(names = {"-F", "--from"}, required = true, paramLabel = "OFFSET", description = "Byte offset.")
    long from;

    @Option(names = {"-S", "--size"}, required = true, paramLabel = "SIZE", description = "Number of bytes.")
    long size;

    @Option(names = {"-b", "--bind"}, paramLabel = "ADDR", description = "Source address to connect from.")
    String bind;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Give up when the server does not answer within this (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    NbdModeCommand(CliEnvironment env, VerbosityChoice verbosity) {
        super(env, verbosity);
    }

    private InetSocketAddress server;
    private Optional<InetAddress> source;

    /** Checks every option; call before touching stdin or the network. */
    void checkOptions(long maximumSize) {
        server = new InetSocketAddress(address("--addr", addr), port("--port", port, 1));
        source = Optional.ofNullable(bind).map(b -> address("--bind", b));
        if (from < 0) {
            throw usageError("invalid value for --from: " + from + " is negative; expected a byte offset");
        }
        if (size < 0 || size > maximumSize) {
            throw usageError("invalid value for --size: " + size + " is not from 0 to " + maximumSize);
        }
        if (from > Long.MAX_VALUE - size) {
            throw usageError("--from " + from + " plus --size " + size + " is past the largest offset");
        }
        if (timeoutSeconds < 1) {
            throw usageError("invalid value for --timeout: " + timeoutSeconds + " is not a number of seconds of at least 1");
        }
    }

    /** One connection to the server, once {@link #checkOptions} passed. */
    CliEnvironment.RemoteDisk connect() throws IOException {
        return env.nbd().connect(server, source, Duration.ofSeconds(timeoutSeconds));
    }
}
