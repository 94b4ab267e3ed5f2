package net.flexnbd.proxy;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import net.flexnbd.limits.KeepAlive;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.client.ClientHandshake;
import net.flexnbd.tls.ClientTls;

/**
 * Opens connections to the upstream: connects (from the bind address, if any) and negotiates
 * with the project's blocking {@link ClientHandshake} (either hello, and the reply extensions
 * the client took), on a thread of its own,
 * then hands over the still-open channel, in non-blocking mode, for Netty to adopt. The
 * handshake is a few small messages once per connection, so blocking there costs nothing
 * and spares a second, non-blocking handshake implementation.
 *
 * <p>With TLS ({@code --conn-tls}) only the part in clear runs here, up to the acknowledged
 * NBD_OPT_STARTTLS: a TLS session cannot move from a blocking socket to Netty, so the TLS
 * handshake and NBD_OPT_GO run in the channel's pipeline ({@link UpstreamGo}), and the disk
 * is known only then.
 */
final class UpstreamConnector {
    /**
     * A connection ready for the transmission phase, or, with {@code tls}, ready for TLS to
     * start (the disk then still unknown).
     */
    record Connected(SocketChannel channel, Optional<UpstreamDisk> disk, Optional<ClientTls> tls, Negotiation wanted) {}

    /** What the probe asks for, to learn what the proxy can offer its clients. */
    static final Negotiation EVERYTHING = new Negotiation(true, true);

    private final InetSocketAddress upstream;
    private final Optional<InetAddress> bind;
    private final Duration timeout;
    private final Executor blocking;
    private final Optional<ClientTls> tls;

    UpstreamConnector(InetSocketAddress upstream, Optional<InetAddress> bind, Duration timeout, Executor blocking) {
        this(upstream, bind, timeout, blocking, Optional.empty());
    }

    UpstreamConnector(InetSocketAddress upstream, Optional<InetAddress> bind, Duration timeout, Executor blocking,
            Optional<ClientTls> tls) {
        this.tls = tls;
        this.upstream = upstream;
        this.bind = bind;
        this.timeout = timeout;
        this.blocking = blocking;
    }

    InetSocketAddress upstream() {
        return upstream;
    }

    /** Connects on a thread of the blocking pool, asking the upstream for what {@code wanted} names. */
    CompletableFuture<Connected> connect(Negotiation wanted) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return connectNow(wanted);
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, blocking);
    }

    /**
     * One whole handshake on the calling thread (inside TLS when asked), to learn the disk and
     * whether the upstream has structured replies and base:allocation, then DISC: for the
     * proxy's start.
     */
    UpstreamDisk probeNow() throws IOException {
        SocketChannel channel = open();
        try (Socket socket = channel.socket()) {
            ClientHandshake.Streams clear = streams(socket);
            ClientHandshake.Streams[] inside = {clear};
            Optional<ClientHandshake.TlsStart> starting = tls.map(context -> () -> {
                inside[0] = streams(context.start(socket, upstream));
                return inside[0];
            });
            ClientHandshake.Negotiated negotiated = ClientHandshake.negotiate(clear, java.util.OptionalLong.empty(),
                    starting, EVERYTHING);
            DataOutputStream out = inside[0].out();
            out.writeInt(Nbd.REQUEST_MAGIC);
            out.writeShort(0);
            out.writeShort(Nbd.CMD_DISC);
            out.write(new byte[8 + 8 + 4]); // cookie, offset, length
            out.flush();
            return disk(negotiated);
        }
    }

    private static UpstreamDisk disk(ClientHandshake.Negotiated negotiated) {
        return new UpstreamDisk(negotiated.exportSize(), negotiated.transmissionFlags(),
                negotiated.structuredReplies(), negotiated.baseAllocationId());
    }

    /** A connected socket, blocking, with the connect and read timeout. */
    private SocketChannel open() throws IOException {
        int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        SocketChannel channel = SocketChannel.open();
        try {
            Socket socket = channel.socket();
            socket.setTcpNoDelay(true);
            KeepAlive.DEFAULTS.applyTo(socket);
            socket.setSoTimeout(millis);
            if (bind.isPresent()) {
                socket.bind(new InetSocketAddress(bind.get(), 0));
            }
            socket.connect(upstream, millis);
            return channel;
        } catch (IOException | RuntimeException e) {
            closeAfter(channel, e);
            throw e;
        }
    }

    /**
     * The server sends nothing after its part of the handshake until asked, so a buffered
     * reader cannot swallow transmission-phase bytes here.
     */
    private static ClientHandshake.Streams streams(Socket socket) throws IOException {
        return new ClientHandshake.Streams(new DataInputStream(new BufferedInputStream(socket.getInputStream(), 4096)),
                new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 512)));
    }

    private static void closeAfter(SocketChannel channel, Exception e) {
        try {
            channel.close();
        } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
        }
    }

    /**
     * Connects and negotiates on the calling thread (with TLS: up to the acknowledged
     * STARTTLS; {@link UpstreamGo} asks for {@code wanted} inside TLS).
     */
    Connected connectNow(Negotiation wanted) throws IOException {
        SocketChannel channel = open();
        try {
            ClientHandshake.Streams streams = streams(channel.socket());
            Optional<UpstreamDisk> disk = Optional.empty();
            if (tls.isPresent()) {
                ClientHandshake.negotiateUntilTls(streams.in(), streams.out());
            } else {
                disk = Optional.of(disk(ClientHandshake.negotiate(streams, java.util.OptionalLong.empty(),
                        Optional.empty(), wanted)));
            }
            streams.out().flush();
            channel.socket().setSoTimeout(0);
            channel.configureBlocking(false);
            return new Connected(channel, disk, tls, wanted);
        } catch (IOException | RuntimeException e) {
            closeAfter(channel, e);
            throw e;
        }
    }
}
