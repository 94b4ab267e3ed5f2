package net.flexnbd.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import net.flexnbd.control.ControlSocketServer;
import net.flexnbd.control.StatusReport;
import net.flexnbd.migration.MirrorController;
import net.flexnbd.server.NbdServer;
import net.flexnbd.server.ServerSettings;
import net.flexnbd.server.StartupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running flexnbd process, put together: the serving side ({@link NbdServer}), the source
 * side of migrations ({@link MirrorController}) and the control socket that drives both. This
 * is the one place that knows all three; {@code server} and {@code migration} know nothing of
 * each other.
 */
public final class Server implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Server.class);

    public static final int EXIT_NO_CONTROL = NbdServer.EXIT_NO_CONTROL;
    public static final int EXIT_FATAL = NbdServer.EXIT_FATAL;

    private final NbdServer serving;
    private final MirrorController mirror;
    private ControlSocketServer control;
    private boolean released;

    private Server(NbdServer serving, ServerSettings settings) {
        this.serving = serving;
        this.mirror = new MirrorController(serving.file(), settings.migration(), new HandingOver(serving));
    }

    /**
     * Opens the file, binds, opens the control socket and starts serving (or listening).
     *
     * @throws StartupException with a one-line, user-facing message when it cannot
     */
    public static Server start(ServerSettings settings) throws StartupException {
        Server server = new Server(NbdServer.start(settings), settings);
        if (settings.controlSocket().isPresent()) {
            try {
                server.control = ControlSocketServer.open(settings.controlSocket().get(),
                        new ServerControl(server, server.mirror, server.serving.access(), settings.defaultDeny(),
                                settings.tls().certificates()));
            } catch (IOException e) {
                server.release();
                throw new StartupException("cannot open control socket " + settings.controlSocket().get()
                        + ": " + e.getMessage(), e);
            }
        }
        return server;
    }

    /** The names of the exports served beside the default one; a migration is refused while there are any. */
    public java.util.Set<String> namedExports() {
        return serving.namedExports();
    }

    public boolean hasControl() {
        return serving.hasControl();
    }

    /** The address clients are served on, once bound. */
    public Optional<InetSocketAddress> servingAddress() {
        return serving.servingAddress();
    }

    /** The address the migration listener is bound to ({@code listen} mode, before control). */
    public Optional<InetSocketAddress> migrationAddress() {
        return serving.migrationAddress();
    }

    StatusReport status() {
        StatusReport report = new StatusReport()
                .put("pid", ProcessHandle.current().pid())
                .put("size", serving.file().store().size())
                .put("is_mirroring", mirror.isMirroring());
        serving.describe(report::put);
        mirror.status().ifPresent(migration -> MirrorAnswers.describe(migration, report));
        mirror.handoverStage().ifPresent(stage -> report.put("handover", stage));
        if (serving.holdsEntrustedCopy()) {
            report.put("handover", "entrusted");
        }
        return report;
    }

    /** Blocks until the server has stopped; returns the process exit status. */
    public int awaitExit() throws InterruptedException {
        int status = serving.awaitExitStatus();
        release();
        return status;
    }

    /**
     * A signal asked us to stop: any migration not yet committed stops, in-flight requests
     * finish, data is flushed, then exit. Does nothing once the server has ended on its own.
     */
    public void shutdown() {
        serving.shutdown(mirror::stop);
    }

    /** Frees everything; safe to call more than once. */
    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        mirror.stop();
        if (control != null) {
            try {
                control.close();
            } catch (IOException e) {
                log.warn("cannot remove control socket: {}", e.toString());
            }
            control = null;
        }
        serving.release();
    }

    @Override
    public void close() {
        shutdown();
        release();
    }
}
