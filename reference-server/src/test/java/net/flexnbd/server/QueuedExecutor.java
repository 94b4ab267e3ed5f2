package net.flexnbd.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/** Stands for the storage threads: runs their tasks when the test says so, in any order. */
final class QueuedExecutor implements Executor {
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    synchronized int queued() {
        return tasks.size();
    }

    /** Runs every task, those queued while running included, oldest first. */
    void runAll() {
        Runnable next;
        while ((next = take(0)) != null) {
            next.run();
        }
    }

    /** Runs the task queued {@code index}-th among those waiting now. */
    void run(int index) {
        take(index).run();
    }

    private synchronized Runnable take(int index) {
        return tasks.size() > index ? tasks.remove(index) : null;
    }
}
