package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.ServedFile;
import net.flexnbd.protocol.HandoverState;
import net.flexnbd.protocol.HandshakeStyle;
import net.flexnbd.protocol.ServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination of a migration: accepts one sender at a time ({@link ReceivingAttempt}),
 * and once control is taken answers only senders asking whether their handover went through.
 *
 * <p>An attempt that ends before ENTRUST is thrown away: the next fresh attempt starts from a
 * zeroed file, since this side cannot know which of an old attempt's writes are still
 * current. An attempt that ends after ENTRUST leaves an {@link EntrustedCopy}: it is kept,
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
    private final EntrustedCopy copy;
    private final AtomicReference<ReceivingAttempt> current = new AtomicReference<>();

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
        this.copy = new EntrustedCopy(file);
    }

    /** Fills the pipeline of each connection accepted on the migration listener. */
    Consumer<SocketChannel> pipeline() {
        return channel -> {
            if (controlTaken()) {
                // Only a sender asking whether its handover went through is answered now.
                ConnectionPipelines.handoverQuery(file, style, copy::afterControl).accept(channel);
                return;
            }
            ReceivingAttempt attempt = new ReceivingAttempt(channel, file, copy, control, takeControl, fatal);
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
    boolean holdsEntrustedCopy() {
        return copy.held() && !controlTaken();
    }

    /** What a server in control answers a sender's token: confirmed for the one it took control under. */
    Optional<HandoverState> afterControl(long token) {
        return copy.afterControl(token);
    }

    /**
     * Completes once the link of the sender now connected has closed (at once when none is):
     * after a handover, that is after the sender had its confirmation, or its plain DISC.
     */
    CompletionStage<Void> senderLinkClosed() {
        ReceivingAttempt attempt = current.get();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        if (attempt == null) {
            closed.complete(null);
        } else {
            attempt.channel().closeFuture().addListener(f -> closed.complete(null));
        }
        return closed;
    }
}
