package net.flexnbd.export;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One connection's queue onto the storage workers: its tasks run one at a time, in the
 * order given, on whichever worker the pool lends. A worker that finishes a task takes the
 * lane's next one itself, so a client that keeps writing keeps one worker busy instead of
 * waking a parked one (two context switches) for every request.
 */
final class SerialLane implements Executor {
    private final Executor workers;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set while a worker drains the lane. */
    private final AtomicBoolean draining = new AtomicBoolean();

    SerialLane(Executor workers) {
        this.workers = workers;
    }

    /**
     * Queues {@code task}, and lends a worker to the lane when none drains it.
     *
     * @throws RejectedExecutionException when the pool is closed and no worker drains the
     *         lane; the task is then not queued
     */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (draining.compareAndSet(false, true)) {
            try {
                workers.execute(this::drain);
            } catch (RejectedExecutionException e) {
                tasks.remove(task);
                draining.set(false);
                throw e;
            }
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            while ((next = tasks.poll()) != null) {
                next.run(); // StorageExecutor's tasks complete a future and never throw
            }
            draining.set(false);
            // A task queued after the last poll and before the flag was cleared found the
            // lane draining and lent no worker: take it up here.
            if (tasks.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
