package net.flexnbd.it;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import net.flexnbd.protocol.Nbd;

/**
 * A bare TCP connection to an NBD server, for what well-behaved clients never do: read the
 * first bytes a refused client gets, or send a request and then stall halfway through it.
 */
final class RawNbdConnection implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    private RawNbdConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** Connects from {@code bind} (port 0) to {@code server}, without any handshake. */
    static RawNbdConnection connect(InetSocketAddress server, InetAddress bind) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.bind(new InetSocketAddress(bind, 0));
            socket.connect(server, (int) TIMEOUT.toMillis());
            return new RawNbdConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Connects from 127.0.0.1 and negotiates with fixed newstyle NBD_OPT_EXPORT_NAME. */
    static RawNbdConnection negotiated(InetSocketAddress server) throws IOException {
        RawNbdConnection connection = connect(server, InetAddress.getByName("127.0.0.1"));
        try {
            connection.exportName();
            return connection;
        } catch (IOException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private void exportName() throws IOException {
        expect("NBDMAGIC", in.readLong(), Nbd.INIT_PASSWD);
        expect("IHAVEOPT", in.readLong(), Nbd.IHAVEOPT);
        int serverFlags = in.readUnsignedShort();
        if ((serverFlags & Nbd.FLAG_FIXED_NEWSTYLE) == 0) {
            throw new IOException("server flags 0x" + Integer.toHexString(serverFlags) + " lack fixed newstyle");
        }
        out.writeInt(Nbd.FLAG_C_FIXED_NEWSTYLE | Nbd.FLAG_C_NO_ZEROES);
        out.writeLong(Nbd.IHAVEOPT);
        out.writeInt(Nbd.OPT_EXPORT_NAME);
        out.writeInt(0);
        out.flush();
        in.readLong(); // export size
        in.readUnsignedShort(); // transmission flags
    }

    /**
     * Reads until the server closes the connection (or resets it) and returns how many
     * bytes came first; fails if the server neither closes nor sends within the timeout.
     */
    int bytesUntilClosed() throws IOException {
        InputStream stream = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        int total = 0;
        try {
            for (int n; (n = stream.read(buffer)) >= 0; ) {
                total += n;
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("connection still open after " + TIMEOUT + " (" + total + " bytes read)", e);
        } catch (SocketException e) {
            // A reset closes the connection as surely as a FIN does.
        }
        return total;
    }

    /** Sends a request header; for a WRITE, its data is expected to follow. */
    void sendHeader(int type, long cookie, long offset, int length) throws IOException {
        out.writeInt(Nbd.REQUEST_MAGIC);
        out.writeShort(0);
        out.writeShort(type);
        out.writeLong(cookie);
        out.writeLong(offset);
        out.writeInt(length);
        out.flush();
    }

    void sendBytes(byte[] data) throws IOException {
        out.write(data);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private static void expect(String what, long got, long expected) throws IOException {
        if (got != expected) {
            throw new IOException(String.format("%s: got 0x%x, expected 0x%x", what, got, expected));
        }
    }
}
