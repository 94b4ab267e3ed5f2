package net.flexnbd.migration;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import net.flexnbd.events.ServerEvents;
import net.flexnbd.protocol.HandoverState;
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
    /** The first pass goes in parts of this much of the file, each run at the priority of its time ({@link BackgroundPasses}). */
    private static final long FIRST_PASS_SEGMENT = 64L << 20;
    private static final SecureRandom TOKENS = new SecureRandom();

    private final ServedFile file;
    private final MirrorRequest request;
    private final MigrationTuning tuning;
    private final RateLimiter limiter;
    private final MigrationProgress progress;
    private final SourceHandover handedOver;
    private final CompletableFuture<MirrorOutcome> started = new CompletableFuture<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    /** Completes on {@link #cancel()}: wakes the thread's timed waits (retry pause, client pause). */
    private final CompletableFuture<Void> cancelSignal = new CompletableFuture<>();
    private final Thread thread;
    /** The passes run while clients are served, at a lower CPU priority than theirs. */
    private final BackgroundPasses passes;
    private final Object commitLock = new Object();
    private boolean committed;
    private volatile boolean cancelled;
    private volatile BlockingNbdClient link;
    private volatile CommittedHandover handover;

    MirrorJob(ServedFile file, MirrorRequest request, MigrationTuning tuning, SourceHandover handedOver) {
        this.file = file;
        this.request = request;
        this.tuning = tuning;
        this.limiter = RateLimiter.system(request.maxBytesPerSecond().orElse(0));
        this.progress = new MigrationProgress(System::nanoTime);
        this.handedOver = handedOver;
        this.thread = new Thread(this::run, "mirror-" + request.destination().getPort());
        this.thread.setDaemon(true);
        this.passes = new BackgroundPasses("mirror-" + request.destination().getPort() + "-passes");
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

    /** Where a committed handover stands ({@code committed}, {@code finishing}); empty before ENTRUST's reply. */
    Optional<String> handoverStage() {
        CommittedHandover committedHandover = handover;
        return committedHandover == null ? Optional.empty() : Optional.of(committedHandover.stage().word);
    }

    /**
     * Stops the job unless the handover is already committed; client I/O carries on. The
     * thread is never interrupted (it may be in the middle of a file read, which an interrupt
     * would break for every user of the file): the link is closed under it, its waits are
     * woken, and it stops at the next step.
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
        cancelSignal.complete(null);
        closeLink();
        LockSupport.unpark(thread); // a rate limiter wait

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
            passes.close();
            ended.complete(null);
            started.complete(firstConnectFailure != null ? firstConnectFailure
                    : MirrorOutcome.refused(MirrorOutcome.Reason.STOPPED, "mirror stopped"));
        }
    }

    /** Puts everything an attempt took back, whatever way it ended. */
    private void releaseAfterAttempt() {
        closeLink();
        file.stopObservingWrites();
        file.writePacer().limit(0);
        boolean handOverDone;
        synchronized (commitLock) {
            handOverDone = committed;
        }
        if (!handOverDone) {
            file.gate().resume();
        }
    }

    /** Waits out the retry delay; false when cancelled meanwhile. */
    private boolean pause() {
        try {
            cancelSignal.get(tuning.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException e) {
            return !cancelled;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return false;
        }
    }

    private void attempt() throws IOException, InterruptedException {
        BlockStore store = file.store();
        // Each attempt names itself: a failed one re-admits client writes, so its copy must never be finished later.
        long token = newToken();
        BlockingNbdClient connected = BlockingNbdClient.connect(request.destination(), request.bind(),
                tuning.linkTimeout(), OptionalLong.of(token), request.tls());
        link = connected;
        if (cancelled) {
            throw new InterruptedException("mirror cancelled");
        }
        if (connected.exportSize() != store.size()) {
            throw new SizeMismatch(connected.exportSize(), store.size());
        }
        Optional<HandoverState> held = connected.handover();
        if (held.isPresent() && held.get() != HandoverState.FRESH) {
            throw new MigrationFailure("the destination claims to hold " + held.get() + " for a new token");
        }
        long linkToken = held.isPresent() ? token : 0;
        if (started.complete(MirrorOutcome.done("Mirror started"))) {
            log.info("mirroring {} to {}{}", file.path(), request.destination(), request.tls().isPresent() ? " over TLS" : "");
        } else {
            log.info("migration attempt {} to {} connected", progress.attempts(), request.destination());
            ServerEvents.emit("attempt_connected", "attempt", progress.attempts(), "destination", request.destination());
        }
        DirtyMap dirty = new DirtyMap(store.size(), DIRTY_BLOCK);
        file.observeWrites((offset, length) -> {
            dirty.markDirty(offset, length);
            passes.clientWrote();
        });
        LinkSender sender = newSender(connected);

        AutoConverge converge = new AutoConverge(file.writePacer(), tuning.convergedBytes(), System::nanoTime);
        firstPass(store, dirty, sender, converge);
        int pass = passes.run(() -> dirtyPasses(1, 0, dirty, sender, converge));
        int cutOffs = 0;
        for (;;) {
            boolean converged = converge.converged(dirty.dirtyBytes());
            boolean bounded = cutOffs < AutoConverge.MAX_CUT_OFFS;
            pass++;
            progress.passStarted(pass, dirty::dirtyBytes);
            long finalStarted = System.nanoTime();
            MigrationPhases.step("final pass {} started: pausing client I/O ({} bytes dirty)", pass, dirty.dirtyBytes());
            awaitClientsPaused();
            MigrationPhases.step("client I/O paused after {} ms", (System.nanoTime() - finalStarted) / 1_000_000);
            logFinalPass(converge, pass, converged, dirty.dirtyBytes(), bounded);
            if (bounded) {
                sender.cutOffAt(finalStarted + AutoConverge.FINAL_PASS_LIMIT.toNanos());
            }
            try {
                sendDirty(dirty, sender);
            } catch (FinalPassCutOff e) {
                // Nothing is lost: the unsent runs are dirty again. Clients go on at once, before
                // the writes in flight are answered (as in any pass run while clients write: what
                // they change now is marked dirty and sent again), and the rest goes in ordinary
                // passes before the final pass is tried again.
                sender.noCutOff();
                file.gate().resume();
                long pausedMillis = (System.nanoTime() - finalStarted) / 1_000_000;
                MigrationPhases.step("final pass {} cut off: client I/O resumed", pass);
                sender.drain();
                cutOffs++;
                log.warn("final pass {} cut off after {} ms with {} bytes still dirty; client I/O resumed ({} of {} cut-offs)",
                        pass, pausedMillis, dirty.dirtyBytes(), cutOffs,
                        AutoConverge.MAX_CUT_OFFS);
                ServerEvents.emit("final_pass_cut_off", "pass", pass, "dirty_bytes", dirty.dirtyBytes());
                converge.cutOff(pass, dirty.dirtyBytes());
                int cutOffPass = pass;
                pass = passes.run(() -> dirtyPasses(cutOffPass, 1, dirty, sender, converge));
                continue;
            } finally {
                sender.noCutOff();
            }
            converge.release();
            MigrationPhases.step("final pass {} sent", pass);
            log.info("final pass sent; handing over to {} (the final pass took {} ms with client I/O paused)",
                    request.destination(), (System.nanoTime() - finalStarted) / 1_000_000);
            ServerEvents.emit("final_pass_sent", "destination", request.destination());
            break;
        }

        MigrationPhases.step("ENTRUST sent");
        sender.entrust(linkToken);
        MigrationPhases.step("ENTRUST answered");
        CommittedHandover committedHandover = new CommittedHandover(file, request, tuning, handedOver, progress,
                this::copyAll);
        synchronized (commitLock) {
            if (cancelled) {
                throw new InterruptedException("mirror cancelled");
            }
            committed = true;
        }
        handover = committedHandover;
        committedHandover.complete(connected, linkToken);
    }

    /**
     * Every allocated range of the file, ending once the destination has made it durable. It
     * goes in parts of {@link #FIRST_PASS_SEGMENT}, each at the priority that suits its time
     * ({@link BackgroundPasses}): whether clients write can change during a long pass.
     */
    private void firstPass(BlockStore store, DirtyMap dirty, LinkSender sender, AutoConverge converge)
            throws IOException, InterruptedException {
        progress.passStarted(1, () -> store.size() - progress.bytesSentThisAttempt());
        converge.passStarted();
        MigrationPhases.step("pass 1 (first) started");
        long sentBefore = progress.bytesSent();
        for (long from = 0; from < store.size(); from += FIRST_PASS_SEGMENT) {
            long start = from;
            long end = Math.min(store.size(), from + FIRST_PASS_SEGMENT);
            passes.run(() -> {
                store.forEachDataExtent(start, end, sender::send);
                return null;
            });
        }
        passes.run(() -> {
            sender.drainDurable();
            return null;
        });
        converge.passEnded(1, progress.bytesSent() - sentBefore, dirty.dirtyBytes());
        log.debug("pass 1 done; {} bytes dirty", dirty.dirtyBytes());
    }

    /**
     * Dirty passes with clients running, each ending once the destination has made it durable:
     * at least {@code atLeast}, then until what is dirty fits the final pass or the tuning's
     * passes are used up. Returns the number of the last pass run.
     */
    private int dirtyPasses(int pass, int atLeast, DirtyMap dirty, LinkSender sender, AutoConverge converge)
            throws IOException, InterruptedException {
        int run = 0;
        while (run < atLeast || (run < tuning.maxPasses() - 1 && !converge.converged(dirty.dirtyBytes()))) {
            run++;
            pass++;
            progress.passStarted(pass, dirty::dirtyBytes);
            converge.passStarted();
            MigrationPhases.step("pass {} (dirty) started ({} bytes dirty)", pass, dirty.dirtyBytes());
            long sentBefore = progress.bytesSent();
            dirty.drainRuns(tuning.chunkBytes(), sender::send);
            sender.drainDurable();
            converge.passEnded(pass, progress.bytesSent() - sentBefore, dirty.dirtyBytes());
            log.debug("pass {} done; {} bytes dirty", pass, dirty.dirtyBytes());
        }
        return pass;
    }

    private LinkSender newSender(BlockingNbdClient connected) {
        return new LinkSender(file.store(), connected, limiter, progress, tuning.chunkBytes(), tuning.window(),
                () -> cancelled);
    }

    /** A whole first pass over a new link, for a destination that lost the entrusted copy. */
    private void copyAll(BlockingNbdClient connected) throws IOException, InterruptedException {
        LinkSender sender = newSender(connected);
        file.store().forEachDataExtent(0, file.store().size(), sender::send);
        sender.drain();
    }

    private static long newToken() {
        long token;
        do {
            token = TOKENS.nextLong();
        } while (token == 0);
        return token;
    }

    /** The final pass's size, its expected length, its bound and its limit, in one line. */
    private static void logFinalPass(AutoConverge converge, int pass, boolean converged, long dirtyBytes, boolean bounded) {
        long expected = converge.expectedMillis(dirtyBytes);
        long bound = AutoConverge.FINAL_PASS_BOUND.toMillis();
        String limit = bounded ? "cut off at " + AutoConverge.FINAL_PASS_LIMIT.toMillis() + " ms"
                : "not cut off: " + AutoConverge.MAX_CUT_OFFS + " were";
        if (converged) {
            log.info("dirty passes converged: final pass {} sends {} bytes, about {} ms at {} bytes/s (bound {} ms, {})",
                    pass, dirtyBytes, expected, converge.linkSpeed(), bound, limit);
        } else {
            log.warn("dirty passes did not converge in {} passes: final pass sends {} bytes, about {} ms at {} bytes/s"
                    + " (over the bound of {} ms, {})", pass - 1, dirtyBytes, expected, converge.linkSpeed(), bound, limit);
        }
    }

    /** Sends what is dirty; its writes are answered behind ENTRUST ({@link LinkSender#entrust}) or on a cut-off. */
    private void sendDirty(DirtyMap dirty, LinkSender sender) throws IOException, InterruptedException {
        dirty.drainRuns(tuning.chunkBytes(), sender::send);
    }

    /** Stops new client I/O and waits for the requests in flight to finish. */
    private void awaitClientsPaused() throws IOException, InterruptedException {
        try {
            CompletableFuture.anyOf(file.gate().pause(), cancelSignal)
                    .get(tuning.linkTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (cancelled) {
                throw new InterruptedException("mirror cancelled");
            }
        } catch (TimeoutException e) {
            throw new MigrationFailure("client requests still in flight after "
                    + tuning.linkTimeout().toSeconds() + "s; cannot start the final pass");
        } catch (ExecutionException e) {
            throw new MigrationFailure("waiting for client requests failed: " + e.getCause());
        }
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
