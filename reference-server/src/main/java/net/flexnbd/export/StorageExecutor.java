package net.flexnbd.export;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

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
        ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(threads,
                new DefaultThreadFactory("nbd-storage", true));
        // All at once: a pool that grew on demand would add a thread whenever a call came while
        // fewer than all were up, even with idle ones, so its size would follow the traffic.
        pool.prestartAllCoreThreads();
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
        if (kind == Kind.WRITE) {
            return this.<T>reserveWrite().run(call);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        if (kind == Kind.READ) {
            run(call, result);
        } else {
            CompletableFuture<?>[] earlier = writesInFlight.toArray(CompletableFuture<?>[]::new);
            // A failed write is still finished: the flush runs after it all the same.
            CompletableFuture.allOf(earlier).whenComplete((done, failure) -> run(call, result));
        }
        return result;
    }

    /**
     * A WRITE whose call is not known yet: a FLUSH submitted from now on waits for it, as if
     * it had been submitted now. A connection takes one for the writes it gathers from one
     * read of its socket, so that they cost one hand-off and one map entry, not one each,
     * and a FLUSH (or ENTRUST) that arrives behind them in the same read still waits for them.
     * Exactly one of {@link WriteSlot#run} or {@link WriteSlot#cancel} must follow.
     */
    public <T> WriteSlot<T> reserveWrite() {
        CompletableFuture<T> result = new CompletableFuture<>();
        writesInFlight.add(result);
        result.whenComplete((value, failure) -> writesInFlight.remove(result));
        return new WriteSlot<>(this, result);
    }

    /** A reserved WRITE: see {@link #reserveWrite()}. */
    public static final class WriteSlot<T> {
        private final StorageExecutor executor;
        private final CompletableFuture<T> result;

        private WriteSlot(StorageExecutor executor, CompletableFuture<T> result) {
            this.executor = executor;
            this.result = result;
        }

        /** Runs {@code call} on a worker, as {@link #submit} does; returns its future. */
        public CompletableFuture<T> run(Callable<T> call) {
            executor.run(executor.workers, call, result);
            return result;
        }

        /** Runs {@code call} in {@code lane}, after the calls given to it before. */
        public CompletableFuture<T> runIn(Lane lane, Callable<T> call) {
            executor.run(lane.serial, call, result);
            return result;
        }

        /** Nothing to run after all: flushes waiting for this slot go on. */
        public void cancel() {
            result.complete(null);
        }
    }

    /** Writes submitted and not yet completed. */
    public int writesInFlight() {
        return writesInFlight.size();
    }

    /**
     * A queue of one's own onto the workers, for calls that may run one after another (a
     * connection's plain writes): they run in order, one at a time, and a busy lane keeps
     * its worker instead of waking another for each call. Ordering against FLUSH is as for
     * any WRITE.
     */
    public Lane lane() {
        return new Lane(new SerialLane(workers));
    }

    /** See {@link #lane()}. */
    public static final class Lane {
        private final SerialLane serial;

        private Lane(SerialLane serial) {
            this.serial = serial;
        }
    }

    private <T> void run(Callable<T> call, CompletableFuture<T> result) {
        run(workers, call, result);
    }

    private static <T> void run(Executor on, Callable<T> call, CompletableFuture<T> result) {
        try {
            on.execute(() -> {
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
