package net.flexnbd.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import net.flexnbd.export.StorageExecutor.Kind;
import org.junit.jupiter.api.Test;

/** The ordering the storage executor promises, with workers the test runs by hand. */
class StorageExecutorTest {
    private final List<Runnable> queued = new ArrayList<>();
    private final Executor workers = queued::add;
    private final StorageExecutor storage = new StorageExecutor(workers);
    private final List<String> ran = new ArrayList<>();

    private CompletableFuture<String> submit(Kind kind, String name) {
        return storage.submit(kind, () -> {
            ran.add(name);
            return name;
        });
    }

    private void runTask(int index) {
        queued.remove(index).run();
    }

    @Test
    void aFlushStartsOnlyOnceEveryWriteSubmittedBeforeItHasCompleted() {
        submit(Kind.WRITE, "write 1");
        submit(Kind.WRITE, "write 2");
        CompletableFuture<String> flush = submit(Kind.FLUSH, "flush");
        assertThat(queued).as("only the writes are waiting for a worker").hasSize(2);

        runTask(1);
        assertThat(queued).as("write 1 still runs").hasSize(1);
        runTask(0);
        assertThat(queued).as("now the flush").hasSize(1);
        runTask(0);
        assertThat(ran).containsExactly("write 2", "write 1", "flush");
        assertThat(flush).isCompletedWithValue("flush");
        assertThat(storage.writesInFlight()).isZero();
    }

    @Test
    void writesAfterAFlushAndReadsDoNotHoldItUp() {
        submit(Kind.FLUSH, "flush");
        submit(Kind.WRITE, "later write");
        submit(Kind.READ, "read");
        assertThat(queued).hasSize(3);
        runTask(0);
        assertThat(ran).containsExactly("flush");
    }

    @Test
    void aReadRunsWhileAWriteIsStillRunning() {
        submit(Kind.WRITE, "write");
        submit(Kind.READ, "read");
        runTask(1);
        assertThat(ran).containsExactly("read");
    }

    @Test
    void aFailedWriteStillLetsTheFlushRunAndReportsItsOwnFailure() {
        CompletableFuture<Object> write = storage.submit(Kind.WRITE, () -> {
            throw new IOException("disk on fire");
        });
        CompletableFuture<String> flush = submit(Kind.FLUSH, "flush");
        runTask(0);
        assertThat(write).isCompletedExceptionally();
        runTask(0);
        assertThat(flush).isCompletedWithValue("flush");
    }

    @Test
    void aClosedExecutorFailsTheCallWithoutRunningIt() {
        StorageExecutor closed = new StorageExecutor(task -> {
            throw new RejectedExecutionException("shut down");
        });
        CompletableFuture<String> read = closed.submit(Kind.WRITE, () -> "never");
        assertThat(read).isCompletedExceptionally();
        assertThat(closed.writesInFlight()).isZero();
    }

    @Test
    void aFlushWaitsForAReservedWriteWhoseCallIsGivenOnlyLater() {
        StorageExecutor.WriteSlot<String> slot = storage.reserveWrite();
        CompletableFuture<String> flush = submit(Kind.FLUSH, "flush");
        assertThat(queued).as("nothing to run yet; the flush waits for the slot").isEmpty();

        slot.run(() -> {
            ran.add("reserved write");
            return "reserved write";
        });
        runTask(0);
        runTask(0);
        assertThat(ran).containsExactly("reserved write", "flush");
        assertThat(flush).isCompletedWithValue("flush");
    }

    @Test
    void aCancelledSlotLetsTheFlushGoOn() {
        StorageExecutor.WriteSlot<String> slot = storage.reserveWrite();
        submit(Kind.FLUSH, "flush");
        slot.cancel();
        runTask(0);
        assertThat(ran).containsExactly("flush");
        assertThat(storage.writesInFlight()).isZero();
    }

    @Test
    void aLaneRunsItsCallsInOrderOnOneWorkerAndFlushesWaitForEachOfThem() {
        StorageExecutor.Lane lane = storage.lane();
        storage.<String>reserveWrite().runIn(lane, () -> ran.add("first") ? "first" : "");
        CompletableFuture<String> flush = submit(Kind.FLUSH, "flush");
        storage.<String>reserveWrite().runIn(lane, () -> ran.add("second") ? "second" : "");
        assertThat(queued).as("one worker for the lane; the flush waits for the first call").hasSize(1);

        runTask(0);
        assertThat(ran).containsExactly("first", "second");
        runTask(0);
        assertThat(ran).containsExactly("first", "second", "flush");
        assertThat(flush).isDone();
    }

    @Test
    void aRealPoolRunsCallsOffTheCallersThread() throws Exception {
        try (StorageExecutor pool = StorageExecutor.withThreads(2)) {
            String thread = pool.submit(Kind.READ, () -> Thread.currentThread().getName()).get();
            assertThat(thread).startsWith("nbd-storage");
        }
    }
}
