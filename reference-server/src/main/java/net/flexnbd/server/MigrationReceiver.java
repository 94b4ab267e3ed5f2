package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import net.flexnbd.protocol.HandshakeStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The destination of a migration: accepts one sender at a time, applies its writes, and
 * takes control only when DISCONNECT follows a successful ENTRUST. Any attempt that ends
 * otherwise is thrown away: every sender starts from a zeroed file, since this side cannot
 * know which of an old attempt's writes (this process's or a killed predecessor's) are still
 * current.
 */
final class MigrationReceiver {
    private static final Logger log = LoggerFactory.getLogger(MigrationReceiver.class);

    private final ServedFile file;
    private final HandshakeStyle style;
    private final Duration idleTimeout;
    private final Runnable takeControl;
    private final AtomicReference<Attempt> current = new AtomicReference<>();
    private final AtomicBoolean controlTaken = new AtomicBoolean();
    private boolean fileTouched;

    MigrationReceiver(ServedFile file, HandshakeStyle style, Duration idleTimeout, Runnable takeControl) {
        this.file = file;
        this.style = style;
        this.idleTimeout = idleTimeout;
        this.takeControl = takeControl;
    }

    /** Fills the pipeline of each connection accepted on the migration listener. */
    Consumer<SocketChannel> pipeline() {
        return channel -> {
            Attempt attempt = new Attempt(channel);
            if (controlTaken.get() || !current.compareAndSet(null, attempt)) {
                log.warn("refusing migration sender {}: {}", channel.remoteAddress(),
                        controlTaken.get() ? "control already taken" : "another sender is connected");
                channel.close();
                return;
            }
            channel.closeFuture().addListener(f -> current.compareAndSet(attempt, null));
            if (!discardEarlierAttempt()) {
                channel.close();
                return;
            }
            log.info("migration sender connected from {}", channel.remoteAddress());
            channel.pipeline().addLast(new ReadTimeoutHandler(idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            ConnectionPipelines.migrationLink(file, style, () -> attempt).accept(channel);
        };
    }

    boolean hasControl() {
        return controlTaken.get();
    }

    boolean senderConnected() {
        return current.get() != null;
    }

    /**
     * Zeroes the file before every sender, the first one too: the file may hold what an
     * earlier attempt sent, in this process or in one killed before it on the same file, and
     * the sender does not send the ranges that are holes on its side.
     */
    private synchronized boolean discardEarlierAttempt() {
        try {
            file.store().trim(0, file.store().size(), false);
            if (fileTouched) {
                log.info("discarded the data of an earlier, unfinished migration attempt");
            }
            fileTouched = true;
            return true;
        } catch (IOException e) {
            log.error("cannot discard an earlier migration attempt's data: {}", e.toString());
            return false;
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
        }

        @Override
        public void disconnectedAfterEntrust() {
            if (controlTaken.compareAndSet(false, true)) {
                log.info("DISCONNECT after ENTRUST: migration complete, taking control");
                takeControl.run();
            }
        }

        @Override
        public void abandoned(String reason) {
            log.warn("migration attempt from {} abandoned: {}; waiting for the sender to retry",
                    channel.remoteAddress(), reason);
        }
    }
}
