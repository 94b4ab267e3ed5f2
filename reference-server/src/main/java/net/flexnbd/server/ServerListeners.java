package net.flexnbd.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.flexnbd.limits.ConnectionLimits;

/**
 * A server's two listening sockets, the client listener and the migration listener, with the
 * event loops they run on. Binding and closing return futures and never wait, so any thread
 * (an event loop included) may call them.
 */
final class ServerListeners {
    private final EventLoopGroup boss = EventLoops.group("nbd-accept", 1);
    private final EventLoopGroup workers = EventLoops.group("nbd-io", Math.max(2, Runtime.getRuntime().availableProcessors()));
    private final AccessPolicy access;
    private final ConnectionLimits limits;
    private volatile NbdListener clients;
    private volatile NbdListener migration;

    ServerListeners(AccessPolicy access, ConnectionLimits limits) {
        this.access = access;
        this.limits = limits;
    }

    /** Binds the client listener; it is recorded as this server's once bound. */
    CompletableFuture<NbdListener> bindClients(InetSocketAddress address, Consumer<SocketChannel> pipeline) {
        return NbdListener.bind(address, boss, workers, access, limits, pipeline).thenApply(bound -> {
            clients = bound;
            return bound;
        });
    }

    CompletableFuture<NbdListener> bindMigration(InetSocketAddress address, Consumer<SocketChannel> pipeline) {
        return NbdListener.bind(address, boss, workers, access, limits, pipeline).thenApply(bound -> {
            migration = bound;
            return bound;
        });
    }

    Optional<InetSocketAddress> clientsAddress() {
        NbdListener listener = clients;
        return listener == null ? Optional.empty() : Optional.of(listener.localAddress());
    }

    Optional<InetSocketAddress> migrationAddress() {
        NbdListener listener = migration;
        return listener == null ? Optional.empty() : Optional.of(listener.localAddress());
    }

    /** Closes the client listener; completes once its port is free (at once when none is bound). */
    CompletableFuture<Void> closeClients() {
        NbdListener listener = clients;
        return listener == null ? CompletableFuture.completedFuture(null) : listener.closeAsync();
    }

    /**
     * After control was taken: the migration listener stays open for {@code window}, to answer
     * a sender that lost the reply to its DISCONNECT and asks again, unless clients are to be
     * served on its own address; then it closes at once (the serving listener answers that
     * sender instead). Completes once the serving address is free of it.
     */
    CompletableFuture<Void> releaseMigration(InetSocketAddress servingAddress, Duration window) {
        NbdListener listener = migration;
        if (listener == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (sameEndpoint(listener.localAddress(), servingAddress)) {
            return listener.closeAsync();
        }
        workers.next().schedule(listener::closeAsync, window.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * When clients are to be served on exactly the migration listener's address, that listener
     * serves them from now on ({@link NbdListener#serveWith}): nothing is closed or bound. Empty
     * when the addresses differ (or only match through a wildcard), or there is no migration
     * listener.
     */
    Optional<NbdListener> serveOnMigrationListener(InetSocketAddress servingAddress, Consumer<SocketChannel> pipeline) {
        NbdListener listener = migration;
        if (listener == null || !listener.localAddress().equals(servingAddress)) {
            return Optional.empty();
        }
        listener.serveWith(pipeline);
        clients = listener;
        migration = null;
        return Optional.of(listener);
    }

    /** A timer for retries: one of the I/O loops. */
    EventLoop scheduler() {
        return workers.next();
    }

    void closeAll() {
        for (NbdListener listener : new NbdListener[] {clients, migration}) {
            if (listener != null) {
                listener.close();
            }
        }
    }

    /** Last: once the listeners are closed, ends the event loops' threads. */
    void shutdownThreads() {
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static boolean sameEndpoint(InetSocketAddress bound, InetSocketAddress wanted) {
        return bound.getPort() == wanted.getPort() && (bound.getAddress().equals(wanted.getAddress())
                || bound.getAddress().isAnyLocalAddress() || wanted.getAddress().isAnyLocalAddress());
    }
}
