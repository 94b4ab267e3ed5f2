package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.RequestGate;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.HandoverState;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination of a migration: accepts one sender at a time, applies its writes, and
 * takes control only when DISCONNECT follows a successful ENTRUST.
 *
 * <p>An attempt that ends before ENTRUST is thrown away: the next fresh attempt starts from a
 * zeroed file, since this side cannot know which of an old attempt's writes are still
 * current. An attempt that ends after ENTRUST leaves an <em>entrusted copy</em>: it is kept,
 * with the sender's token, and a sender presenting that token finishes the handover with a
 * DISCONNECT alone. The file is zeroed only when a fresh attempt sends its first request, so
 * a connection that never gets that far does not destroy the entrusted copy.
 */
final class MigrationReceiver {
    private static final Logger log = LoggerFactory.getLogger(MigrationReceiver.class);

    private final ServedFile file;
    private final HandshakeStyle style;
    private final ServerTls tls;
    private final Duration idleTimeout;
    private final ControlState control;
    private final Supplier<CompletionStage<Void>> takeControl;
    private final Consumer<String> fatal;
    private final AtomicReference<Attempt> current = new AtomicReference<>();
    /** Token of the entrusted copy this file holds, 0 for none; guarded by this. */
    private long entrustedToken;
    /** Token under which control was taken, 0 before (or when the sender knew no tokens). */
    private volatile long controlToken;
    private int attemptsSeen;

    /**
     * @param takeControl run once, when DISCONNECT follows a successful ENTRUST, after
     *                    {@code control} has moved to {@link ControlState.Phase#TAKING}; completes
     *                    once the serving address has been tried (bound or retrying)
     */
    MigrationReceiver(ServedFile file, HandshakeStyle style, ServerTls tls, Duration idleTimeout, ControlState control,
            Supplier<CompletionStage<Void>> takeControl, Consumer<String> fatal) {
        this.file = file;
        this.style = style;
        this.tls = tls;
        this.idleTimeout = idleTimeout;
        this.control = control;
        this.takeControl = takeControl;
        this.fatal = fatal;
    }

