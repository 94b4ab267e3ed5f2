package net.flexnbd.migration;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.migration.MirrorRequest.AfterHandover;
import net.flexnbd.protocol.client.BlockingNbdClient;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.ServedFile;
import net.flexnbd.storage.BlockStore;
import net.flexnbd.storage.DirtyMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code mirror} command, from the first connection to the handover, on its own
 * thread. Every failed attempt drops the link, re-admits client I/O and starts over from
 * the beginning after a short delay: the source cannot know what the destination kept.
 * Once ENTRUST has been answered the handover is committed and nothing can stop it.
 */
final class MirrorJob {
    private static final Logger log = LoggerFactory.getLogger(MirrorJob.class);
    private static final int DIRTY_BLOCK = 4096;

    private final ServedFile file;
    private final MirrorRequest request;
    private final MigrationTuning tuning;
    private final RateLimiter limiter;
    private final MigrationProgress progress;
    private final Consumer<AfterHandover> handedOver;
    private final CompletableFuture<MirrorOutcome> started = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final Thread thread;
    private final Object commitLock = new Object();
    private boolean committed;
    private volatile boolean cancelled;
    private volatile BlockingNbdClient link;

    MirrorJob(ServedFile file, MirrorRequest request, MigrationTuning tuning, Consumer<AfterHandover> handedOver) {
        this.file = file;
        this.request = request;
        this.tuning = tuning;
        this.limiter = RateLimiter.system(request.maxBytesPerSecond().orElse(0));
        this.progress = new MigrationProgress(System::nanoTime);
        this.handedOver = handedOver;
        this.thread = new Thread(this::run, "mirror-" + request.destination().getPort());
        this.thread.setDaemon(true);
    }

    /** Starts the job and waits for the outcome of the first connection. */
    MirrorOutcome start() {
        thread.start();
        return started.join();
    }

    boolean isRunning() {
        return !ended.isDone();
    }

    RateLimiter limiter() {
        return limiter;
    }

    MigrationProgress progress() {
        return progress;
    }

