package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.ServedExports;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.limits.PayloadBudget;
import net.flexnbd.protocol.HandoverTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The serving side of one file: serving it, or listening for a migration and then serving.
 * It owns the threads and listeners, knows whether it is in control, and decides when the
 * process ends and with which status. Migrating away is not its job: the caller drives that
 * through {@link #releaseAddress()}, {@link #dropClients()} and {@link #handedOver(boolean)}.
 */
public final class NbdServer {
    private static final Logger log = LoggerFactory.getLogger(NbdServer.class);

    /** Exit status of a listener stopped before it received control. */
    public static final int EXIT_NO_CONTROL = 1;
    /** Exit status after a fatal local failure (failed rebind, failed local write). */
    public static final int EXIT_FATAL = 2;
    /** How long the migration thread waits for the client listener's port to be free. */
    private static final Duration RELEASE_LIMIT = Duration.ofSeconds(5);

    private final ServerSettings settings;
    private final OpenedFile opened;
    private final ServedFile file;
    /** {@link #file} as the default export, and the named exports beside it. */
    private final ServedExports exports;
    private final NamedExportFiles namedFiles;
    private final AccessPolicy access;
    private final StorageExecutor storage;
    private final PayloadBudget payloadBudget;
    private final ServerListeners listeners;
    private final ControlState control;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private volatile MigrationReceiver receiver;
    private boolean released;

    private NbdServer(ServerSettings settings, OpenedFile opened, NamedExportFiles namedFiles) {
        this.settings = settings;
        this.opened = opened;
        this.payloadBudget = new PayloadBudget(settings.limits().maxPayloadMemory());
        this.access = new AccessPolicy(opened.acl());
        this.listeners = new ServerListeners(access, settings.limits());
        this.storage = StorageExecutor.withThreads(StorageExecutor.configuredThreads());
        this.file = new ServedFile(settings.file(), opened.store(), storage, settings.export());
        this.namedFiles = namedFiles;
        this.exports = namedFiles.serve(file, storage, settings.export());
        this.control = new ControlState(settings.mode() == ServerSettings.Mode.SERVE
                ? ControlState.Phase.IN_CONTROL : ControlState.Phase.WAITING);
    }

    /**
     * Opens the file and binds: the client listener ({@code serve}) or the migration listener
     * ({@code listen}).
     *
     * @throws StartupException with a one-line, user-facing message when it cannot
     */
    public static NbdServer start(ServerSettings settings) throws StartupException {
        OpenedFile opened = OpenedFile.open(settings);
        NamedExportFiles namedFiles;
        try {
            namedFiles = NamedExportFiles.open(settings.namedExports());
        } catch (StartupException e) {
            opened.close();
            throw e;
        }
        NbdServer server = new NbdServer(settings, opened, namedFiles);
        try {
            server.bind();
        } catch (StartupException e) {
            server.release();
            throw e;
        }
        return server;
    }

    private void bind() throws StartupException {
        try {
            if (settings.mode() == ServerSettings.Mode.SERVE) {
                InetSocketAddress bound = awaitBound(listeners.bindClients(settings.bind(), clientsPipeline())).localAddress();
                log.info("serving {} ({} bytes) on {}", settings.file(), file.store().size(), bound);
                exports.named().forEach((name, named) -> log.info("serving {} ({} bytes) as export '{}'",
                        named.path(), named.store().size(), name));
                ServerEvents.emit("serving", "address", bound);
            } else {
                ControlTakeover takeover = new ControlTakeover(settings, listeners, this::clientsPipeline, control,
                        stopping::get, this::finish);
                receiver = new MigrationReceiver(file, settings.handshake(), opened.tls(), settings.migration().linkTimeout(),
                        control, () -> takeover.take(receiver.senderLinkClosed()), this::failFatally);
                InetSocketAddress bound = awaitBound(listeners.bindMigration(settings.bind(), receiver.pipeline()))
                        .localAddress();
                log.info("listening for a migration of {} on {}", settings.file(), bound);
                ServerEvents.emit("listening", "address", bound);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException("interrupted while binding " + settings.bind());
        } catch (Exception e) {
            throw new StartupException("cannot listen on " + Addresses.describe(settings.bind()) + ": " + e.getMessage(), e);
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

    private Consumer<SocketChannel> clientsPipeline() {
        Optional<Duration> killswitch = settings.killswitch() ? Optional.of(settings.requestTimeout()) : Optional.empty();
        MigrationReceiver received = receiver;
        return ConnectionPipelines.clients(exports, settings.handshake(), killswitch,
                received == null ? HandoverTokens.NONE : received::afterControl,
                opened.tls(), settings.limits(), payloadBudget);
    }

    /** A failure this process cannot repair: stop serving and exit non-zero. */
    private void failFatally(String what) {
        log.error("fatal: {}; exiting", what);
        listeners.closeAll();
        file.gate().close();
        access.disconnectAll();
        finish(EXIT_FATAL);
    }

    public ServedFile file() {
        return file;
    }

    /** The names of the exports served beside the default one, in the order given; empty for none. */
    public Set<String> namedExports() {
        return exports.named().keySet();
    }

    /** Who may connect; the control socket's {@code acl} replaces it. */
    public AccessPolicy access() {
        return access;
    }

    public boolean hasControl() {
        return control.hasControl();
    }

    /** The address clients are served on, once bound. */
    public Optional<InetSocketAddress> servingAddress() {
        return listeners.clientsAddress();
    }

    /** The address the migration listener is bound to ({@code listen} mode, before control). */
    public Optional<InetSocketAddress> migrationAddress() {
        return listeners.migrationAddress();
    }

    /** Adds this side's {@code status} fields: whether clients are served, how many, and control. */
    public void describe(BiConsumer<String, Object> field) {
        field.accept("clients_allowed", control.serving() && !stopping.get() && file.gate().isOpen());
        field.accept("num_clients", access.connectedClients());
        field.accept("has_control", hasControl());
    }

    /** True while this destination holds an entrusted copy whose sender has not finished the handover. */
    public boolean holdsEntrustedCopy() {
        MigrationReceiver received = receiver;
        return received != null && received.holdsEntrustedCopy();
    }

    /**
     * Migrating away, the ENTRUST reply is in: no longer in control, and the listening socket
     * is closed, so that the destination can bind the same address at once. Waits (on the
     * migration's thread) until the port is free.
     */
    public void releaseAddress() {
        control.handingOver();
        try {
            listeners.closeClients().get(RELEASE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("closing the listening socket before DISCONNECT: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Migrating away, DISCONNECT sent: every client connection closes; a held request gets no reply. */
    public void dropClients() {
        file.gate().close();
        access.disconnectAll();
    }

    /** Migrating away, the destination confirmed control; the process ends when {@code exit}. */
    public void handedOver(boolean exit) {
        control.handedOver();
        if (exit) {
            finish(0);
        }
    }

    /** Blocks until the server has stopped; returns the process exit status. Call {@link #release()} after. */
    public int awaitExitStatus() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            return EXIT_FATAL;
        }
    }

    /**
     * A signal asked us to stop: {@code first} runs, in-flight requests finish, data is
     * flushed, then exit. Does nothing once the server has ended on its own.
     */
    public void shutdown(Runnable first) {
        if (exit.isDone() || !stopping.compareAndSet(false, true)) {
            return; // already stopping, or already ended (handed over, or failed): nothing left to drain
        }
        log.info("shutting down");
        first.run();
        listeners.closeAll();
        Drain.finishRequestsAndFlush(exports.all());
        access.disconnectAll();
        boolean ownedItsFile = hasControl() || (settings.mode() == ServerSettings.Mode.SERVE
                && control.phase() != ControlState.Phase.HANDING_OVER);
        finish(ownedItsFile ? 0 : EXIT_NO_CONTROL);
    }

    private void finish(int status) {
        exit.complete(status);
    }

    /** Frees everything; safe to call more than once. */
    public synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        listeners.closeAll();
        listeners.shutdownThreads();
        storage.close();
        opened.close();
        namedFiles.close();
    }
}
