package net.flexnbd.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.flexnbd.app.Server;
import net.flexnbd.control.ControlClient;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.server.StartupException;

/**
 * The reference server in this JVM, serving a temporary file whose every 4-byte word holds
 * its own offset, on 127.0.0.1 port 0 with a control socket: the target of the hostile tests.
 */
final class ServerUnderTest implements AutoCloseable {
    static final int SIZE = 4 << 20;
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

    private final Path directory;
    private final Path file;
    private final Path socket;
    private final Server server;

    private ServerUnderTest(Path directory, Path file, Path socket, Server server) {
        this.directory = directory;
        this.file = file;
        this.socket = socket;
        this.server = server;
    }

    /** Serves a fresh file in {@code directory} to everyone. */
    static ServerUnderTest serve(Path directory) {
        return start(directory, "127.0.0.1", List.of(), false);
    }

    /** Serves a fresh file in {@code directory} on {@code address}, with this access list. */
    static ServerUnderTest start(Path directory, String address, List<String> acl, boolean defaultDeny) {
        try {
            Path file = Files.createTempFile(directory, "served-", ".img");
            writeOffsets(file, SIZE);
            Path socket = Files.createTempFile(directory, "ctl-", ".sock");
            Files.delete(socket);
            ServerSettings settings = new ServerSettings(ServerSettings.Mode.SERVE, new InetSocketAddress(address, 0), file,
                    Optional.of(socket), acl, defaultDeny, false, ServerSettings.DEFAULT_REQUEST_TIMEOUT,
                    HandshakeStyle.NEWSTYLE, Optional.empty());
            return new ServerUnderTest(directory, file, socket, Server.start(settings));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (StartupException e) {
            throw new IllegalStateException("server did not start: " + e.getMessage(), e);
        }
    }

    /** Writes {@code size} bytes whose every little-endian 4-byte word is its own offset. */
    static void writeOffsets(Path file, int size) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < size; at += 4) {
            data.putInt(at);
        }
        data.flip();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (data.hasRemaining()) {
                channel.write(data, data.position());
            }
        }
    }

    /** What the file held at first in {@code [offset, offset + length)}. */
    static byte[] original(long offset, int length) {
        ByteBuffer data = ByteBuffer.allocate(length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long at = offset; at < offset + length; at += 4) {
            data.putInt((int) at);
        }
        return data.array();
    }

    InetSocketAddress address() {
        return server.servingAddress().orElseThrow();
    }

    Server server() {
        return server;
    }

    Path file() {
        return file;
    }

    Path socket() {
        return socket;
    }

    Path directory() {
        return directory;
    }

    ControlResponse control(String command, String... arguments) throws IOException {
        return ControlClient.send(socket, command, List.of(arguments), CONTROL_TIMEOUT);
    }

    /** The status line as a map; fails unless status answers 0. */
    Map<String, String> status() throws IOException {
        ControlResponse response = control("status");
        if (!response.isSuccess()) {
            throw new IOException("status answered " + response.toLine());
        }
        Map<String, String> pairs = new HashMap<>();
        for (String pair : response.message().trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            pairs.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return pairs;
    }

    @Override
    public void close() {
        server.close();
    }
}
