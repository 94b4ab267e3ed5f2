package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import net.flexnbd.export.WritePacer;
import org.junit.jupiter.api.Test;

/** When the final pass may start, and how client writes are slowed until it can. */
class AutoConvergeTest {
    private static final long MIB = 1L << 20;
    private static final long CONVERGED = 8 * MIB;

    private final AtomicLong now = new AtomicLong();
    private final WritePacer pacer = new WritePacer(now::get);
    private final AutoConverge converge = new AutoConverge(pacer, CONVERGED, now::get);

    /** One pass sending {@code bytes} in {@code millis}, leaving {@code dirtyAfter} dirty. */
    private void pass(int number, long bytes, long millis, long dirtyAfter) {
        converge.passStarted();
        now.addAndGet(millis * 1_000_000);
        converge.passEnded(number, bytes, dirtyAfter);
    }

    @Test
    void beforeAnyPassTheTuningsSizeIsTheBound() {
        assertThat(converge.finalPassBytes()).isEqualTo(CONVERGED);
        assertThat(converge.converged(CONVERGED)).isTrue();
        assertThat(converge.converged(CONVERGED + 1)).isFalse();
    }

    @Test
    void onASlowLinkTheFinalPassIsWhatFitsInTheBound() {
        pass(1, 64 * MIB, 8_000, 4 * MIB); // 8 MiB/s

        assertThat(converge.linkSpeed()).isEqualTo(8 * MIB);
        long withinBound = 8 * MIB * AutoConverge.FINAL_PASS_BOUND.toMillis() / 1000; // the bound at 8 MiB/s
        assertThat(converge.finalPassBytes()).isEqualTo(withinBound);
        assertThat(converge.converged(withinBound)).isTrue();
        assertThat(converge.converged(withinBound + 4096)).isFalse();
        assertThat(converge.expectedMillis(MIB)).isEqualTo(125);
    }

    @Test
    void onAFastLinkTheTuningsSizeStillCaps() {
        pass(1, 1024 * MIB, 1_000, 0);

        assertThat(converge.finalPassBytes()).isEqualTo(CONVERGED);
    }

    @Test
    void passesThatShrinkByHalfLeaveClientWritesAlone() {
        pass(1, 64 * MIB, 8_000, 32 * MIB);
        pass(2, 32 * MIB, 4_000, 10 * MIB);

        assertThat(pacer.bytesPerSecond()).isZero();
    }

    @Test
    void passesThatDoNotShrinkSlowClientWritesToHalfTheLinkThenByHalfAgain() {
        pass(1, 64 * MIB, 8_000, 60 * MIB);
        assertThat(pacer.bytesPerSecond()).isEqualTo(4 * MIB);

        pass(2, 60 * MIB, 7_500, 40 * MIB);
        assertThat(pacer.bytesPerSecond()).isEqualTo(2 * MIB);

        pass(3, 40 * MIB, 5_000, 10 * MIB);
        assertThat(pacer.bytesPerSecond()).as("shrinking now: left as it is").isEqualTo(2 * MIB);
    }

    @Test
    void clientWritesAreNeverSlowedBelowTheFloor() {
        pass(1, 64 * MIB, 8_000, 64 * MIB);
        for (int pass = 2; pass < 20; pass++) {
            pass(pass, 64 * MIB, 8_000, 64 * MIB);
        }

        assertThat(pacer.bytesPerSecond()).isEqualTo(AutoConverge.SLOWEST_CLIENT_WRITES);
    }

    @Test
    void aTinyPassDoesNotChangeTheMeasuredSpeed() {
        pass(1, 64 * MIB, 8_000, 3 * MIB);
        pass(2, 64 * 1024, 100, 1024); // latency, not bandwidth

        assertThat(converge.linkSpeed()).isEqualTo(8 * MIB);
    }

    @Test
    void aCutOffFinalPassSlowsClientWritesByHalfAgain() {
        pass(1, 64 * MIB, 8_000, 60 * MIB);
        assertThat(pacer.bytesPerSecond()).isEqualTo(4 * MIB);

        converge.cutOff(5, 2 * MIB);
        assertThat(pacer.bytesPerSecond()).isEqualTo(2 * MIB);
    }

    @Test
    void aCutOffBeforeAnySlowingStartsAtHalfTheLink() {
        pass(1, 64 * MIB, 8_000, 0);
        assertThat(pacer.bytesPerSecond()).isZero();

        converge.cutOff(2, MIB);
        assertThat(pacer.bytesPerSecond()).isEqualTo(4 * MIB);
    }

    @Test
    void releasingLiftsTheLimit() {
        pass(1, 64 * MIB, 8_000, 64 * MIB);
        assertThat(pacer.bytesPerSecond()).isPositive();

        converge.release();

        assertThat(pacer.bytesPerSecond()).isZero();
    }
}
