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
import net.flexnbd.protocol.client.ClientHandshake;

/**
 * Opens connections to the upstream: connects (from the bind address, if any) and negotiates
 * with the project's blocking {@link ClientHandshake} (either hello), on a thread of its own,
 * then hands over the still-open channel, in non-blocking mode, for Netty to adopt. The
 * handshake is a few small messages once per connection, so blocking there costs nothing
 * and spares a second, non-blocking handshake implementation.
 */
final class UpstreamConnector {
    /** A negotiated connection, ready for the transmission phase. */
    record Connected(SocketChannel channel, UpstreamDisk disk) {}

    private final InetSocketAddress upstream;
    private final Optional<InetAddress> bind;
    private final Duration timeout;
    private final Executor blocking;

    UpstreamConnector(InetSocketAddress upstream, Optional<InetAddress> bind, Duration timeout, Executor blocking) {
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

    /** Connects and negotiates on the calling thread. */
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
            ClientHandshake.Negotiated negotiated = ClientHandshake.negotiate(in, out);
            out.flush();
            socket.setSoTimeout(0);
            channel.configureBlocking(false);
            return new Connected(channel, new UpstreamDisk(negotiated.exportSize(), negotiated.transmissionFlags()));
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
