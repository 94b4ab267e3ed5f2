package net.flexnbd.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.flexnbd.server.StartupException;
import org.slf4j.Logger;

/**
 * Runs a long-lived mode (a server or the proxy) until it ends or a shutdown signal stops it.
 * Signals are routed before it starts: one that arrives while it binds (its port may already
 * accept connections) is kept and acted on once it has started.
 */
final class UntilSignalled {
    /** Starts the mode; a one-line, user-facing message when it cannot. */
    @FunctionalInterface
    interface Start {
        CliEnvironment.RunningServer start() throws StartupException;
    }

    private UntilSignalled() {}

    /** @return the exit status: the mode's own, or 1 when it could not start or was interrupted */
    static int run(CliEnvironment env, Logger log, Start start, Consumer<String> failure) {
        AtomicReference<CliEnvironment.RunningServer> running = new AtomicReference<>();
        AtomicBoolean signalled = new AtomicBoolean();
        env.signals().onShutdownSignal(signal -> {
            log.info("{} received: shutting down", signal);
            signalled.set(true);
            CliEnvironment.RunningServer started = running.get();
            if (started != null) {
                started.shutdown();
            }
        });
        CliEnvironment.RunningServer started;
        try {
            started = start.start();
        } catch (StartupException e) {
            failure.accept(e.getMessage());
            return 1;
        }
        running.set(started);
        if (signalled.get()) {
            started.shutdown();
        }
        try {
            return started.awaitExit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.shutdown();
            return 1;
        }
    }
}