    /** Fills the pipeline of each connection accepted on the migration listener. */
    Consumer<SocketChannel> pipeline() {
        return channel -> {
            if (controlTaken()) {
                // Only a sender asking whether its handover went through is answered now.
                ConnectionPipelines.handoverQuery(file, style, this::afterControl).accept(channel);
                return;
            }
            Attempt attempt = new Attempt(channel);
            if (!current.compareAndSet(null, attempt)) {
                log.warn("refusing migration sender {}: another sender is connected", channel.remoteAddress());
                ServerEvents.emit("sender_refused", "peer", channel.remoteAddress(), "reason", "another_sender");
                channel.close();
                return;
            }
            channel.closeFuture().addListener(f -> current.compareAndSet(attempt, null));
            log.info("migration sender connected from {}", channel.remoteAddress());
            ServerEvents.emit("sender_connected", "peer", channel.remoteAddress());
            channel.pipeline().addLast(new ReadTimeoutHandler(idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            ConnectionPipelines.migrationLink(file, style, attempt, () -> attempt, attempt::gate, tls).accept(channel);
        };
    }

    private boolean controlTaken() {
        return control.phase() != ControlState.Phase.WAITING;
    }

    /** True while this file holds an entrusted copy whose sender has not finished the handover. */
    synchronized boolean holdsEntrustedCopy() {
        return entrustedToken != 0 && !controlTaken();
    }

    /** What a server in control answers a sender's token: confirmed for the one it took control under. */
    Optional<HandoverState> afterControl(long token) {
        long taken = controlToken;
        return taken != 0 && token == taken ? Optional.of(HandoverState.CONFIRMED) : Optional.empty();
    }

    /**
     * Completes once the link of the sender now connected has closed (at once when none is):
     * after a handover, that is after the sender had its confirmation, or its plain DISC.
     */
    CompletionStage<Void> senderLinkClosed() {
        Attempt attempt = current.get();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        if (attempt == null) {
            closed.complete(null);
        } else {
            attempt.channel.closeFuture().addListener(f -> closed.complete(null));
        }
        return closed;
    }

    /** One sender's connection, from hello to handover or loss. */
    private final class Attempt implements HandoverListener, net.flexnbd.protocol.HandoverTokens {
        private final SocketChannel channel;
        /** The sender's token from the handshake, 0 if it offered none. */
        private long offeredToken;
        /** The link takes over an entrusted copy under the offered token. */
        private boolean resumes;
        /** A fresh attempt's file has been zeroed (guarded by the receiver). */
        private boolean zeroed;
        private RequestGate gate;

        Attempt(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public Optional<HandoverState> offered(long token) {
            synchronized (MigrationReceiver.this) {
                offeredToken = token;
                resumes = entrustedToken != 0 && token == entrustedToken;
            }
            if (resumes) {
                log.info("sender {} presents the token of the entrusted copy; the handover resumes at DISCONNECT",
                        channel.remoteAddress());
                return Optional.of(HandoverState.HOLDING);
            }
            return Optional.of(HandoverState.FRESH);
        }

        @Override
        public boolean resumesEntrusted() {
            synchronized (MigrationReceiver.this) {
                return resumes;
            }
        }

        /** The link's gate: requests wait until the file is zeroed for this attempt. */
        RequestGate gate() {
            if (gate == null) {
                // Zeroing is a store call: it runs on the storage executor, never on the event loop.
                gate = RequestGate.heldUntilFirstRequest(() -> file.storage()
                        .submit(StorageExecutor.Kind.WRITE, this::startFresh)
                        .whenComplete((zeroed, failure) -> {
                            if (failure == null && zeroed) {
                                gate.resume();
                            } else {
                                channel.close();
                            }
                        }));
            }
            return gate;
        }

        /**
         * Zeroes the file once for a fresh attempt, discarding any entrusted copy: the sender
         * skips its holes, and whatever an earlier attempt left here may be stale.
         */
        private boolean startFresh() {
            synchronized (MigrationReceiver.this) {
                if (zeroed || resumes) {
                    return true;
                }
                try {
                    file.store().trim(0, file.store().size(), false);
                } catch (IOException e) {
                    log.error("cannot zero {} for a new migration attempt: {}", file.path(), e.toString());
                    return false;
                }
                if (entrustedToken != 0) {
                    log.warn("a new migration attempt from {} discards the entrusted copy of an earlier sender",
                            channel.remoteAddress());
                } else if (attemptsSeen > 0) {
                    log.info("discarded the data of an earlier, unfinished migration attempt");
                }
                attemptsSeen++;
                entrustedToken = 0;
                zeroed = true;
                return true;
            }
        }

        @Override
        public void entrusted(long token) throws IOException {
            synchronized (MigrationReceiver.this) {
                if (resumes) {
                    throw new IOException("ENTRUST on a link that resumes an entrusted copy; only DISCONNECT is expected");
                }
                if (token != offeredToken) {
                    throw new IOException("ENTRUST carries token " + Long.toHexString(token) + ", the handshake offered "
                            + Long.toHexString(offeredToken));
                }
            }
            if (!startFresh()) {
                throw new IOException("cannot zero " + file.path());
            }
            file.store().flush();
            synchronized (MigrationReceiver.this) {
                entrustedToken = offeredToken;
            }
            log.info("ENTRUST received from {}; data flushed, waiting for DISCONNECT", channel.remoteAddress());
            ServerEvents.emit("entrust_received", "peer", channel.remoteAddress());
        }

        @Override
        public Optional<CompletionStage<Void>> disconnectedAfterEntrust() {
            CompletionStage<Void> tried = CompletableFuture.completedFuture(null);
            if (control.startTaking()) {
                synchronized (MigrationReceiver.this) {
                    controlToken = offeredToken;
                    entrustedToken = 0;
                }
                log.info("DISCONNECT after ENTRUST: migration complete, taking control");
                ServerEvents.emit("control_taken", "peer", channel.remoteAddress());
                tried = takeControl.get();
            }
            return offeredToken != 0 ? Optional.of(tried) : Optional.empty();
        }

        @Override
        public void localFailure(String what) {
            fatal.accept(what);
        }

        @Override
        public void abandoned(String reason) {
            boolean keeping;
            synchronized (MigrationReceiver.this) {
                keeping = entrustedToken != 0 && entrustedToken == offeredToken;
            }
            ServerEvents.emit("attempt_abandoned", "peer", channel.remoteAddress(), "reason", reason,
                    "entrusted_copy_kept", keeping);
            if (keeping) {
                log.warn("migration attempt from {} abandoned: {}; keeping the entrusted copy for the sender's token",
                        channel.remoteAddress(), reason);
            } else {
                log.warn("migration attempt from {} abandoned: {}; waiting for the sender to retry",
                        channel.remoteAddress(), reason);
            }
        }
    }
}
