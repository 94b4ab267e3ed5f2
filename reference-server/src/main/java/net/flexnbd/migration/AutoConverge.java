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
 * converged size). Each pass ends with the destination's flush, so the measured speed is
 * that of data made durable, and ENTRUST's flush after the final pass has only the final
 * pass's data to write. A final pass still running at {@link #FINAL_PASS_LIMIT} is cut off
 * (client I/O resumes, and clients are slowed as after a pass that did not shrink), at most
 * {@link #MAX_CUT_OFFS} times; the next final pass then runs to its end whatever it takes.
 * When a pass leaves more than half of what it sent dirty again, clients
 * write about as fast as the link sends: their writes are then slowed ({@link WritePacer}),
 * first to half the link's speed, then by half again each pass that still does not shrink,
 * never below {@link #SLOWEST_CLIENT_WRITES}. The limit lasts until the final pass starts or
 * the attempt ends. One migration thread uses it.
 */
final class AutoConverge {
    private static final Logger log = LoggerFactory.getLogger(AutoConverge.class);

    /** The longest the final pass is meant to take: client I/O waits for all of it. */
    static final Duration FINAL_PASS_BOUND = Duration.ofMillis(15);
    /**
     * A final pass, counted from pausing client I/O, that has not sent everything by now is
     * cut off. The writes it held then run: this limit leaves them within the source's 50 ms
     * latency target, and a write held through a whole handover (final pass, ENTRUST,
     * DISCONNECT) well under 100 ms.
     */
    static final Duration FINAL_PASS_LIMIT = Duration.ofMillis(30);
    /** Final passes cut off before one is let run to its end. */
    static final int MAX_CUT_OFFS = 3;
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
        long slower = slowClients();
        if (slower != 0) {
            log.info("pass {} sent {} bytes at {} bytes/s and {} are dirty again: client writes slowed to {} bytes/s",
                    pass, sent, linkSpeed, dirtyNow, slower);
        }
    }

    /**
     * The final pass was cut off with {@code dirtyNow} bytes still to send: the link is slower
     * than measured, or clients dirty faster; either way they are slowed (by half again).
     */
    void cutOff(int pass, long dirtyNow) {
        long slower = slowClients();
        if (slower != 0) {
            log.info("final pass {} cut off with {} bytes dirty: client writes slowed to {} bytes/s", pass, dirtyNow, slower);
        }
    }

    /** Halves the client write rate (the first time: half the link's speed); the new rate, 0 if unchanged. */
    private long slowClients() {
        long current = pacer.bytesPerSecond();
        long slower = Math.max(SLOWEST_CLIENT_WRITES, current == 0 ? Math.max(1, linkSpeed / 2) : current / 2);
        if (slower == current) {
            return 0;
        }
        pacer.limit(slower);
        return slower;
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
