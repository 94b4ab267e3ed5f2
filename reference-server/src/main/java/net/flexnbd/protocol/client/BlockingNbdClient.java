package net.flexnbd.protocol.client;

import io.netty.buffer.Unpooled;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.flexnbd.limits.KeepAlive;
import net.flexnbd.protocol.HandoverState;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Reply;
import net.flexnbd.tls.ClientTls;

/**
 * An NBD client over a plain blocking socket, for the migration sender, the command-line
 * read and write modes, and tests. The one-call methods ({@link #read}, {@link #write}, ...)
 * send a request and wait for its reply, so they must not be mixed with pipelined use
 * ({@link #sendWrite}, {@link #sendRequest}, {@link #awaitReply}). In pipelined use one
 * thread may send while another awaits replies: sending and receiving are locked apart.
 * An {@link NbdErrorException} leaves the connection usable; after any other
 * {@link IOException} (a timeout, say) the stream may be out of step: close the client.
 *
 * <p>Requests go out through the socket's channel with a gathering write of header and
 * data, so a WRITE from a direct buffer (the migration sender's) reaches the kernel without
 * a copy into a Java array; replies come in through the socket's stream, which honours the
 * read timeout. With TLS ({@link ClientTls}: NBD_OPT_STARTTLS first) both directions run
 * through the TLS socket instead, and a WRITE's data is copied once on its way into TLS.
 */
public final class BlockingNbdClient implements Closeable {
    private static final int STREAM_BUFFER = 64 * 1024;
    /** How much of a request is copied into TLS at a time: a whole 256 KiB migration chunk and its header. */
    private static final int TLS_STAGING = 256 * 1024 + Nbd.REQUEST_HEADER_LENGTH;
    /** Largest READ reply the client will hold in one array. */
    private static final long MAX_READ_REPLY = Integer.MAX_VALUE - 8;

    /** The TCP socket: closing it ends the connection, in clear or in TLS, whatever thread is blocked on it. */
    private final Socket socket;
    private final RequestSink sink;
    private final boolean tls;
    private final DataInputStream in;
    private final long exportSize;
    private final int transmissionFlags;
    private final Optional<HandoverState> handover;

    /** Cookie of every request awaiting a reply, mapped to the data length a successful reply carries. */
    private final Map<Long, Long> outstanding = new ConcurrentHashMap<>();
    private final AtomicLong nextCookie = new AtomicLong(1);
    private final Object sendLock = new Object();
    private final Object receiveLock = new Object();
    /** One request header, reused; guarded by sendLock. */
    private final ByteBuffer header = ByteBuffer.allocateDirect(Nbd.REQUEST_HEADER_LENGTH);

    private BlockingNbdClient(Socket socket, RequestSink sink, boolean tls, DataInputStream in,
            ClientHandshake.Negotiated negotiated) {
        this.socket = socket;
        this.sink = sink;
        this.tls = tls;
        this.in = in;
        this.exportSize = negotiated.exportSize();
        this.transmissionFlags = negotiated.transmissionFlags();
        this.handover = negotiated.handover();
    }

    /**
     * Connects, with TCP_NODELAY and keep-alive, and negotiates (old-style or new-style).
     *
     * @param bindAddress local address to connect from, if any
     * @param timeout     limit on connecting and on every later wait for the server
     */
    public static BlockingNbdClient connect(InetSocketAddress server, Optional<InetAddress> bindAddress,
                                           Duration timeout) throws IOException {
        return connect(server, bindAddress, timeout, OptionalLong.empty());
    }

    /**
     * As {@link #connect(InetSocketAddress, Optional, Duration)}, offering a migration's handover
     * token in the handshake; {@link #handover()} then says what the server holds for it.
     */
    public static BlockingNbdClient connect(InetSocketAddress server, Optional<InetAddress> bindAddress,
                                           Duration timeout, OptionalLong handoverToken) throws IOException {
        return connect(server, bindAddress, timeout, handoverToken, Optional.empty());
    }

