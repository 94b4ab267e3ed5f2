package net.flexnbd.server;

import io.netty.channel.socket.SocketChannel;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.export.RequestGate;
import net.flexnbd.export.ServedFile;
import net.flexnbd.export.StorageExecutor;
import net.flexnbd.protocol.HandoverState;
import net.flexnbd.protocol.HandoverTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sender's connection to a destination, from hello to handover or loss: it answers the
 * sender's token, zeroes the file before a fresh attempt's first request, and takes control
 * when DISCONNECT follows a successful ENTRUST.
 */
final class ReceivingAttempt implements HandoverListener, HandoverTokens {
    private static final Logger log = LoggerFactory.getLogger(ReceivingAttempt.class);

    private final SocketChannel channel;
    private final ServedFile file;
    private final EntrustedCopy copy;
    private final ControlState control;
    private final Supplier<CompletionStage<Void>> takeControl;
    private final Consumer<String> fatal;
    /** The sender's token from the handshake, 0 if it offered none; guarded by this. */
    private long offeredToken;
    /** The link takes over an entrusted copy under the offered token; guarded by this. */
    private boolean resumes;
    /** A fresh attempt's file has been zeroed; guarded by this. */
    private boolean zeroed;
    private RequestGate gate;

    ReceivingAttempt(SocketChannel channel, ServedFile file, EntrustedCopy copy, ControlState control,
            Supplier<CompletionStage<Void>> takeControl, Consumer<String> fatal) {
        this.channel = channel;
        this.file = file;
        this.copy = copy;
        this.control = control;
        this.takeControl = takeControl;
        this.fatal = fatal;
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public Optional<HandoverState> offered(long token) {
        boolean resuming;
        synchronized (this) {
            offeredToken = token;
            resumes = copy.heldFor(token);
            resuming = resumes;
        }
        if (resuming) {
            log.info("sender {} presents the token of the entrusted copy; the handover resumes at DISCONNECT",
                    channel.remoteAddress());
            return Optional.of(HandoverState.HOLDING);
        }
        return Optional.of(HandoverState.FRESH);
    }

    @Override
    public synchronized boolean resumesEntrusted() {
        return resumes;
    }

    /** The link's gate: requests wait until the file is zeroed for this attempt. Event loop only. */
    RequestGate gate() {
        if (gate == null) {
            // Zeroing is a store call: it runs on the storage executor, never on the event loop.
            gate = RequestGate.heldUntilFirstRequest(() -> file.storage()
                    .submit(StorageExecutor.Kind.WRITE, this::startFresh)
                    .whenComplete((ready, failure) -> {
                        if (failure == null && ready) {
                            gate.resume();
                        } else {
                            channel.close();
                        }
                    }));
        }
        return gate;
    }

    /** Zeroes the file once for a fresh attempt; a resuming one keeps the entrusted copy. */
    private synchronized boolean startFresh() {
        if (zeroed || resumes) {
            return true;
        }
        zeroed = copy.zeroFor(channel.remoteAddress());
        return zeroed;
    }

    @Override
    public void entrusted(long token) throws IOException {
        long offered;
        synchronized (this) {
            if (resumes) {
                throw new IOException("ENTRUST on a link that resumes an entrusted copy; only DISCONNECT is expected");
            }
            if (token != offeredToken) {
                throw new IOException("ENTRUST carries token " + Long.toHexString(token) + ", the handshake offered "
                        + Long.toHexString(offeredToken));
            }
            offered = offeredToken;
        }
        if (!startFresh()) {
            throw new IOException("cannot zero " + file.path());
        }
        file.store().flush();
        copy.entrusted(offered);
        log.info("ENTRUST received from {}; data flushed, waiting for DISCONNECT", channel.remoteAddress());
        ServerEvents.emit("entrust_received", "peer", channel.remoteAddress());
    }

    @Override
    public Optional<CompletionStage<Void>> disconnectedAfterEntrust() {
        long offered;
        synchronized (this) {
            offered = offeredToken;
        }
        CompletionStage<Void> tried = CompletableFuture.completedFuture(null);
        if (control.startTaking()) {
            copy.controlTaken(offered);
            log.info("DISCONNECT after ENTRUST: migration complete, taking control");
            ServerEvents.emit("control_taken", "peer", channel.remoteAddress());
            tried = takeControl.get();
        }
        return offered != 0 ? Optional.of(tried) : Optional.empty();
    }

    @Override
    public void localFailure(String what) {
        fatal.accept(what);
    }

    @Override
    public void abandoned(String reason) {
        long offered;
        synchronized (this) {
            offered = offeredToken;
        }
        boolean keeping = copy.heldFor(offered);
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
