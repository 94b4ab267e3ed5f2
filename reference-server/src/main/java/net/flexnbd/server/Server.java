package net.flexnbd.server;

import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import net.flexnbd.acl.Acl;
import net.flexnbd.control.ControlSocketServer;
import net.flexnbd.control.StatusReport;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.limits.PayloadBudget;
import net.flexnbd.limits.ServedFileLock;
import net.flexnbd.protocol.ServerTls;
import net.flexnbd.protocol.TlsMode;
import net.flexnbd.tls.TlsCertificates;
import net.flexnbd.tls.TlsSettings;
import net.flexnbd.migration.MirrorController;
import net.flexnbd.migration.MirrorRequest;
import net.flexnbd.migration.SourceHandover;
import net.flexnbd.storage.BlockStore;
import net.flexnbd.storage.EventLoopGuardStore;
import net.flexnbd.storage.FileBlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running flexnbd server: serving a file, or listening for a migration and then serving.
 * It owns the threads, listeners and control socket, and decides when the process ends and
 * with which status.
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);

    /** Exit status of a listener stopped before it received control. */
    public static final int EXIT_NO_CONTROL = 1;
    /** Exit status after a fatal local failure (failed rebind, failed local write). */
    public static final int EXIT_FATAL = 2;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

    private final ServerSettings settings;
    private final ServedFile file;
    private final AccessPolicy access;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final StorageExecutor storage;
    private final MirrorController mirror;
    private final PayloadBudget payloadBudget;
    private final ServerTls tls;
    private final ServedFileLock lock;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final ControlState controlState;
    private volatile NbdListener clients;
    private volatile NbdListener migrationListener;
    private volatile MigrationReceiver receiver;
    private volatile ControlSocketServer control;
    private boolean released;

    private Server(ServerSettings settings, BlockStore store, Acl acl, ServedFileLock lock, ServerTls tls) {
        this.settings = settings;
        this.tls = tls;
        this.lock = lock;
        this.payloadBudget = new PayloadBudget(settings.limits().maxPayloadMemory());
        this.access = new AccessPolicy(acl);
        this.boss = EventLoops.group("nbd-accept", 1);
        this.workers = EventLoops.group("nbd-io", Math.max(2, Runtime.getRuntime().availableProcessors()));
        this.storage = StorageExecutor.withThreads(StorageExecutor.configuredThreads());
        this.file = new ServedFile(settings.file(), store, storage, settings.export());
        this.controlState = new ControlState(settings.mode() == ServerSettings.Mode.SERVE
                ? ControlState.Phase.IN_CONTROL : ControlState.Phase.WAITING);
        this.mirror = new MirrorController(file, settings.migration(), new HandingOver());
    }

    /**
     * Opens the file, binds, opens the control socket and starts serving (or listening).
     *
     * @throws StartupException with a one-line, user-facing message when it cannot
     */
    public static Server start(ServerSettings settings) throws StartupException {
        Acl acl;
        try {
            acl = Acl.parse(settings.aclEntries(), settings.defaultDeny());
        } catch (IllegalArgumentException e) {
            throw new StartupException(e.getMessage(), e);
        }
        ServerTls tls = loadTls(settings.tls());
        ServedFileLock lock;
        try {
            lock = ServedFileLock.acquire(settings.file());
        } catch (ServedFileLock.HeldElsewhereException e) {
            throw new StartupException("cannot serve " + e.getMessage(), e);
        } catch (IOException e) {
            throw new StartupException("cannot lock " + settings.file() + ": " + e.getMessage(), e);
        }
        FileBlockStore store;
        try {
            store = FileBlockStore.open(settings.file());
        } catch (IOException e) {
            closeQuietly(lock);
            throw new StartupException("cannot open " + settings.file() + ": " + e.getMessage(), e);
        }
        Server server = new Server(settings, EventLoopGuardStore.ifConfigured(store), acl, lock, tls);
        try {
            server.open();
        } catch (StartupException e) {
            server.release();
            throw e;
        }
        return server;
    }

    private void open() throws StartupException {
        try {
            if (settings.mode() == ServerSettings.Mode.SERVE) {
                clients = awaitBound(bindClients(settings.bind()));
                log.info("serving {} ({} bytes) on {}", settings.file(), file.store().size(), clients.localAddress());
                ServerEvents.emit("serving", "address", clients.localAddress());
            } else {
                receiver = new MigrationReceiver(file, settings.handshake(), tls, settings.migration().linkTimeout(), controlState,
                        this::takeControl,
                        this::failFatally);
                migrationListener = awaitBound(NbdListener.bind(settings.bind(), boss, workers, access, settings.limits(),
                        receiver.pipeline()));
                log.info("listening for a migration of {} on {}", settings.file(), migrationListener.localAddress());
                ServerEvents.emit("listening", "address", migrationListener.localAddress());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while binding " + settings.bind());
        } catch (Exception e) {
            throw new StartupException("cannot listen on " + describe(settings.bind()) + ": " + e.getMessage(), e);
        }
        if (settings.controlSocket().isPresent()) {
            try {
                control = ControlSocketServer.open(settings.controlSocket().get(),
                        new ServerControl(this, mirror, access, settings.defaultDeny(),
                                settings.tls().certificates()));
            } catch (IOException e) {
                throw new StartupException("cannot open control socket " + settings.controlSocket().get()
                        + ": " + e.getMessage(), e);
            }
        }
    }

    /** Start-up only, on the thread that starts the server: waits for the bind. */
    private static NbdListener awaitBound(CompletableFuture<NbdListener> bound) throws Exception {
        try {
            return bound.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private CompletableFuture<NbdListener> bindClients(InetSocketAddress address) {
        Optional<Duration> killswitch = settings.killswitch() ? Optional.of(settings.requestTimeout()) : Optional.empty();
        MigrationReceiver received = receiver;
        return NbdListener.bind(address, boss, workers, access, settings.limits(), ConnectionPipelines.clients(file,
                settings.handshake(), killswitch,
                received == null ? net.flexnbd.protocol.HandoverTokens.NONE : received::afterControl,
                tls, settings.limits(), payloadBudget));
    }

    /**
     * DISCONNECT after ENTRUST arrived: in control from now on ({@code has_control}), serving
     * once the bind succeeds. Runs on the link's event loop, so nothing here waits: closing the
     * migration listener (when the serving address needs it), the bind and its retries are
     * chained futures. The returned future completes once the first bind has been tried (bound,
     * or retrying): the sender's confirmation waits for it, so that clients it then lets go of
     * find the new server bound.
     */
    private CompletableFuture<Void> takeControl() {
        if (settings.exitAfterMigration()) {
            // ENTRUST made the data durable before it was acknowledged: nothing is left to flush.
            // The exit waits for the link to close, so that the sender has its confirmation
            // (or, without a token, sent its DISC and let go) and never waits for a gone peer.
            log.info("migration of {} received; exiting instead of serving it", settings.file());
            receiver.senderLinkClosed().thenRun(() -> finish(0));
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> firstTry = new CompletableFuture<>();
        InetSocketAddress servingAddress = settings.servingAddress();
        releaseMigrationListener(servingAddress)
                .thenCompose(free -> new BindRetry(workers.next(), 1000).start(servingAddress, () -> {
                    CompletableFuture<NbdListener> attempt = bindClients(servingAddress);
                    attempt.whenComplete((bound, failure) -> firstTry.complete(null));
                    return attempt;
                }))
                .whenComplete((bound, failure) -> {
                    firstTry.complete(null);
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        log.error("cannot serve on {}: {}", describe(servingAddress), cause.getMessage());
                        finish(EXIT_FATAL);
                        return;
                    }
                    clients = bound;
                    controlState.taken();
                    log.info("in control: serving {} on {}", settings.file(), bound.localAddress());
                    ServerEvents.emit("serving", "address", bound.localAddress());
                    if (stopping.get()) {
                        bound.close();
                    }
                });
        return firstTry;
    }

    /**
     * The migration listener stays open for a while to answer a sender that lost the reply to
     * its DISCONNECT and asks again; it closes at once when clients are to be served on its
     * address (the serving listener answers that sender then).
     */
    private CompletableFuture<Void> releaseMigrationListener(InetSocketAddress servingAddress) {
        NbdListener listener = migrationListener;
        if (listener == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (sameEndpoint(listener.localAddress(), servingAddress)) {
            return listener.closeAsync();
        }
        MigrationTuning tuning = settings.migration();
        Duration window = tuning.linkTimeout().multipliedBy(2).plus(tuning.retryDelay());
        workers.next().schedule(listener::closeAsync, window.toMillis(), TimeUnit.MILLISECONDS);
        return CompletableFuture.completedFuture(null);
    }

    private static boolean sameEndpoint(InetSocketAddress bound, InetSocketAddress wanted) {
        return bound.getPort() == wanted.getPort() && (bound.getAddress().equals(wanted.getAddress())
                || bound.getAddress().isAnyLocalAddress() || wanted.getAddress().isAnyLocalAddress());
    }

    /** A failure this process cannot repair: stop serving and exit non-zero. */
    private void failFatally(String what) {
        log.error("fatal: {}; exiting", what);
        closeListeners();
        file.gate().close();
        access.disconnectAll();
        finish(EXIT_FATAL);
    }

    /** The steps of a migration away from this server; see {@link SourceHandover}. */
    private final class HandingOver implements SourceHandover {
        @Override
        public void releaseAddress() {
            controlState.handingOver();
            NbdListener listener = clients;
            if (listener != null) {
                // On the migration thread: the port must be free before DISCONNECT goes out.
                try {
                    listener.closeAsync().get(5, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    log.warn("closing the listening socket before DISCONNECT: {}", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void dropClients() {
            file.gate().close();
            access.disconnectAll();
        }

        @Override
        public void completed(MirrorRequest.AfterHandover action) {
            controlState.handedOver();
            if (action != MirrorRequest.AfterHandover.NOTHING) {
                finish(0);
            }
        }
    }

    public boolean hasControl() {
        return controlState.hasControl();
    }

    /** The address clients are served on, once bound. */
    public Optional<InetSocketAddress> servingAddress() {
        NbdListener listener = clients;
        return listener == null ? Optional.empty() : Optional.of(listener.localAddress());
    }

    /** The address the migration listener is bound to ({@code listen} mode, before control). */
    public Optional<InetSocketAddress> migrationAddress() {
        NbdListener listener = migrationListener;
        return listener == null ? Optional.empty() : Optional.of(listener.localAddress());
    }

    StatusReport status() {
        StatusReport report = new StatusReport()
                .put("pid", ProcessHandle.current().pid())
                .put("size", file.store().size())
                .put("is_mirroring", mirror.isMirroring())
                .put("clients_allowed", controlState.serving() && !stopping.get() && file.gate().isOpen())
                .put("num_clients", access.connectedClients())
                .put("has_control", hasControl());
        mirror.status().ifPresent(migration -> MirrorAnswers.describe(migration, report));
        mirror.handoverStage().ifPresent(stage -> report.put("handover", stage));
        MigrationReceiver received = receiver;
        if (received != null && received.holdsEntrustedCopy()) {
            report.put("handover", "entrusted");
        }
        return report;
    }

    /** Blocks until the server has stopped; returns the process exit status. */
    public int awaitExit() throws InterruptedException {
        int status;
        try {
            status = exit.get();
        } catch (ExecutionException e) {
            status = EXIT_FATAL;
        }
        release();
        return status;
    }

    /**
     * A signal asked us to stop: in-flight requests finish, data is flushed, then exit.
     * Does nothing once the server has ended on its own.
     */
    public void shutdown() {
        if (exit.isDone() || !stopping.compareAndSet(false, true)) {
            return; // already stopping, or already ended (handed over, or failed): nothing left to drain
        }
        log.info("shutting down");
        mirror.stop();
        closeListeners();
        try {
            file.gate().close().get(DRAIN_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("{} requests still in flight after {}s; closing anyway", file.gate().inFlight(), DRAIN_LIMIT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("draining requests failed: {}", e.getCause().toString());
        }
        try {
            file.store().flush();
        } catch (IOException e) {
            log.error("flush at shutdown failed: {}", e.toString());
        }
        access.disconnectAll();
        boolean ownedItsFile = hasControl() || (settings.mode() == ServerSettings.Mode.SERVE
                && controlState.phase() != ControlState.Phase.HANDING_OVER);
        finish(ownedItsFile ? 0 : EXIT_NO_CONTROL);
    }

    private void finish(int status) {
        exit.complete(status);
    }

    private void closeListeners() {
        for (NbdListener listener : new NbdListener[] {clients, migrationListener}) {
            if (listener != null) {
                listener.close();
            }
        }
    }

    /** Frees everything; safe to call more than once. */
    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        mirror.stop();
        closeListeners();
        if (control != null) {
            try {
                control.close();
            } catch (IOException e) {
                log.warn("cannot remove control socket: {}", e.toString());
            }
            control = null;
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        storage.close();
        try {
            file.store().close();
        } catch (IOException e) {
            log.warn("closing {} failed: {}", settings.file(), e.toString());
        }
        closeQuietly(lock);
    }

    private static ServerTls loadTls(TlsSettings tls) throws StartupException {
        if (tls.mode() == TlsMode.OFF) {
            return ServerTls.OFF;
        }
        try {
            return ServerTls.of(tls.mode(), TlsCertificates.server(tls.certificates().orElseThrow(), tls.verifyPeer()));
        } catch (IOException e) {
            throw new StartupException("cannot start TLS: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(ServedFileLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("releasing the lock on the served file failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        shutdown();
        release();
    }

    private static String describe(InetSocketAddress address) {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
