package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void withoutACapNothingWaits() {
        RateLimiter limiter = new RateLimiter(0, now::get);
        assertThat(limiter.reserveNanos(1L << 30)).isZero();
    }

    @Test
    void sendingFasterThanTheCapWaitsForTheDifference() {
        RateLimiter limiter = new RateLimiter(1_000_000, now::get);
        // The bucket starts empty: 1 MB at 1 MB/s waits one second.
        assertThat(limiter.reserveNanos(1_000_000)).isEqualTo(1_000_000_000L);
    }

    @Test
    void theAverageRateOverManyChunksIsTheCap() {
        long cap = 10_000_000;
        RateLimiter limiter = new RateLimiter(cap, now::get);
        long sent = 0;
        for (int i = 0; i < 1000; i++) {
            long wait = limiter.reserveNanos(1 << 16);
            now.addAndGet(wait);
            sent += 1 << 16;
        }
        double seconds = now.get() / 1e9;
        assertThat(sent / seconds).isCloseTo(cap, org.assertj.core.data.Percentage.withPercentage(2));
    }

    @Test
    void idleTimeBuildsAtMostATenthOfASecondOfBurst() {
        RateLimiter limiter = new RateLimiter(1_000_000, now::get);
        now.addAndGet(60_000_000_000L);
        assertThat(limiter.reserveNanos(100_000)).isZero();
        assertThat(limiter.reserveNanos(100_000)).isEqualTo(100_000_000L);
    }

    @Test
    void theCapCanChangeWhileRunning() {
        RateLimiter limiter = new RateLimiter(1_000_000, now::get);
        limiter.setBytesPerSecond(0);
        assertThat(limiter.reserveNanos(1 << 20)).isZero();
        assertThat(limiter.bytesPerSecond()).isZero();
    }
}
