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
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.protocol.client.ClientHandshake;
import net.flexnbd.tls.ClientTls;

/**
 * Opens connections to the upstream: connects (from the bind address, if any) and negotiates
 * with the project's blocking {@link ClientHandshake} (either hello), on a thread of its own,
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
    record Connected(SocketChannel channel, Optional<UpstreamDisk> disk, Optional<ClientTls> tls) {}

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

    CompletableFuture<Connected> connect() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return connectNow();
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, blocking);
    }

    /**
     * One whole handshake on the calling thread (inside TLS when asked), to learn the disk,
     * then DISC: for the proxy's start.
     */
    UpstreamDisk probeNow() throws IOException {
        BlockingNbdClient client = BlockingNbdClient.connect(upstream, bind, timeout, java.util.OptionalLong.empty(), tls);
        UpstreamDisk disk = new UpstreamDisk(client.exportSize(), client.transmissionFlags());
        client.disconnect();
        return disk;
    }

    /** Connects and negotiates on the calling thread (with TLS: up to the acknowledged STARTTLS). */
    Connected connectNow() throws IOException {
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
            // The server sends nothing after its part of the handshake until asked, so a
            // buffered reader cannot swallow transmission-phase bytes here.
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 4096));
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream(), 512));
            Optional<UpstreamDisk> disk = Optional.empty();
            if (tls.isPresent()) {
                ClientHandshake.negotiateUntilTls(in, out);
            } else {
                ClientHandshake.Negotiated negotiated = ClientHandshake.negotiate(in, out);
                disk = Optional.of(new UpstreamDisk(negotiated.exportSize(), negotiated.transmissionFlags()));
            }
            out.flush();
            socket.setSoTimeout(0);
            channel.configureBlocking(false);
            return new Connected(channel, disk, tls);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }
}
