package net.flexnbd.hostile;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import net.flexnbd.protocol.Nbd;

/**
 * A TCP connection to an NBD server that sends whatever bytes a test gives it, with no
 * protocol sense of its own beyond an optional quick handshake, and deadlines on every read.
 */
final class RawClient implements AutoCloseable {
    /** Fixed new-style greeting: NBDMAGIC, IHAVEOPT, 16-bit handshake flags. */
    static final int NEWSTYLE_HELLO = 18;

    private final Socket socket;
    private final DataInputStream in;

    private RawClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
    }

    static RawClient connect(InetSocketAddress server, Duration timeout) throws IOException {
        return connect(server, null, timeout);
    }

    /** Connects from {@code bind} (null: any local address). */
    static RawClient connect(InetSocketAddress server, InetAddress bind, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) timeout.toMillis());
            if (bind != null) {
                socket.bind(new InetSocketAddress(bind, 0));
            }
            socket.connect(server, (int) timeout.toMillis());
            return new RawClient(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Reads the greeting, then NBD_OPT_EXPORT_NAME with NO_ZEROES: the connection is in transmission. */
    RawClient handshake() throws IOException {
        readFully(NEWSTYLE_HELLO);
        ByteBuffer options = ByteBuffer.allocate(4 + 16);
        options.putInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
        options.putLong(Nbd.IHAVEOPT).putInt(Nbd.OPT_EXPORT_NAME).putInt(0);
        send(options.array());
        readFully(8 + 2);
        return this;
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    byte[] readFully(int length) throws IOException {
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    DataInputStream input() {
        return in;
    }

    /** Half-closes our side (the server sees end of stream) and reads until the server closes; returns what it sent. */
    byte[] finish() throws IOException {
        try {
            socket.shutdownOutput();
        } catch (SocketException e) {
            return new byte[0]; // the server already closed and reset us
        }
        return drain();
    }

    /** Everything the server sends until it closes (or resets) the connection. */
    byte[] drain() throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        InputStream stream = socket.getInputStream();
        try {
            for (int n; (n = stream.read(buffer)) >= 0; ) {
                seen.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // reset by the server: closed all the same
        }
        return seen.toByteArray();
    }

    /** Whether the server closed the connection within {@code timeout} (everything it sends meanwhile is skipped). */
    boolean closedByServerWithin(Duration timeout) throws IOException {
        int previous = socket.getSoTimeout();
        socket.setSoTimeout((int) timeout.toMillis());
        try {
            drain();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previous);
            }
        }
    }

    /** Closes with a reset (SO_LINGER 0) rather than a FIN, as a crashed client's kernel may. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** A request header: magic, flags, type, cookie, offset, length. */
    static byte[] request(int magic, int flags, int type, long cookie, long offset, long length) {
        return ByteBuffer.allocate(Nbd.REQUEST_HEADER_LENGTH).putInt(magic).putShort((short) flags).putShort((short) type)
                .putLong(cookie).putLong(offset).putInt((int) length).array();
    }
}
