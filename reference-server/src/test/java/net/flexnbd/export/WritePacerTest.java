package net.flexnbd.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class WritePacerTest {
    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final WritePacer pacer = new WritePacer(now::get);

    @Test
    void withoutALimitNoWriteWaits() {
        assertThat(pacer.bytesPerSecond()).isZero();
        assertThat(pacer.reserveNanos(32L << 20)).isZero();
    }

    @Test
    void underALimitTheAverageRateIsTheLimit() {
        long rate = 4L << 20;
        pacer.limit(rate);
        long written = 0;
        long start = now.get();
        for (int i = 0; i < 10_000; i++) {
            now.addAndGet(pacer.reserveNanos(4096));
            written += 4096;
        }
        assertThat(written / ((now.get() - start) / 1e9)).isCloseTo(rate, Percentage.withPercentage(3));
    }

    @Test
    void aTenthOfASecondPassesAtOnceThenWritesWaitTheirTurn() {
        pacer.limit(1_000_000);
        assertThat(pacer.reserveNanos(100_000)).isZero();
        assertThat(pacer.reserveNanos(1_000)).isEqualTo(1_000_000L);
        assertThat(pacer.reserveNanos(1_000)).isEqualTo(2_000_000L);
    }

    @Test
    void noWriteWaitsLongerThanTheCapAndTheDebtBeyondItIsForgiven() {
        pacer.limit(1_000_000); // 20 ms is 20,000 bytes
        pacer.reserveNanos(100_000); // the burst
        assertThat(pacer.reserveNanos(15_000)).isEqualTo(15_000_000L);
        assertThat(pacer.reserveNanos(15_000)).isEqualTo(WritePacer.MAX_WAIT_NANOS);
        assertThat(pacer.reserveNanos(1 << 20)).isEqualTo(WritePacer.MAX_WAIT_NANOS);
        // Forgiven: 1 ms later the next write waits 20 ms from now again, not for the megabyte above.
        now.addAndGet(1_000_000);
        assertThat(pacer.reserveNanos(1_000)).isEqualTo(WritePacer.MAX_WAIT_NANOS);
        now.addAndGet(20_000_000);
        assertThat(pacer.reserveNanos(1_000)).isEqualTo(1_000_000L);
    }

    @Test
    void liftingTheLimitLetsEveryWriteThroughAtOnce() {
        pacer.limit(1_000);
        pacer.reserveNanos(1 << 20);
        pacer.limit(0);
        assertThat(pacer.reserveNanos(1 << 20)).isZero();
        assertThat(pacer.bytesPerSecond()).isZero();
    }

    @Test
    void aNegativeLimitIsRefusedWithTheValue() {
        assertThatThrownBy(() -> pacer.limit(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5");
    }
}
