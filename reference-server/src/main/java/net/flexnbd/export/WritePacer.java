package net.flexnbd.export;

import java.util.function.LongSupplier;

/**
 * Slows client writes to a rate while a migration cannot otherwise catch up with them
 * (auto-converge): each write reserves its bytes and learns how long to wait before it
 * runs. Nothing blocks here; the caller schedules the write for later. Off (no limit)
 * unless a migration sets one. Shared by every connection to the served file.
 *
 * <p>No write waits longer than {@link #MAX_WAIT_NANOS}: the debt beyond that is forgiven. A
 * client then never sees a write held for long (the source's latency target is 50 ms), at the
 * price that many writers at once are slowed less than the rate says; the migration's hard
 * bound on its final pass covers what that leaves.
 */
public final class WritePacer {
    /** Bytes that may pass at once after an idle spell: a tenth of a second's worth. */
    private static final long BURST_DIVISOR = 10;
    /** The longest a write is told to wait. */
    public static final long MAX_WAIT_NANOS = 20_000_000L;

    private final LongSupplier nanoClock;
    private volatile long bytesPerSecond;
    private long available;
    private long lastRefill;

    public WritePacer(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Limits client writes to {@code rate} bytes per second; 0 removes the limit. */
    public synchronized void limit(long rate) {
        if (rate < 0) {
            throw new IllegalArgumentException("rate (" + rate + ") must not be negative");
        }
        if (bytesPerSecond == 0 && rate > 0) {
            available = rate / BURST_DIVISOR;
            lastRefill = nanoClock.getAsLong();
        }
        bytesPerSecond = rate;
    }

    /** The limit in bytes per second, 0 when writes are not slowed. */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** How long a write of {@code bytes} must wait before it runs; 0 without a limit. */
    public long reserveNanos(long bytes) {
        if (bytesPerSecond == 0) {
            return 0; // the common case: no lock
        }
        synchronized (this) {
            long rate = bytesPerSecond;
            if (rate == 0) {
                return 0;
            }
            long now = nanoClock.getAsLong();
            long burst = Math.max(rate / BURST_DIVISOR, 1);
            available = Math.min(burst, available + (now - lastRefill) * rate / 1_000_000_000L);
            lastRefill = now;
            available -= bytes;
            if (available >= 0) {
                return 0;
            }
            long wait = -available * 1_000_000_000L / rate;
            if (wait > MAX_WAIT_NANOS) {
                available = -MAX_WAIT_NANOS * rate / 1_000_000_000L;
                return MAX_WAIT_NANOS;
            }
            return wait;
        }
    }
}
