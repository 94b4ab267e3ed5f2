package net.flexnbd.server;

import java.net.InetSocketAddress;
import io.netty.channel.socket.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.MigrationTuning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination's last step: DISCONNECT followed ENTRUST, so this server is in control
 * ({@code has_control}) and serves once its bind succeeds. It runs on the link's event loop,
 * so nothing here waits. On the migration listener's own address it serves on that listener
 * at once; elsewhere, freeing the migration listener (when a wildcard overlaps the serving
 * address), the bind and its retries are chained futures.
 */
final class ControlTakeover {
    private static final Logger log = LoggerFactory.getLogger(ControlTakeover.class);

    private final ServerSettings settings;
    private final ServerListeners listeners;
    private final Supplier<Consumer<SocketChannel>> clientsPipeline;
    private final ControlState control;
    private final BooleanSupplier stopping;
    private final IntConsumer finish;

    /**
     * @param clientsPipeline fills the pipeline of each client connection
     * @param finish          ends the process with the given status
     */
    ControlTakeover(ServerSettings settings, ServerListeners listeners, Supplier<Consumer<SocketChannel>> clientsPipeline,
            ControlState control, BooleanSupplier stopping, IntConsumer finish) {
        this.settings = settings;
        this.listeners = listeners;
        this.clientsPipeline = clientsPipeline;
        this.control = control;
        this.stopping = stopping;
        this.finish = finish;
    }

    /**
     * Takes control. The returned future completes once the first bind has been tried (bound,
     * or retrying): the sender's confirmation waits for it, so that the clients it then lets
     * go of find the new server bound.
     *
     * @param senderLinkClosed completes once the sender's link has closed
     */
    CompletionStage<Void> take(CompletionStage<Void> senderLinkClosed) {
        if (settings.exitAfterMigration()) {
            // ENTRUST made the data durable before it was acknowledged: nothing is left to flush.
            // The exit waits for the link to close, so that the sender has its confirmation
            // (or, without a token, sent its DISC and let go) and never waits for a gone peer.
            log.info("migration of {} received; exiting instead of serving it", settings.file());
            senderLinkClosed.thenRun(() -> finish.accept(0));
            return CompletableFuture.completedFuture(null);
        }
        InetSocketAddress servingAddress = settings.servingAddress();
        Optional<NbdListener> same = listeners.serveOnMigrationListener(servingAddress, clientsPipeline.get());
        if (same.isPresent()) {
            serving(same.get());
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> firstTry = new CompletableFuture<>();
        MigrationTuning tuning = settings.migration();
        Duration queryWindow = tuning.linkTimeout().multipliedBy(2).plus(tuning.retryDelay());
        listeners.releaseMigration(servingAddress, queryWindow)
                .thenCompose(free -> new BindRetry(listeners.scheduler(), 1000).start(servingAddress, () -> {
                    CompletableFuture<NbdListener> attempt = listeners.bindClients(servingAddress, clientsPipeline.get());
                    attempt.whenComplete((bound, failure) -> firstTry.complete(null));
                    return attempt;
                }))
                .whenComplete((bound, failure) -> {
                    firstTry.complete(null);
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        log.error("cannot serve on {}: {}", Addresses.describe(servingAddress), cause.getMessage());
                        finish.accept(NbdServer.EXIT_FATAL);
                        return;
                    }
                    serving(bound);
                });
        return firstTry;
    }

    private void serving(NbdListener bound) {
        control.taken();
        log.info("in control: serving {} on {}", settings.file(), bound.localAddress());
        ServerEvents.emit("serving", "address", bound.localAddress());
        if (stopping.getAsBoolean()) {
            bound.close();
        }
    }
}
