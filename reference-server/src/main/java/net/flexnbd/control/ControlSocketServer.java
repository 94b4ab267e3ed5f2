package net.flexnbd.control;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's control socket: a Unix domain socket, mode 0600, that answers one request
 * per connection with one line {@code CODE: MESSAGE}. Each connection is served on its own
 * daemon thread, so a slow command or a silent client never holds up another; the socket
 * file is removed on {@link #close()}.
 */
public final class ControlSocketServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ControlSocketServer.class);

    /** How long a client may take to send its whole request. */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** Connections served at once; more are refused at once with an answer. */
    static final int MAX_CONCURRENT_CONNECTIONS = 32;

    private final Path socketPath;
    private final ServerSocketChannel channel;
    private final ControlHandler handler;
    private final Duration requestTimeout;
    private final ScheduledExecutorService timeouts;
    private final Semaphore connectionSlots = new Semaphore(MAX_CONCURRENT_CONNECTIONS);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread acceptor;

    private ControlSocketServer(Path socketPath, ServerSocketChannel channel, ControlHandler handler,
            Duration requestTimeout) {
        this.socketPath = socketPath;
        this.channel = channel;
        this.handler = handler;
        this.requestTimeout = requestTimeout;
        this.timeouts = Executors.newSingleThreadScheduledExecutor(daemon("control-timeout"));
        this.acceptor = daemon("control-accept").newThread(this::acceptLoop);
    }

    /**
     * Binds {@code socketPath} and starts answering requests with {@code handler}. A stale
     * socket file left by a dead server is replaced.
     *
     * @throws IOException "control socket in use: PATH" when a live server answers there, or
     *     when the path exists and is not a socket, or cannot be bound
     */
    public static ControlSocketServer open(Path socketPath, ControlHandler handler) throws IOException {
        return open(socketPath, handler, DEFAULT_REQUEST_TIMEOUT);
    }

    static ControlSocketServer open(Path socketPath, ControlHandler handler, Duration requestTimeout)
            throws IOException {
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(handler, "handler");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("request timeout (" + requestTimeout + ") must be positive");
        }
        Path path = socketPath.toAbsolutePath();
        removeStaleSocket(path);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path));
            // Sockets are created 0777 less the umask; clients need write permission to
            // connect, so narrowing right after bind leaves no one else a usable window
            // under the usual umask 022.
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot open control socket " + path + ": " + describe(e), e);
        }
        ControlSocketServer server = new ControlSocketServer(path, channel, handler, requestTimeout);
        server.acceptor.start();
        log.debug("control socket listening on {}", path);
        return server;
    }

    /** Where the socket file lives. */
    public Path socketPath() {
        return socketPath;
    }

    /** Stops accepting and removes the socket file; requests already read still get answered. */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            channel.close();
        } finally {
            timeouts.shutdownNow();
            Files.deleteIfExists(socketPath);
        }
    }

    private static void removeStaleSocket(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException("control socket path exists and is not a socket: " + path);
        }
        SocketChannel probe;
        try {
            probe = SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (java.net.ConnectException e) {
            log.info("removing stale control socket {}", path);
            Files.deleteIfExists(path);
            return;
        }
        probe.close();
        throw new IOException("control socket in use: " + path);
    }

    private void acceptLoop() {
        while (!closed.get()) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed.get()) {
                    return;
                }
                log.warn("control socket accept failed: {}", e.toString());
                continue;
            }
            if (!connectionSlots.tryAcquire()) {
                answerAndClose(client, ControlResponse.error(ControlCodes.FAILED,
                        "busy: more than " + MAX_CONCURRENT_CONNECTIONS + " control connections open"));
                continue;
            }
            Thread worker = daemon("control-connection").newThread(() -> {
                try {
                    serve(client);
                } finally {
                    connectionSlots.release();
                }
            });
            worker.start();
        }
    }

    /** Reads one request within the deadline, answers it, closes the connection. */
    private void serve(SocketChannel client) {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline;
        try {
            deadline = timeouts.schedule(() -> {
                timedOut.set(true);
                try {
                    client.shutdownInput();
                } catch (IOException ignored) {
                    // The connection is already gone; the reader sees that too.
                }
            }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            answerAndClose(client, ControlResponse.error(ControlCodes.FAILED, "shutting down"));
            return;
        }
        ControlResponse response;
        try {
            InputStream in = new BufferedInputStream(Channels.newInputStream(client), 512);
            ControlRequest request;
            try {
                request = new ControlRequestReader(in).read();
            } finally {
                deadline.cancel(false);
            }
            if (timedOut.get()) {
                response = timeoutResponse();
            } else {
                response = dispatch(request);
            }
        } catch (ControlRequestReader.BadRequestException e) {
            response = timedOut.get() ? timeoutResponse() : ControlResponse.error(ControlCodes.BAD_REQUEST, e.getMessage());
        } catch (IOException e) {
            response = timedOut.get()
                    ? timeoutResponse()
                    : ControlResponse.error(ControlCodes.BAD_REQUEST, "could not read request: " + describe(e));
        }
        answerAndClose(client, response);
    }

    private ControlResponse timeoutResponse() {
        return ControlResponse.error(ControlCodes.BAD_REQUEST, "request not complete within "
                + requestTimeout.toMillis() + " ms: expected a command line, argument lines, then an empty line");
    }

    private ControlResponse dispatch(ControlRequest request) {
        try {
            ControlResponse response = handler.handle(request.command(), request.arguments());
            if (response == null) {
                log.warn("control command {} gave no answer", request.command());
                return ControlResponse.error(ControlCodes.FAILED, request.command() + " failed: no answer");
            }
            return response;
        } catch (RuntimeException e) {
            log.warn("control command {} failed", request.command(), e);
            return ControlResponse.error(ControlCodes.FAILED, request.command() + " failed: " + describe(e));
        }
    }

    private static void answerAndClose(SocketChannel client, ControlResponse response) {
        try (client) {
            ByteBuffer bytes = ByteBuffer.wrap((response.toLine() + "\n").getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                client.write(bytes);
            }
        } catch (IOException e) {
            log.debug("control client left before its answer ({}): {}", response.toLine(), e.toString());
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