    /**
     * As {@link #connect(InetSocketAddress, Optional, Duration, OptionalLong)}, with TLS when
     * {@code tls} is given: NBD_OPT_STARTTLS is the first option and the rest of the
     * connection runs inside TLS.
     *
     * @throws TlsNegotiationException when TLS was asked for and not had, or the server requires it and it was not asked for
     */
    public static BlockingNbdClient connect(InetSocketAddress server, Optional<InetAddress> bindAddress,
            Duration timeout, OptionalLong handoverToken, Optional<ClientTls> tls) throws IOException {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(handoverToken, "handoverToken");
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        SocketChannel channel = SocketChannel.open();
        Socket socket = channel.socket();
        try {
            socket.setTcpNoDelay(true);
            KeepAlive.DEFAULTS.applyTo(socket); // flexnbd's 30 s / 10 s / 3 probes
            socket.setSoTimeout(millis);
            if (bindAddress.isPresent()) {
                socket.bind(new InetSocketAddress(bindAddress.get(), 0));
            }
            socket.connect(server, millis);
            ClientHandshake.Streams clear = streams(socket);
            Socket[] secured = new Socket[1];
            ClientHandshake.Streams[] inside = new ClientHandshake.Streams[1];
            Optional<ClientHandshake.TlsStart> starting = tls.map(context -> () -> {
                secured[0] = context.start(socket, server);
                inside[0] = streams(secured[0]);
                return inside[0];
            });
            ClientHandshake.Negotiated negotiated = ClientHandshake.negotiate(clear, handoverToken, starting);
            if (secured[0] == null) {
                clear.out().flush();
                return new BlockingNbdClient(socket, RequestSink.of(channel), false, clear.in(), negotiated);
            }
            inside[0].out().flush();
            return new BlockingNbdClient(socket, RequestSink.of(secured[0].getOutputStream(), TLS_STAGING), true,
                    inside[0].in(), negotiated);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket, e);
            throw e;
        }
    }

    private static ClientHandshake.Streams streams(Socket socket) throws IOException {
        return new ClientHandshake.Streams(
                new DataInputStream(new BufferedInputStream(socket.getInputStream(), STREAM_BUFFER)),
                new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), STREAM_BUFFER)));
    }

    /** Whether the connection runs inside TLS. */
    public boolean tls() {
        return tls;
    }

    /** The export's size in bytes, as the handshake announced it. */
    public long exportSize() {
        return exportSize;
    }

    /** The 16-bit transmission flags the handshake announced. */
    public int transmissionFlags() {
        return transmissionFlags;
    }

    /**
     * What the server holds for the handover token offered at connect; empty when none was
     * offered or the server knows no tokens (an old-style hello, or NBD_REP_ERR_UNSUP).
     */
    public Optional<HandoverState> handover() {
        return handover;
    }

    public byte[] read(long offset, int length) throws IOException {
        if (length < 0) {
            throw new IllegalArgumentException("read length (" + length + ") must not be negative");
        }
        long cookie = sendRequest(Nbd.CMD_READ, 0, offset, length);
        Reply reply = awaitReplyTo(cookie, "READ offset=" + Long.toUnsignedString(offset) + " length=" + length);
        // awaitReply wraps an exactly sized array, so no copy is needed
        return length == 0 ? new byte[0] : reply.payload().array();
    }

    public void write(long offset, byte[] data, boolean fua) throws IOException {
        long cookie = sendWrite(offset, ByteBuffer.wrap(data), fua ? Nbd.CMD_FLAG_FUA : 0);
        awaitReplyTo(cookie, "WRITE offset=" + Long.toUnsignedString(offset) + " length=" + data.length);
    }

    public void flush() throws IOException {
        awaitReplyTo(sendRequest(Nbd.CMD_FLUSH, 0, 0, 0), "FLUSH");
    }

    public void trim(long offset, long length) throws IOException {
        awaitReplyTo(sendRequest(Nbd.CMD_TRIM, 0, offset, length),
                "TRIM offset=" + Long.toUnsignedString(offset) + " length=" + length);
    }

    public void writeZeroes(long offset, long length, boolean noHole) throws IOException {
        awaitReplyTo(sendRequest(Nbd.CMD_WRITE_ZEROES, noHole ? Nbd.CMD_FLAG_NO_HOLE : 0, offset, length),
                "WRITE_ZEROES offset=" + Long.toUnsignedString(offset) + " length=" + length);
    }

    /** Sends flexnbd's private ENTRUST command (migration only) and waits for its reply. */
    public void entrust() throws IOException {
        entrust(0);
    }

    /** ENTRUST carrying a handover token in its offset field (0: none, as for a destination that knows no tokens). */
    public void entrust(long token) throws IOException {
        awaitReplyTo(sendRequest(Nbd.CMD_ENTRUST, 0, token, 0), "ENTRUST");
    }

    /** Sends NBD_CMD_DISC, which has no reply, then closes the connection. */
    public void disconnect() throws IOException {
        try {
            sendRequest(Nbd.CMD_DISC, 0, 0, 0);
        } finally {
            close();
        }
    }

    /**
     * Sends NBD_CMD_DISC to a token-aware destination, which answers it once it has taken
     * control; {@link #awaitConfirmation} waits for that answer.
     *
     * @return the cookie the confirmation will carry
     */
    public long sendConfirmedDisconnect() throws IOException {
        long cookie = nextCookie.getAndIncrement();
        synchronized (sendLock) {
            outstanding.put(cookie, 0L);
            try {
                fillHeader(0, Nbd.CMD_DISC, cookie, 0, 0);
                sink.send(header, null);
            } catch (IOException | RuntimeException e) {
                outstanding.remove(cookie);
                throw e;
            }
        }
        return cookie;
    }

    /**
     * Waits (within the timeout) for the reply to the DISC sent by {@link #sendConfirmedDisconnect};
     * the connection is closed either way.
     *
     * @throws IOException when no confirmation came: the handover is not known to be done
     */
    public void awaitConfirmation(long cookie) throws IOException {
        try {
            awaitReplyTo(cookie, "DISC");
        } finally {
            close();
        }
    }

    /**
     * Sends NBD_CMD_DISC, which has no reply, and waits (within the timeout) for the server to
     * close the connection in order; the connection is closed either way.
     *
     * @return true if the server closed it, false on a reset, a timeout or anything else it sent
     */
    public boolean disconnectAndAwaitClose() {
        try {
            sendRequest(Nbd.CMD_DISC, 0, 0, 0);
            return in.read() < 0;
        } catch (IOException e) {
            return false;
        } finally {
            try {
                close();
            } catch (IOException e) {
                // closing is all that is left to do
            }
        }
    }

    /**
     * Sends a WRITE of {@code data}'s remaining bytes without waiting for the reply. The
     * buffer's position is left as it was.
     *
     * @return the cookie the reply will carry
     */
    public long sendWrite(long offset, ByteBuffer data, int flags) throws IOException {
        checkUnsigned16("flags", flags);
        ByteBuffer bytes = data.duplicate();
        long cookie = nextCookie.getAndIncrement();
        synchronized (sendLock) {
            outstanding.put(cookie, 0L);
            try {
                fillHeader(flags, Nbd.CMD_WRITE, cookie, offset, bytes.remaining());
                sink.send(header, bytes);
            } catch (IOException | RuntimeException e) {
                outstanding.remove(cookie);
                throw e;
            }
        }
        return cookie;
    }

    /**
     * Sends a request without payload, and without waiting for the reply. A READ's reply
     * will carry {@code length} bytes; NBD_CMD_DISC gets no reply at all.
     *
     * @param length unsigned 32 bits, 0..4294967295
     * @return the cookie the reply will carry
     */
    public long sendRequest(int type, int flags, long offset, long length) throws IOException {
        checkUnsigned16("type", type);
        checkUnsigned16("flags", flags);
        if (length < 0 || length > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("length (" + length + ") must be within 0..4294967295");
        }
        if (type == Nbd.CMD_WRITE && length != 0) {
            throw new IllegalArgumentException("a WRITE of " + length + " bytes carries data: use sendWrite");
        }
        long cookie = nextCookie.getAndIncrement();
        boolean expectsReply = type != Nbd.CMD_DISC;
        synchronized (sendLock) {
            if (expectsReply) {
                outstanding.put(cookie, type == Nbd.CMD_READ ? length : 0L);
            }
            try {
                fillHeader(flags, type, cookie, offset, length);
                sink.send(header, null);
            } catch (IOException | RuntimeException e) {
                outstanding.remove(cookie);
                throw e;
            }
        }
        return cookie;
    }

    /**
     * Waits for the next reply, whichever request it answers. A successful READ reply
     * carries its data; every other reply has an empty payload.
     *
     * @throws NbdProtocolException for a bad reply magic or a reply nobody asked for (the
     *                              connection is closed)
     */
    public Reply awaitReply() throws IOException {
        synchronized (receiveLock) {
            int magic = in.readInt();
            if (magic != Nbd.SIMPLE_REPLY_MAGIC) {
                throw broken(new NbdProtocolException(String.format(
                        "bad reply magic: got 0x%08x, expected 0x%08x", magic, Nbd.SIMPLE_REPLY_MAGIC)));
            }
            int error = in.readInt();
            long cookie = in.readLong();
            Long readLength = outstanding.remove(cookie);
            if (readLength == null) {
                throw broken(new NbdProtocolException("reply for cookie " + Long.toUnsignedString(cookie)
                        + ", which no request in flight carries"));
            }
            if (error != 0 || readLength == 0) {
                return new Reply(error, cookie, Unpooled.EMPTY_BUFFER);
            }
            if (readLength > MAX_READ_REPLY) {
                throw broken(new NbdProtocolException("successful reply to a READ of " + readLength
                        + " bytes, more than this client can hold (" + MAX_READ_REPLY + ")"));
            }
            byte[] data = new byte[(int) (long) readLength];
            in.readFully(data);
            return new Reply(0, cookie, Unpooled.wrappedBuffer(data));
        }
    }

    /** How many sent requests still await their reply. */
    public int inFlight() {
        return outstanding.size();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    @Override
    public String toString() {
        return "BlockingNbdClient[" + socket.getRemoteSocketAddress() + ", size=" + exportSize + "]";
    }

    private Reply awaitReplyTo(long cookie, String request) throws IOException {
        Reply reply = awaitReply();
        if (reply.cookie() != cookie) {
            throw broken(new NbdProtocolException("reply for cookie " + Long.toUnsignedString(reply.cookie())
                    + " while waiting for " + request + " (cookie " + cookie
                    + "): blocking calls must not be mixed with pipelined ones"));
        }
        if (reply.error() != 0) {
            throw new NbdErrorException(reply.error(), request);
        }
        return reply;
    }

    /** Fills {@link #header} with a request header, ready to send; the caller holds sendLock. */
    private void fillHeader(int flags, int type, long cookie, long offset, long length) {
        header.clear()
                .putInt(Nbd.REQUEST_MAGIC)
                .putShort((short) flags)
                .putShort((short) type)
                .putLong(cookie)
                .putLong(offset)
                .putInt((int) length)
                .flip();
    }

    private NbdProtocolException broken(NbdProtocolException problem) {
        closeQuietly(socket, problem);
        return problem;
    }

    private static void checkUnsigned16(String name, int value) {
        if (value < 0 || value > 0xFFFF) {
            throw new IllegalArgumentException(name + " (" + value + ") must be within 0..65535");
        }
    }

    private static void closeQuietly(Socket socket, Exception cause) {
        try {
            socket.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
