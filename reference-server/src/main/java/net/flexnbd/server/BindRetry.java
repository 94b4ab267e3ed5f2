package net.flexnbd.server;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.flexnbd.events.ServerEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the serving address after a migration arrived, retrying once a second while the
 * failure may clear up (address in use, address not yet present). Each distinct error is
 * logged once, not every second. Any other failure ends the attempt with that error.
 */
final class BindRetry {
    private static final Logger log = LoggerFactory.getLogger(BindRetry.class);

    /** Something that binds once: the future fails with the reason it could not. */
    @FunctionalInterface
    interface Binder<T> {
        CompletableFuture<T> bind();
    }

    private final ScheduledExecutorService scheduler;
    private final long periodMillis;

    BindRetry(ScheduledExecutorService scheduler, long periodMillis) {
        this.scheduler = scheduler;
        this.periodMillis = periodMillis;
    }

    <T> CompletableFuture<T> start(InetSocketAddress address, Binder<T> binder) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(address, binder, result, null);
        return result;
    }

    private <T> void attempt(InetSocketAddress address, Binder<T> binder, CompletableFuture<T> result, String lastError) {
        if (result.isDone()) {
            return;
        }
        binder.bind().whenComplete((bound, failure) -> {
            if (failure == null) {
                if (lastError != null) {
                    log.info("bound {} after retrying", address);
                    ServerEvents.emit("bound", "address", address);
                }
                result.complete(bound);
                return;
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (!mayClearUp(cause)) {
                result.completeExceptionally(cause);
                return;
            }
            String error = String.valueOf(cause.getMessage());
            if (!Objects.equals(error, lastError)) {
                log.warn("cannot bind {} yet ({}); retrying every {} ms", address, error, periodMillis);
                ServerEvents.emit("bind_retrying", "address", address, "error", error);
            }
            scheduler.schedule(() -> attempt(address, binder, result, error), periodMillis, TimeUnit.MILLISECONDS);
        });
    }

    /** Address in use or not (yet) assigned to this host: both can change while we wait. */
    static boolean mayClearUp(Throwable e) {
        // Netty's epoll transport reports bind errors as its own IOException, so go by errno text.
        if (!(e instanceof java.io.IOException)) {
            return false;
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("in use") || message.contains("cannot assign requested address");
    }
}
