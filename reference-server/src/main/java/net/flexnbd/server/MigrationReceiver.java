package net.flexnbd.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.HandshakeStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination of a migration: accepts one sender at a time, applies its writes, and
 * takes control only when DISCONNECT follows a successful ENTRUST. Any attempt that ends
 * otherwise is thrown away: each sender starts from a zeroed file, since this side cannot
 * know which of an old attempt's writes are still current.
 */
final class MigrationReceiver {
    private static final Logger log = LoggerFactory.getLogger(MigrationReceiver.class);

    private final ServedFile file;
    private final HandshakeStyle style;
    private final Duration idleTimeout;
    private final ControlState control;
    private final Runnable takeControl;
    private final Consumer<String> fatal;
    private final AtomicReference<Attempt> current = new AtomicReference<>();
    private int attemptsSeen;

    /**
     * @param takeControl run once, when DISCONNECT follows a successful ENTRUST, after
     *                    {@code control} has moved to {@link ControlState.Phase#TAKING}
     */
    MigrationReceiver(ServedFile file, HandshakeStyle style, Duration idleTimeout, ControlState control,
            Runnable takeControl, Consumer<String> fatal) {
        this.file = file;
        this.style = style;
        this.idleTimeout = idleTimeout;
        this.control = control;
        this.takeControl = takeControl;
        this.fatal = fatal;
    }

    /** Fills the pipeline of each connection accepted on the migration listener. */
    Consumer<SocketChannel> pipeline() {
        return channel -> {
            Attempt attempt = new Attempt(channel);
            boolean waiting = control.phase() == ControlState.Phase.WAITING;
            if (!waiting || !current.compareAndSet(null, attempt)) {
                log.warn("refusing migration sender {}: {}", channel.remoteAddress(),
                        waiting ? "another sender is connected" : "control already taken");
                ServerEvents.emit("sender_refused", "peer", channel.remoteAddress(),
                        "reason", waiting ? "another_sender" : "in_control");
                channel.close();
                return;
            }
            channel.closeFuture().addListener(f -> current.compareAndSet(attempt, null));
            channel.pipeline().addLast(new ReadTimeoutHandler(idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            channel.pipeline().addLast(new ZeroBeforeHello());
            ConnectionPipelines.migrationLink(file, style, () -> attempt).accept(channel);
        };
    }

    /**
     * Every attempt starts from a zeroed file: the sender skips its holes, and whatever an
     * earlier attempt (of this process or of one killed before it) left here may be stale.
     * Runs on a storage thread.
     */
    private synchronized void discardEarlierAttempt() throws IOException {
        file.store().trim(0, file.store().size(), false);
        if (attemptsSeen++ > 0) {
            log.info("discarded the data of an earlier, unfinished migration attempt");
        }
    }

    /**
     * Holds the hello back until the file is zeroed, which runs on the storage executor, not
     * on this connection's event loop: the sender hears nothing, and is not read, until then.
     * Sits behind the access list's gatekeeper, so a refused sender zeroes nothing.
     */
    private final class ZeroBeforeHello extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.channel().config().setAutoRead(false);
            file.storage().submit(StorageExecutor.Kind.WRITE, () -> {
                discardEarlierAttempt();
                return null;
            }).whenComplete((zeroed, failure) -> ctx.executor().execute(() -> {
                if (failure != null) {
                    log.error("cannot zero {} for a new migration attempt: {}", file.path(), failure.toString());
                    ctx.close();
                    return;
                }
                log.info("migration sender connected from {}", ctx.channel().remoteAddress());
                ServerEvents.emit("sender_connected", "peer", ctx.channel().remoteAddress());
                ctx.fireChannelActive();
                ctx.pipeline().remove(this);
                ctx.channel().config().setAutoRead(true);
            }));
        }
    }

    /** One sender's connection, from hello to handover or loss. */
    private final class Attempt implements HandoverListener {
        private final SocketChannel channel;

        Attempt(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void entrusted() throws IOException {
            file.store().flush();
            log.info("ENTRUST received from {}; data flushed, waiting for DISCONNECT", channel.remoteAddress());
            ServerEvents.emit("entrust_received", "peer", channel.remoteAddress());
        }

        @Override
        public void disconnectedAfterEntrust() {
            if (control.startTaking()) {
                log.info("DISCONNECT after ENTRUST: migration complete, taking control");
                ServerEvents.emit("control_taken", "peer", channel.remoteAddress());
                takeControl.run();
            }
        }

        @Override
        public void localFailure(String what) {
            fatal.accept(what);
        }

        @Override
        public void abandoned(String reason) {
            log.warn("migration attempt from {} abandoned: {}; waiting for the sender to retry",
                    channel.remoteAddress(), reason);
            ServerEvents.emit("attempt_abandoned", "peer", channel.remoteAddress(), "reason", reason);
        }
    }
}
