package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import net.flexnbd.server.StatusReport;
import org.junit.jupiter.api.Test;

/** What status says about a migration's progress, across retried attempts. */
class MigrationProgressTest {
    private final AtomicLong clock = new AtomicLong();
    private final MigrationProgress progress = new MigrationProgress(clock::get);

    @Test
    void bytesLeftIsTheWholeFileUntilTheFirstPassSendsAndStartsOverWithEachAttempt() {
        progress.attemptStarted(1000);
        assertThat(bytesLeft()).isEqualTo("1000");
        progress.passStarted(1, () -> 1000 - progress.bytesSentThisAttempt());
        progress.sent(600);
        assertThat(bytesLeft()).isEqualTo("400");

        progress.attemptStarted(1000);
        assertThat(bytesLeft()).as("a new attempt, before its first pass").isEqualTo("1000");
        progress.passStarted(1, () -> 1000 - progress.bytesSentThisAttempt());
        progress.sent(100);
        assertThat(bytesLeft()).as("the earlier attempt's bytes do not count").isEqualTo("900");
        assertThat(progress.attempts()).isEqualTo(2);
        assertThat(progress.bytesSent()).isEqualTo(700);
    }

    private String bytesLeft() {
        StatusReport report = new StatusReport();
        clock.addAndGet(1_000_000_000L);
        progress.describe(report, 0);
        return report.fields().get("migration_bytes_left");
    }
}
