package net.flexnbd.migration;

import static net.flexnbd.migration.MirrorOutcome.Reason.*;

import java.util.Optional;
import net.flexnbd.export.MigrationTuning;
import net.flexnbd.export.ServedFile;

/**
 * The source side of migrations for one server: starts a {@code mirror}, stops it on
 * {@code break}, changes its bandwidth cap, and reports its progress. At most one runs.
 */
public final class MirrorController {
    /** Files smaller than this cannot be mirrored. */
    public static final long MIN_MIRROR_SIZE = 4096;

    private final ServedFile file;
    private final MigrationTuning tuning;
    private final SourceHandover handedOver;
    private MirrorJob job;
    private boolean stopped;

    public MirrorController(ServedFile file, MigrationTuning tuning, SourceHandover handedOver) {
        this.file = file;
        this.tuning = tuning;
        this.handedOver = handedOver;
    }

    /** Starts a migration; answers once the first connection succeeded or failed. */
    public MirrorOutcome start(MirrorRequest request) {
        MirrorJob started;
        synchronized (this) {
            if (stopped) {
                return MirrorOutcome.refused(SHUTTING_DOWN, "server is shutting down");
            }
            if (job != null && job.isRunning()) {
                return MirrorOutcome.refused(ALREADY_MIRRORING, "already mirroring");
            }
            if (file.store().size() < MIN_MIRROR_SIZE) {
                return MirrorOutcome.refused(TOO_SMALL, "cannot mirror a file smaller than "
                        + MIN_MIRROR_SIZE + " bytes (this one has " + file.store().size() + ")");
            }
            job = new MirrorJob(file, request, tuning, handedOver);
            started = job;
        }
        return started.start();
    }

    /** {@code break}: stops the running migration; clients carry on. */
    public MirrorOutcome breakMirror() {
        MirrorJob running = current();
        if (running == null) {
            return MirrorOutcome.refused(NOT_MIRRORING, "not mirroring");
        }
        if (!running.cancel()) {
            return MirrorOutcome.refused(TOO_LATE, "the handover is already under way");
        }
        return MirrorOutcome.done("Mirror stopped");
    }

    /**
     * {@code mirror_max_bps}: changes the running migration's cap (0: no cap).
     *
     * @throws IllegalArgumentException when the cap is negative
     */
    public MirrorOutcome setMaxBytesPerSecond(long cap) {
        if (cap < 0) {
            throw new IllegalArgumentException("bandwidth cap (" + cap + ") must not be negative");
        }
        MirrorJob running = current();
        if (running == null) {
            return MirrorOutcome.refused(NOT_MIRRORING, "not mirroring");
        }
        running.limiter().setBytesPerSecond(cap);
        return MirrorOutcome.done("Mirror speed limit set to " + (cap == 0 ? "unlimited" : cap + " bytes/s"));
    }

    public boolean isMirroring() {
        return current() != null;
    }

    /** The running migration's progress; empty while not mirroring. */
    public Optional<MigrationStatus> status() {
        MirrorJob running = current();
        return running == null ? Optional.empty()
                : Optional.of(running.progress().snapshot(running.limiter().bytesPerSecond()));
    }

    /** Where a committed handover stands ({@code committed}, {@code finishing}); empty before the ENTRUST reply. */
    public Optional<String> handoverStage() {
        MirrorJob running = current();
        return running == null ? Optional.empty() : running.handoverStage();
    }

    /** Shutdown: stops any migration that has not committed its handover; no new ones start. */
    public void stop() {
        MirrorJob running;
        synchronized (this) {
            stopped = true;
            running = job;
        }
        if (running != null && running.isRunning()) {
            running.cancel();
        }
    }

    private synchronized MirrorJob current() {
        return job != null && job.isRunning() ? job : null;
    }
}
