package net.flexnbd.migration;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Caps the migration's bandwidth: a token bucket holding at most a tenth of a second's
 * worth of bytes, so the average rate stays at the cap while short bursts are smoothed.
 * The cap can change at any time ({@code mirror_max_bps}); zero means no cap.
 */
final class RateLimiter {
    private final LongSupplier nanoClock;
    private volatile long bytesPerSecond;
    private long available;
    private long lastRefill;

    RateLimiter(long bytesPerSecond, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.bytesPerSecond = bytesPerSecond;
        this.lastRefill = nanoClock.getAsLong();
    }

    void setBytesPerSecond(long cap) {
        this.bytesPerSecond = cap;
    }

    long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** How long to wait before {@code bytes} may be sent; takes them from the bucket. */
    synchronized long reserveNanos(long bytes) {
        long cap = bytesPerSecond;
        long now = nanoClock.getAsLong();
        if (cap <= 0) {
            lastRefill = now;
            available = 0;
            return 0;
        }
        long burst = Math.max(cap / 10, 1);
        available = Math.min(burst, available + (now - lastRefill) * cap / 1_000_000_000L);
        lastRefill = now;
        available -= bytes;
        return available >= 0 ? 0 : -available * 1_000_000_000L / cap;
    }

    /** Blocks the migration thread until {@code bytes} may be sent. */
    void acquire(long bytes) throws InterruptedException {
        acquire(bytes, () -> false);
    }

    /**
     * Blocks the migration thread until {@code bytes} may be sent, or until {@code cancelled}
     * holds once the thread is unparked ({@link LockSupport#unpark}), without an interrupt.
     */
    void acquire(long bytes, BooleanSupplier cancelled) throws InterruptedException {
        long wait = reserveNanos(bytes);
        long deadline = nanoClock.getAsLong() + wait;
        while (wait > 0) {
            LockSupport.parkNanos(this, wait);
            if (Thread.interrupted()) {
                throw new InterruptedException("rate limiter wait interrupted");
            }
            if (cancelled.getAsBoolean()) {
                throw new InterruptedException("migration cancelled");
            }
            wait = deadline - nanoClock.getAsLong();
        }
    }

    static RateLimiter system(long bytesPerSecond) {
        return new RateLimiter(bytesPerSecond, System::nanoTime);
    }

}
