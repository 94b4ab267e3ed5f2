package net.flexnbd.export;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * The threads that call the store, shared by every connection to it (nbdkit's worker
 * model): every call that may block on the disk, reads and plain writes included, runs here
 * and never on an event loop, which only decodes requests and writes replies. A page-cache
 * miss or dirty-page throttling then holds up one worker, not every connection on a loop.
 *
 * <p>Calls run concurrently and complete in any order, as NBD allows, with one rule: a
 * {@link Kind#FLUSH} starts only once every {@link Kind#WRITE} submitted before it has
 * completed, so that it makes durable every write received before it, not only those
 * already answered (which is all NBD asks).
 */
public final class StorageExecutor implements AutoCloseable {
    /** Worker threads unless {@code flexnbd.storageThreads} says otherwise. */
    public static final int DEFAULT_THREADS = 8;

    /** How a call is ordered against the others. */
    public enum Kind {
        /** Changes nothing: runs at once (READ). */
        READ,
        /** Changes the store: a later FLUSH waits for it (WRITE, TRIM, WRITE_ZEROES, zeroing). */
        WRITE,
        /** Makes changes durable: waits for every WRITE submitted before it (FLUSH, ENTRUST). */
        FLUSH
    }

    private final Executor workers;
    private final Runnable shutdown;
    private final Set<CompletableFuture<?>> writesInFlight = ConcurrentHashMap.newKeySet();

    /** Runs calls on {@code workers}; {@link #close()} does not stop them (tests). */
    public StorageExecutor(Executor workers) {
        this(workers, () -> { });
    }

    private StorageExecutor(Executor workers, Runnable shutdown) {
        this.workers = workers;
        this.shutdown = shutdown;
    }

    /** A pool of {@code threads} daemon workers named {@code nbd-storage-*}. */
    public static StorageExecutor withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("storage threads (" + threads + ") must be at least 1");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, new DefaultThreadFactory("nbd-storage", true));
        return new StorageExecutor(pool, pool::shutdown);
    }

    /** The pool size configured by the system property {@code flexnbd.storageThreads}. */
    public static int configuredThreads() {
        return Integer.getInteger("flexnbd.storageThreads", DEFAULT_THREADS);
    }

    /**
     * Runs {@code call} on a worker. The future completes on that worker with the result, or
     * exceptionally with what it threw, or with {@link RejectedExecutionException} once the
     * executor is closed (the call then never ran).
     */
    public <T> CompletableFuture<T> submit(Kind kind, Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        switch (kind) {
            case READ -> run(call, result);
            case WRITE -> {
                writesInFlight.add(result);
                result.whenComplete((value, failure) -> writesInFlight.remove(result));
                run(call, result);
            }
            case FLUSH -> {
                CompletableFuture<?>[] earlier = writesInFlight.toArray(CompletableFuture<?>[]::new);
                // A failed write is still finished: the flush runs after it all the same.
                CompletableFuture.allOf(earlier).whenComplete((done, failure) -> run(call, result));
            }
        }
        return result;
    }

    /** Writes submitted and not yet completed. */
    public int writesInFlight() {
        return writesInFlight.size();
    }

    private <T> void run(Callable<T> call, CompletableFuture<T> result) {
        try {
            workers.execute(() -> {
                try {
                    result.complete(call.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
    }

    /** Stops taking calls; those already submitted still run. */
    @Override
    public void close() {
        shutdown.run();
    }
}
