package net.flexnbd.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A connection to a control socket that sends any bytes at all (no framing), then reads the
 * one answer line, with a deadline on everything. If the server answers and closes before it
 * has read all it was sent, sending stops and the answer is read all the same.
 */
final class RawControl implements AutoCloseable {
    private final SocketChannel channel;
    private final Selector selector;
    private final long deadline;

    private RawControl(SocketChannel channel, Selector selector, long deadline) {
        this.channel = channel;
        this.selector = selector;
        this.deadline = deadline;
    }

    static RawControl open(Path socket, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            return new RawControl(channel, Selector.open(), System.nanoTime() + timeout.toNanos());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Sends {@code bytes}, then the answer line; see {@link #answer()}. */
    static String exchange(Path socket, byte[] bytes, Duration timeout) throws IOException {
        try (RawControl control = open(socket, timeout)) {
            control.send(bytes);
            control.endOfRequest();
            return control.answer();
        }
    }

    /** Sends as much of {@code bytes} as the server takes before it closes; false if it stopped taking them. */
    boolean send(byte[] bytes) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(bytes);
        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
        try {
            while (data.hasRemaining()) {
                await();
                try {
                    channel.write(data);
                } catch (IOException e) {
                    return false; // the server answered and closed: broken pipe or reset
                }
            }
            return true;
        } finally {
            key.interestOps(0);
        }
    }

    /** Half-closes our side: the server sees the end of the request stream. */
    void endOfRequest() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            // already closed by the server
        }
    }

    /** The first line the server sent (without the newline), or all it sent if it closed before a newline. */
    String answer() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        channel.register(selector, SelectionKey.OP_READ);
        while (true) {
            await();
            buffer.clear();
            int n;
            try {
                n = channel.read(buffer);
            } catch (IOException e) {
                n = -1;
            }
            if (n < 0) {
                return line.toString(StandardCharsets.UTF_8);
            }
            for (int i = 0; i < n; i++) {
                if (buffer.get(i) == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(buffer.get(i));
            }
        }
    }

    private void await() throws IOException {
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new java.net.SocketTimeoutException("control socket did not answer in time");
            }
            if (selector.select(left) > 0) {
                selector.selectedKeys().clear();
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
        channel.close();
    }
}
