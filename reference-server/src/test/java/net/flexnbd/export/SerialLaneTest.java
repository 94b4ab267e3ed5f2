package net.flexnbd.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A lane's tasks run one at a time, in order, and a busy lane borrows no second worker. */
class SerialLaneTest {
    private final List<Runnable> workers = new ArrayList<>();
    private final SerialLane lane = new SerialLane(workers::add);
    private final List<String> ran = new ArrayList<>();

    @Test
    void tasksQueuedWhileTheLaneDrainsRunOnTheSameWorkerInOrder() {
        lane.execute(() -> {
            ran.add("a");
            lane.execute(() -> ran.add("c")); // queued while draining
        });
        lane.execute(() -> ran.add("b"));
        assertThat(workers).as("one worker lent").hasSize(1);

        workers.remove(0).run();
        assertThat(ran).containsExactly("a", "b", "c");
        assertThat(workers).isEmpty();

        lane.execute(() -> ran.add("d"));
        assertThat(workers).as("a drained lane borrows a worker again").hasSize(1);
    }

    @Test
    void aClosedPoolRefusesTheTaskAndLeavesTheLaneUsable() {
        AtomicInteger refusals = new AtomicInteger(1);
        SerialLane closing = new SerialLane(task -> {
            if (refusals.getAndDecrement() > 0) {
                throw new RejectedExecutionException("closed");
            }
            task.run();
        });
        assertThatThrownBy(() -> closing.execute(() -> ran.add("never"))).isInstanceOf(RejectedExecutionException.class);
        closing.execute(() -> ran.add("later"));
        assertThat(ran).containsExactly("later");
    }

    @Test
    void onARealPoolTasksFromManyThreadsNeverOverlapAndAllRun() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        try {
            SerialLane shared = new SerialLane(pool);
            AtomicInteger running = new AtomicInteger();
            List<Integer> overlaps = new CopyOnWriteArrayList<>();
            AtomicInteger done = new AtomicInteger();
            for (int s = 0; s < 4; s++) {
                submitters.execute(() -> {
                    for (int i = 0; i < 2000; i++) {
                        shared.execute(() -> {
                            if (running.incrementAndGet() != 1) {
                                overlaps.add(1);
                            }
                            running.decrementAndGet();
                            done.incrementAndGet();
                        });
                    }
                });
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> done.get() == 8000);
            assertThat(overlaps).isEmpty();
        } finally {
            submitters.shutdownNow();
            pool.shutdownNow();
        }
    }
}
