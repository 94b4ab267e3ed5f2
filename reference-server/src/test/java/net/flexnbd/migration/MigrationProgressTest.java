package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What status says about a migration's progress, across retried attempts. */
class MigrationProgressTest {
    private final AtomicLong clock = new AtomicLong();
    private final MigrationProgress progress = new MigrationProgress(clock::get);

    @Test
    void bytesLeftIsTheWholeFileUntilTheFirstPassSendsAndStartsOverWithEachAttempt() {
        progress.attemptStarted(1000);
        assertThat(bytesLeft()).isEqualTo(1000);
        progress.passStarted(1, () -> 1000 - progress.bytesSentThisAttempt());
        progress.sent(600);
        assertThat(bytesLeft()).isEqualTo(400);

        progress.attemptStarted(1000);
        assertThat(bytesLeft()).as("a new attempt, before its first pass").isEqualTo(1000);
        progress.passStarted(1, () -> 1000 - progress.bytesSentThisAttempt());
        progress.sent(100);
        assertThat(bytesLeft()).as("the earlier attempt's bytes do not count").isEqualTo(900);
        assertThat(progress.attempts()).isEqualTo(2);
        assertThat(progress.bytesSent()).isEqualTo(700);
    }

    @Test
    void theSnapshotReportsSpeedAndTimeLeftFromTheBytesSentAndNoCapAsAbsent() {
        progress.attemptStarted(1000);
        progress.passStarted(1, () -> 1000 - progress.bytesSentThisAttempt());
        progress.sent(200);
        clock.addAndGet(2_000_000_000L);
        MigrationStatus status = progress.snapshot(0);
        assertThat(status.bytesPerSecond()).isEqualTo(100);
        assertThat(status.elapsedSeconds()).isEqualTo(2);
        assertThat(status.secondsLeft()).isEqualTo(8);
        assertThat(status.speedLimit()).isEmpty();
        assertThat(progress.snapshot(4096).speedLimit()).hasValue(4096);
        assertThat(status.pass()).isEqualTo(1);
        assertThat(status.attempts()).isEqualTo(1);
    }

    private long bytesLeft() {
        clock.addAndGet(1_000_000_000L);
        return progress.snapshot(0).bytesLeft();
    }
}
