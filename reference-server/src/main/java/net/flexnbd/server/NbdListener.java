package net.flexnbd.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.flexnbd.limits.ClientLimit;
import net.flexnbd.limits.ConnectionLimits;
import net.flexnbd.limits.ReadPause;

/**
 * A bound TCP listener whose connections pass the connection limit and the access list,
 * then the handshake, then get whatever transmission handler the owner installs. Used for
 * clients and for the migration link alike; every connection has TCP keep-alive as the
 * limits say and a {@link ReadPause} at the head of its pipeline.
 */
final class NbdListener implements AutoCloseable {
    /** Largest single socket read. */
    static final int READ_LIMIT = 1 << 20;

    private final Channel serverChannel;
    /** Fills each accepted connection's pipeline after the gatekeeper; see {@link #serveWith}. */
    private final AtomicReference<Consumer<SocketChannel>> pipeline;

    private NbdListener(Channel serverChannel, AtomicReference<Consumer<SocketChannel>> pipeline) {
        this.serverChannel = serverChannel;
        this.pipeline = pipeline;
    }

    /**
     * Starts binding; the future completes with the listener, or with the bind failure
     * (address in use, not available) as it comes. Never waits, so any thread may call it.
     *
     * @param pipeline fills each accepted connection's pipeline after the gatekeeper
     */
    static CompletableFuture<NbdListener> bind(InetSocketAddress address, EventLoopGroup boss, EventLoopGroup workers,
            AccessPolicy access, ConnectionLimits limits, Consumer<SocketChannel> pipeline) {
        ClientLimit clientLimit = new ClientLimit(limits.maxClients());
        AtomicReference<Consumer<SocketChannel>> current = new AtomicReference<>(pipeline);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(EventLoops.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Reads of up to 1 MiB: large WRITEs (1 MiB from a migration sender, 256 KiB from
                // nbdcopy) then arrive in one or two buffers, not sixteen; at Netty's default 64 KiB
                // the socket reads and the pieces to join cost about twice the CPU.
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, READ_LIMIT))
                // Past 8 MiB of unsent replies a connection stops being read (see RequestDispatcher).
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 << 20, 8 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline()
                                .addLast(ReadPause.NAME, new ReadPause())
                                .addLast(ClientLimit.NAME, clientLimit)
                                .addLast("gatekeeper", access.gatekeeper());
                        current.get().accept(channel);
                    }
                });
        limits.keepAlive().applyToChildren(bootstrap);
        CompletableFuture<NbdListener> bound = new CompletableFuture<>();
        bootstrap.bind(address).addListener((ChannelFutureListener) future -> {
            if (future.isSuccess()) {
                bound.complete(new NbdListener(future.channel(), current));
            } else {
                bound.completeExceptionally(future.cause());
            }
        });
        return bound;
    }

    /**
     * Connections accepted from now on get {@code next}'s pipeline instead: a destination that
     * takes control on its migration listener's own address serves there without closing it
     * (no window in which the port is free, no bind that could fail).
     */
    void serveWith(Consumer<SocketChannel> next) {
        pipeline.set(next);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /**
     * Stops accepting; connections already accepted carry on. The future completes once the
     * port is free. Closing again does nothing, even once the event loops have ended.
     */
    CompletableFuture<Void> closeAsync() {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        if (!serverChannel.isOpen()) {
            closed.complete(null);
        } else {
            serverChannel.close().addListener(future -> closed.complete(null));
        }
        return closed;
    }

    @Override
    public void close() {
        closeAsync();
    }
}
