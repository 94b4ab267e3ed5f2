package net.flexnbd.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import net.flexnbd.control.ControlCommands;
import net.flexnbd.control.ControlResponse;
import net.flexnbd.control.ControlSocketServer;
import net.flexnbd.control.StatusReport;
import net.flexnbd.limits.KeepAlive;
import net.flexnbd.protocol.ExportDescription;
import net.flexnbd.protocol.Negotiation;
import net.flexnbd.protocol.ServerHandshake;
import net.flexnbd.protocol.ServerTls;
import net.flexnbd.protocol.TlsMode;
import net.flexnbd.server.StartupException;
import net.flexnbd.tls.ClientTls;
import net.flexnbd.tls.TlsCertificates;
import net.flexnbd.tls.TlsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running {@code flexnbd proxy}: learns the upstream's disk, then accepts clients (TCP or a
 * Unix socket), gives each the upstream's size and flags in the hello, and a
 * {@link ClientSession} with its own upstream connection. Owns the threads, the listener and
 * the control socket.
 */
public final class Proxy implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);
    /** Export name the proxy lists; any name is accepted. */
    static final String EXPORT_NAME = "";

    private final ProxySettings settings;
    private final UpstreamDisk disk;
    private final UpstreamConnector connector;
    private final ExecutorService blocking;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ProxyCounters counters = new ProxyCounters();
    private final ChannelGroup clients = new DefaultChannelGroup("proxy-clients", GlobalEventExecutor.INSTANCE);
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile Channel listener;
    private volatile ControlSocketServer control;
    private boolean released;

    /** STARTTLS for the clients. */
    private final ServerTls clientTls;

    private Proxy(ProxySettings settings, UpstreamDisk disk, UpstreamConnector connector, ExecutorService blocking,
            ServerTls clientTls) {
        this.settings = settings;
        this.clientTls = clientTls;
        this.disk = disk;
        this.connector = connector;
        this.blocking = blocking;
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("proxy-accept", true), NioIoHandler.newFactory());
        this.workers = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("proxy-io", true), NioIoHandler.newFactory());
    }

    /**
     * Reaches the upstream (retrying for {@link ProxySettings#startupWait()}), then listens.
     *
     * @throws StartupException with a one-line, user-facing message when it cannot
     */
    public static Proxy start(ProxySettings settings) throws StartupException {
        ServerTls clientTls = clientTls(settings.tls());
        Optional<ClientTls> upstreamTls = upstreamTls(settings.upstreamTls());
        ExecutorService blocking = Executors.newCachedThreadPool(new DefaultThreadFactory("proxy-connect", true));
        UpstreamConnector connector = new UpstreamConnector(settings.upstream(), settings.bind(),
                settings.replyTimeout(), blocking, upstreamTls);
        UpstreamDisk disk;
        try {
            disk = probe(connector, settings.startupWait());
        } catch (StartupException e) {
            blocking.shutdownNow();
            throw e;
        }
        Proxy proxy = new Proxy(settings, disk, connector, blocking, clientTls);
        try {
            proxy.open();
        } catch (StartupException e) {
            proxy.release();
            throw e;
        }
        return proxy;
    }

    private static ServerTls clientTls(TlsSettings tls) throws StartupException {
        if (tls.mode() == TlsMode.OFF) {
            return ServerTls.OFF;
        }
        try {
            return ServerTls.of(tls.mode(), TlsCertificates.server(tls.certificates().orElseThrow(), tls.verifyPeer()));
        } catch (IOException e) {
            throw new StartupException("cannot start TLS for clients: " + e.getMessage(), e);
        }
    }

    private static Optional<ClientTls> upstreamTls(Optional<Path> certificates) throws StartupException {
        if (certificates.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ClientTls.load(certificates.get()));
        } catch (IOException e) {
            throw new StartupException("cannot start TLS to the upstream (--conn-tls): " + e.getMessage(), e);
        }
    }

    /** One connection to learn the disk that every client will be served; it retries with the backoff. */
    private static UpstreamDisk probe(UpstreamConnector connector, Duration limit) throws StartupException {
        long deadline = System.nanoTime() + limit.toNanos();
        Backoff backoff = new Backoff();
        for (boolean logged = false; ; ) {
            try {
                return connector.probeNow();
            } catch (IOException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new StartupException("cannot reach upstream " + describe(connector.upstream())
                            + " within " + limit.toMillis() + " ms: " + e.getMessage(), e);
                }
                if (!logged) {
                    log.warn("cannot reach upstream {} yet ({}); retrying", describe(connector.upstream()), e.getMessage());
                    logged = true;
                }
                try {
                    Thread.sleep(Math.max(1, backoff.next().toMillis())); // a retry pause, not synchronisation
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new StartupException("interrupted while reaching upstream " + describe(connector.upstream()));
                }
            }
        }
    }

    private void open() throws StartupException {
        SocketAddress address = settings.listen();
        try {
            if (address instanceof UnixDomainSocketAddress unix) {
                removeStaleSocket(unix.getPath());
            }
            listener = bootstrap(address).bind(address).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while binding " + address);
        } catch (Exception e) {
            throw new StartupException("cannot listen on " + describe(address) + ": " + e.getMessage(), e);
        }
        log.info("proxying {} ({} bytes{}) for clients on {}", describe(settings.upstream()), disk.size(),
                disk.offersBaseAllocation() ? ", structured replies, base:allocation"
                        : disk.offersStructuredReplies() ? ", structured replies" : "",
                describe(listener.localAddress()));
        if (settings.controlSocket().isPresent()) {
            try {
                control = ControlSocketServer.open(settings.controlSocket().get(),
                        ControlCommands.of(Map.of("status", (command, arguments) -> ControlResponse.ok(status().toLine()))));
            } catch (IOException e) {
                throw new StartupException("cannot open control socket " + settings.controlSocket().get() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private ServerBootstrap bootstrap(SocketAddress address) {
        ExportDescription export = new ExportDescription(EXPORT_NAME, disk.size(), ExportFlags.forClients(disk.flags()));
        // What the upstream has, the proxy offers; what a client then takes, its upstream connections ask for.
        Negotiation offered = new Negotiation(disk.offersStructuredReplies(), disk.offersBaseAllocation());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(address instanceof UnixDomainSocketAddress ? NioServerDomainSocketChannel.class
                        : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(4096, 64 * 1024, 1 << 20))
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(2 << 20, 8 << 20))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        if (channel instanceof SocketChannel tcp) {
                            tcp.config().setTcpNoDelay(true);
                            KeepAlive.DEFAULTS.applyTo(tcp);
                        }
                        clients.add(channel);
                        channel.pipeline()
                                .addLast(ServerHandshake.offering(offered, export, settings.handshake(),
                                        (pipeline, negotiation) -> {
                                            pipeline.remove(HandshakeFailures.NAME);
                                            pipeline.addLast(new ClientSession(settings, connector, disk, negotiation,
                                                    counters));
                                        }).withTls(clientTls))
                                .addLast(HandshakeFailures.NAME, HandshakeFailures.INSTANCE);
                    }
                });
        if (address instanceof InetSocketAddress) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true);
        }
        return bootstrap;
    }

    /** Where clients connect (the port the system picked, for port 0). */
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    /** The upstream's export size, as learnt at start. */
    public long size() {
        return disk.size();
    }

    StatusReport status() {
        int connected = 0;
        long inFlight = 0;
        for (ClientSession session : counters.sessions) {
            connected += session.upstreamUp() ? 1 : 0;
            inFlight += session.inFlight();
        }
        int sessions = counters.sessions.size();
        return new StatusReport()
                .put("pid", ProcessHandle.current().pid())
                .put("upstream", describe(settings.upstream()))
                .put("size", disk.size())
                .put("num_clients", sessions)
                .put("upstream_state", connected == sessions ? "connected" : "reconnecting")
                .put("upstreams_connected", connected)
                .put("upstreams_down", sessions - connected)
                .put("reconnects", counters.reconnects.get())
                .put("upstream_losses", counters.upstreamLosses.get())
                .put("requests_in_flight", inFlight)
                .put("requests_expired", counters.requestsExpired.get())
                .put("wrong_disk_refusals", counters.wrongDisks.get())
                .put("queue_depth", settings.queueDepth());
    }

    /** The status answer as key/value pairs, for tests and embedders. */
    public Map<String, String> statusFields() {
        return status().fields();
    }

    /** Blocks until the proxy has stopped; returns the process exit status. */
    public int awaitExit() throws InterruptedException {
        int status;
        try {
            status = exit.get();
        } catch (ExecutionException e) {
            status = 1;
        }
        release();
        return status;
    }

    /** Stops accepting and closes every client (their requests in flight are not answered). */
    public void shutdown() {
        if (exit.isDone()) {
            return;
        }
        log.info("shutting down");
        Channel bound = listener;
        if (bound != null) {
            bound.close().awaitUninterruptibly();
        }
        clients.close().awaitUninterruptibly();
        exit.complete(0);
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        if (control != null) {
            try {
                control.close();
            } catch (IOException e) {
                log.warn("cannot remove control socket: {}", e.toString());
            }
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        blocking.shutdownNow();
        if (settings.listen() instanceof UnixDomainSocketAddress unix) {
            try {
                Files.deleteIfExists(unix.getPath());
            } catch (IOException e) {
                log.warn("cannot remove {}: {}", unix.getPath(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        shutdown();
        release();
    }

    /** A socket file left by a proxy that died; anything else at the path is not ours to remove. */
    private static void removeStaleSocket(Path path) throws IOException {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(path, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path)) {
                throw new IOException(path + " exists and is not a socket");
            }
            try (var probe = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(path))) {
                throw new IOException("a process already listens on " + path);
            } catch (java.net.ConnectException stale) {
                Files.delete(path);
            }
        }
    }

    static String describe(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        if (address instanceof UnixDomainSocketAddress unix) {
            return unix.getPath().toString();
        }
        return String.valueOf(address);
    }
}
