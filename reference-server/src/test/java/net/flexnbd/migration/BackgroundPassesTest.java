package net.flexnbd.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackgroundPassesTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final BackgroundPasses passes = new BackgroundPasses("passes-under-test", now::get);

    @BeforeEach
    void clientsWrite() {
        passes.clientWrote();
    }

    @AfterEach
    void close() {
        passes.close();
    }

    @Test
    void whileClientsWritePassesRunOnTheirOwnThreadAndTheirResultComesBack() throws Exception {
        String caller = Thread.currentThread().getName();

        String ranOn = passes.run(() -> Thread.currentThread().getName());

        assertThat(ranOn).isEqualTo("passes-under-test").isNotEqualTo(caller);
    }

    @Test
    void withoutClientWritesPassesRunOnTheCallersThreadAtItsPriority() throws Exception {
        BackgroundPasses quiet = new BackgroundPasses("quiet-passes", now::get);
        try {
            assertThat(quiet.clientsWriting()).isFalse();
            assertThat(quiet.run(() -> Thread.currentThread().getName())).isEqualTo(Thread.currentThread().getName());
        } finally {
            quiet.close();
        }
    }

    @Test
    void clientsThatStoppedWritingForTheQuietSpellNoLongerCount() throws Exception {
        now.addAndGet(BackgroundPasses.QUIET - 1);
        assertThat(passes.clientsWriting()).isTrue();
        assertThat(passes.run(() -> Thread.currentThread().getName())).isEqualTo("passes-under-test");

        now.addAndGet(1);
        assertThat(passes.clientsWriting()).isFalse();
        assertThat(passes.run(() -> Thread.currentThread().getName())).isEqualTo(Thread.currentThread().getName());

        passes.clientWrote();
        assertThat(passes.clientsWriting()).isTrue();
    }

    @Test
    void thePassesThreadIsNicerThanTheCaller() throws Exception {
        Path self = Path.of("/proc/thread-self/stat");
        assumeTrue(Files.isReadable(self), "Linux /proc");
        int callerNice = niceOf(Files.readString(self));

        int passesNice = passes.run(() -> niceOf(Files.readString(Path.of("/proc/thread-self/stat"))));

        assertThat(passesNice).isEqualTo(Math.max(callerNice, BackgroundPasses.NICE));
        assertThat(niceOf(Files.readString(self))).as("the caller's own priority is unchanged").isEqualTo(callerNice);
    }

    @Test
    void whatThePassesThrowIsThrownToTheCaller() {
        assertThatThrownBy(() -> passes.run(() -> {
            throw new IOException("the destination closed the link");
        })).isInstanceOf(IOException.class).hasMessage("the destination closed the link");
        assertThatThrownBy(() -> passes.run(() -> {
            throw new InterruptedException("mirror cancelled");
        })).isInstanceOf(InterruptedException.class).hasMessage("mirror cancelled");
        assertThatThrownBy(() -> passes.run(() -> {
            throw new IllegalStateException("a bug");
        })).isInstanceOf(IllegalStateException.class).hasMessage("a bug");
    }

    @Test
    void aFailedPassLeavesTheThreadUsableForTheNext() throws Exception {
        assertThatThrownBy(() -> passes.run(() -> {
            throw new IOException("first attempt failed");
        })).isInstanceOf(IOException.class);

        assertThat(passes.run(() -> 42)).isEqualTo(42);
    }

    /** Field 19 of /proc/.../stat, counted after the command name in parentheses. */
    private static int niceOf(String stat) {
        String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(after[16]); // fields 3.. start at index 0: nice is field 19
    }
}