    /**
     * Stops the job unless the handover is already committed; client I/O carries on.
     *
     * @return false when it was too late to stop
     */
    boolean cancel() {
        synchronized (commitLock) {
            if (committed) {
                return false;
            }
            cancelled = true;
        }
        closeLink();
        thread.interrupt();
        try {
            ended.get(tuning.linkTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("mirror thread did not stop in time: {}", e.toString());
        }
        return true;
    }

    private void run() {
        MirrorOutcome firstConnectFailure = null;
        try {
            while (!cancelled) {
                progress.attemptStarted(file.store().size());
                try {
                    attempt();
                    return;
                } catch (IOException | InterruptedException | RuntimeException e) {
                    if (cancelled) {
                        return;
                    }
                    if (!started.isDone()) {
                        // Answered only once the job has ended, so that a status or mirror
                        // sent right after the answer does not find it still running.
                        firstConnectFailure = MirrorErrors.firstConnect(request.destination(), e);
                        return;
                    }
                    log.warn("migration attempt {} to {} failed: {}; retrying in {} ms", progress.attempts(),
                            request.destination(), describe(e), tuning.retryDelay().toMillis());
                    ServerEvents.emit("attempt_failed", "attempt", progress.attempts(), "destination", request.destination(),
                            "reason", describe(e));
                } finally {
                    releaseAfterAttempt();
                }
                if (!pause()) {
                    return;
                }
            }
        } finally {
            ended.complete(null);
            started.complete(firstConnectFailure != null ? firstConnectFailure
                    : MirrorOutcome.refused(MirrorOutcome.Reason.STOPPED, "mirror stopped"));
        }
    }

    /** Puts everything an attempt took back, whatever way it ended. */
    private void releaseAfterAttempt() {
        closeLink();
        file.stopObservingWrites();
        boolean handOverDone;
        synchronized (commitLock) {
            handOverDone = committed;
        }
        if (!handOverDone) {
            file.gate().resume();
        }
    }

    private boolean pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(tuning.retryDelay().toMillis());
            return !cancelled;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private void attempt() throws IOException, InterruptedException {
        BlockStore store = file.store();
        BlockingNbdClient connected = BlockingNbdClient.connect(request.destination(), request.bind(),
                tuning.linkTimeout());
        link = connected;
        if (cancelled) {
            throw new InterruptedException("mirror cancelled");
        }
        if (connected.exportSize() != store.size()) {
            throw new SizeMismatch(connected.exportSize(), store.size());
        }
        if (started.complete(MirrorOutcome.done("Mirror started"))) {
            log.info("mirroring {} to {}", file.path(), request.destination());
        } else {
            log.info("migration attempt {} to {} connected", progress.attempts(), request.destination());
            ServerEvents.emit("attempt_connected", "attempt", progress.attempts(), "destination", request.destination());
        }
        DirtyMap dirty = new DirtyMap(store.size(), DIRTY_BLOCK);
        file.observeWrites(dirty::markDirty);
        LinkSender sender = new LinkSender(store, connected, limiter, progress, tuning.chunkBytes(), tuning.window());

        int pass = 1;
        progress.passStarted(pass, () -> store.size() - progress.bytesSentThisAttempt());
        store.forEachDataExtent(0, store.size(), sender::send);
        sender.drain();
        log.debug("pass 1 done; {} bytes dirty", dirty.dirtyBytes());
        while (pass < tuning.maxPasses() && dirty.dirtyBytes() > tuning.convergedBytes()) {
            pass++;
            progress.passStarted(pass, dirty::dirtyBytes);
            sendDirty(dirty, sender);
            log.debug("pass {} done; {} bytes dirty", pass, dirty.dirtyBytes());
        }

        pass++;
        progress.passStarted(pass, dirty::dirtyBytes);
        awaitClientsPaused();
        log.debug("clients paused; the final pass sends {} dirty bytes", dirty.dirtyBytes());
        sendDirty(dirty, sender);
        log.info("final pass sent; handing over to {}", request.destination());
        ServerEvents.emit("final_pass_sent", "destination", request.destination());

        connected.entrust();
        synchronized (commitLock) {
            if (cancelled) {
                throw new InterruptedException("mirror cancelled");
            }
            committed = true;
        }
        commitHandover(connected);
    }

    private void sendDirty(DirtyMap dirty, LinkSender sender) throws IOException, InterruptedException {
        dirty.drainRuns(tuning.chunkBytes(), sender::send);
        sender.drain();
    }

    /** Stops new client I/O and waits for the requests in flight to finish. */
    private void awaitClientsPaused() throws IOException, InterruptedException {
        try {
            file.gate().pause().get(tuning.linkTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new MigrationFailure("client requests still in flight after "
                    + tuning.linkTimeout().toSeconds() + "s; cannot start the final pass");
        } catch (ExecutionException e) {
            throw new MigrationFailure("waiting for client requests failed: " + e.getCause());
        }
    }

    /** After the ENTRUST reply: the destination holds everything; let go of it. */
    private void commitHandover(BlockingNbdClient connected) {
        if (request.action() == AfterHandover.UNLINK) {
            try {
                Files.deleteIfExists(file.path());
                log.info("unlinked {}", file.path());
            } catch (IOException e) {
                log.error("cannot unlink {}: {}", file.path(), e.toString());
            }
        }
        try {
            connected.disconnect();
        } catch (IOException e) {
            log.error("sending DISCONNECT to {} failed: {}", request.destination(), e.toString());
        }
        log.info("migration to {} complete after {} attempt(s)", request.destination(), progress.attempts());
        ServerEvents.emit("migration_complete", "destination", request.destination(), "attempts", progress.attempts());
        handedOver.accept(request.action());
    }

    private void closeLink() {
        BlockingNbdClient current = link;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                log.debug("closing the migration link: {}", e.toString());
            }
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof SocketTimeoutException) {
            return "no answer within the link timeout";
        }
        if (e instanceof EOFException) {
            return "the destination closed the link";
        }
        if (e instanceof ConnectException) {
            return "cannot connect (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** The destination's export is not the size of ours. */
    static final class SizeMismatch extends MigrationFailure {
        SizeMismatch(long theirs, long ours) {
            super("size mismatch: destination has " + theirs + " bytes, source has " + ours);
        }
    }
}
