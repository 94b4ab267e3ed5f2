package net.flexnbd.migration;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * What {@code status} tells about a running migration: attempts, the current pass, bytes
 * sent and left, speed, and an estimate of the time left. Written by the migration thread,
 * read by the control socket.
 */
final class MigrationProgress {
    private final LongSupplier nanoClock;
    private final long startedNanos;
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger pass = new AtomicInteger();
    private final AtomicLong bytesSent = new AtomicLong();
    private volatile long sentBeforeAttempt;
    private volatile LongSupplier bytesLeft = () -> 0;

    MigrationProgress(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.startedNanos = nanoClock.getAsLong();
    }

    /** A new attempt, which will send up to {@code bytesToSend} before its first pass ends. */
    void attemptStarted(long bytesToSend) {
        attempts.incrementAndGet();
        pass.set(0);
        sentBeforeAttempt = bytesSent.get();
        bytesLeft = () -> bytesToSend;
    }

    void passStarted(int number, LongSupplier remaining) {
        pass.set(number);
        bytesLeft = remaining;
    }

    void sent(long bytes) {
        bytesSent.addAndGet(bytes);
    }

    int attempts() {
        return attempts.get();
    }

    long bytesSent() {
        return bytesSent.get();
    }

    /** Bytes sent since the current attempt started. */
    long bytesSentThisAttempt() {
        return bytesSent.get() - sentBeforeAttempt;
    }

    MigrationStatus snapshot(long speedLimit) {
        long elapsedNanos = Math.max(1, nanoClock.getAsLong() - startedNanos);
        long speed = (long) (bytesSent.get() * 1e9 / elapsedNanos);
        long left = Math.max(0, bytesLeft.getAsLong());
        return new MigrationStatus(speed, elapsedNanos / 1_000_000_000L, speed > 0 ? left / speed : 0, left,
                speedLimit > 0 ? OptionalLong.of(speedLimit) : OptionalLong.empty(), pass.get(), attempts.get());
    }
}
