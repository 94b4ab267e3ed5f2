package net.flexnbd.migration;

import java.time.Duration;
import java.util.function.LongSupplier;
import net.flexnbd.export.WritePacer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the dirty passes have converged, and what to do when they do not. The final pass runs
 * with client I/O paused, so it starts only once what is dirty can be sent within
 * {@link #FINAL_PASS_BOUND} at the link's measured speed (and never above the tuning's
 * converged size). When a pass leaves more than half of what it sent dirty again, clients
 * write about as fast as the link sends: their writes are then slowed ({@link WritePacer}),
 * first to half the link's speed, then by half again each pass that still does not shrink,
 * never below {@link #SLOWEST_CLIENT_WRITES}. The limit lasts until the final pass starts or
 * the attempt ends. One migration thread uses it.
 */
final class AutoConverge {
    private static final Logger log = LoggerFactory.getLogger(AutoConverge.class);

    /** The longest the final pass is meant to take: client I/O waits for all of it. */
    static final Duration FINAL_PASS_BOUND = Duration.ofMillis(250);
    /** Client writes are never slowed below this many bytes per second. */
    static final long SLOWEST_CLIENT_WRITES = 256L << 10;
    /** Passes smaller than this say more about latency than about the link's speed. */
    private static final long MIN_SPEED_SAMPLE = 1L << 20;

    private final WritePacer pacer;
    private final long convergedBytes;
    private final LongSupplier nanoClock;
    /** The link's speed as last measured, in bytes per second; 0 before any measurement. */
    private long linkSpeed;
    private long passStartedNanos;

    AutoConverge(WritePacer pacer, long convergedBytes, LongSupplier nanoClock) {
        this.pacer = pacer;
        this.convergedBytes = convergedBytes;
        this.nanoClock = nanoClock;
    }

    /** A pass starts. */
    void passStarted() {
        passStartedNanos = nanoClock.getAsLong();
    }

    /**
     * The pass has sent {@code sent} bytes and ended with {@code dirtyNow} bytes dirty again:
     * measures the link and slows client writes if the pass did not halve what is dirty.
     */
    void passEnded(int pass, long sent, long dirtyNow) {
        long nanos = Math.max(1, nanoClock.getAsLong() - passStartedNanos);
        if (sent >= MIN_SPEED_SAMPLE || (linkSpeed == 0 && sent > 0)) {
            linkSpeed = Math.max(1, (long) (sent * 1e9 / nanos));
        }
        if (converged(dirtyNow) || dirtyNow * 2 <= sent) {
            return;
        }
        long current = pacer.bytesPerSecond();
        long slower = Math.max(SLOWEST_CLIENT_WRITES, current == 0 ? linkSpeed / 2 : current / 2);
        if (slower != current) {
            pacer.limit(slower);
            log.info("pass {} sent {} bytes at {} bytes/s and {} are dirty again: client writes slowed to {} bytes/s",
                    pass, sent, linkSpeed, dirtyNow, slower);
        }
    }

    /** True when {@code dirty} bytes can be sent within the bound. */
    boolean converged(long dirty) {
        return dirty <= finalPassBytes();
    }

    /** The most that may be left for the final pass. */
    long finalPassBytes() {
        if (linkSpeed == 0) {
            return convergedBytes;
        }
        long withinBound = (long) (linkSpeed * (FINAL_PASS_BOUND.toNanos() / 1e9));
        return Math.min(convergedBytes, withinBound);
    }

    /** How long the final pass of {@code dirty} bytes should take at the measured speed. */
    long expectedMillis(long dirty) {
        return linkSpeed == 0 ? 0 : dirty * 1000 / linkSpeed;
    }

    long linkSpeed() {
        return linkSpeed;
    }

    /** Client writes at full speed again. */
    void release() {
        if (pacer.bytesPerSecond() != 0) {
            pacer.limit(0);
            log.debug("client writes no longer slowed");
        }
    }
}
