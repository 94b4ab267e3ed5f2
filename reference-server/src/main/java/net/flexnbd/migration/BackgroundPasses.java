package net.flexnbd.migration;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the passes that copy while clients write on a thread of lower CPU priority (a nice
 * value of {@link #NICE}, or {@code flexnbd.migration.passNice}), so that on a busy machine
 * the server's client threads get the CPU first and a client write does not wait for a
 * storage thread while the migration reads and sends. While no client has written for
 * {@link #QUIET}, a call runs on the caller's thread at normal priority instead: with nobody
 * to give way to, a nicer migration would only lose the CPU to other processes. The final
 * pass and the handover, during which clients wait, stay on the migration's own thread at
 * normal priority (a thread cannot be given its priority back without privilege, hence a
 * thread of its own). One migration thread uses it; the caller waits for each call, so the
 * link is used by one thread at a time.
 */
final class BackgroundPasses implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundPasses.class);
    /** The passes' nice value unless {@code flexnbd.migration.passNice} says otherwise; 0 keeps normal priority. */
    static final int NICE = 10;
    /** Clients that have not written for this long are not writing. */
    static final long QUIET = 1_000_000_000L;
    /** {@link #clientWrote()} stamps the time at most this often. */
    private static final long STAMP_EVERY = 10_000_000L;

    /** The work of a call: the passes. */
    @FunctionalInterface
    interface Passes<T> {
        T run() throws IOException, InterruptedException;
    }

    private final ExecutorService thread;
    private final LongSupplier nanoClock;
    /** When a client last wrote ({@link #clientWrote()}), in {@link #nanoClock} time; 0 before any. */
    private volatile long lastClientWrite;
    private volatile boolean anyClientWrite;

    BackgroundPasses(String name) {
        this(name, System::nanoTime);
    }

    BackgroundPasses(String name, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        int nice = Integer.getInteger("flexnbd.migration.passNice", NICE);
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(() -> {
                if (nice > 0) {
                    String problem = ThreadNice.makeCurrentThreadNicer(nice);
                    if (problem != null) {
                        log.debug("the migration's passes run at normal priority: {}", problem);
                    } else {
                        log.debug("the migration's passes run at nice {}", nice);
                    }
                }
                task.run();
            }, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** A client changed the file: called on every client write, so cheap (a read, and a write now and then). */
    void clientWrote() {
        long now = nanoClock.getAsLong();
        if (!anyClientWrite || now - lastClientWrite >= STAMP_EVERY) {
            lastClientWrite = now;
            anyClientWrite = true;
        }
    }

    /** Whether a client wrote within {@link #QUIET}. */
    boolean clientsWriting() {
        return anyClientWrite && nanoClock.getAsLong() - lastClientWrite < QUIET;
    }

    /**
     * Runs {@code passes} and waits for it, on the background thread while clients write, else
     * on the caller's; what it throws is thrown here.
     */
    <T> T run(Passes<T> passes) throws IOException, InterruptedException {
        if (!clientsWriting()) {
            return passes.run();
        }
        Future<T> running = thread.submit(passes::run);
        try {
            return running.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }

    @Override
    public void close() {
        thread.shutdown();
    }
}
