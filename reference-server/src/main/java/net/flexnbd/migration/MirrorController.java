package net.flexnbd.migration;

import net.flexnbd.control.ControlResponse;
import net.flexnbd.server.MigrationTuning;
import net.flexnbd.server.ServedFile;
import net.flexnbd.server.StatusReport;

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
    public ControlResponse start(MirrorRequest request) {
        MirrorJob started;
        synchronized (this) {
            if (stopped) {
                return ControlResponse.error(MirrorErrors.SHUTTING_DOWN, "server is shutting down");
            }
            if (job != null && job.isRunning()) {
                return ControlResponse.error(MirrorErrors.ALREADY_MIRRORING, "already mirroring");
            }
            if (file.store().size() < MIN_MIRROR_SIZE) {
                return ControlResponse.error(MirrorErrors.TOO_SMALL, "cannot mirror a file smaller than "
                        + MIN_MIRROR_SIZE + " bytes (this one has " + file.store().size() + ")");
            }
            job = new MirrorJob(file, request, tuning, handedOver);
            started = job;
        }
        return started.start();
    }

    /** {@code break}: stops the running migration; clients carry on. */
    public ControlResponse breakMirror() {
        MirrorJob running = current();
        if (running == null) {
            return ControlResponse.error(MirrorErrors.NOT_MIRRORING, "not mirroring");
        }
        if (!running.cancel()) {
            return ControlResponse.error(MirrorErrors.TOO_LATE, "the handover is already under way");
        }
        return ControlResponse.ok("Mirror stopped");
    }

    /** {@code mirror_max_bps}: changes the running migration's cap (0: no cap). */
    public ControlResponse setMaxBytesPerSecond(long cap) {
        if (cap < 0) {
            return ControlResponse.error(MirrorErrors.BAD_ARGUMENTS, "bandwidth cap (" + cap + ") must not be negative");
        }
        MirrorJob running = current();
        if (running == null) {
            return ControlResponse.error(MirrorErrors.NOT_MIRRORING, "not mirroring");
        }
        running.limiter().setBytesPerSecond(cap);
        return ControlResponse.ok("Mirror speed limit set to " + (cap == 0 ? "unlimited" : cap + " bytes/s"));
    }

    public boolean isMirroring() {
        return current() != null;
    }

    /** Adds the migration fields to {@code status} while mirroring. */
    public void describe(StatusReport report) {
        MirrorJob running = current();
        if (running != null) {
            running.progress().describe(report, running.limiter().bytesPerSecond());
            running.handoverStage().ifPresent(stage -> report.put("handover", stage));
        }
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
