package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The served file's store with an {@link AllocationCache}: {@link #allocationAt} learns each
 * run the store reports (the whole run, not only the part asked for), and
 * {@link #allocationCached} answers from what was learned without a disk call, so that a
 * BLOCK_STATUS whose runs are known needs no storage thread. Every write, trim and zeroing
 * goes through here and makes the cache forget the runs near it, once it has reached the
 * file; so this must be the one way to the file (the server locks the file it serves, and
 * clients, a migration's reads and a destination's writes all use this store).
 */
public final class AllocationCachingStore extends FilterStore {
    /** Runs learned on one miss, the one asked for included, within the range asked. */
    static final int AHEAD_RUNS = 16;

    private final AllocationCache cache = new AllocationCache();

    public AllocationCachingStore(BlockStore store) {
        super(store);
    }

    @Override
    public AllocationRun allocationCached(long offset, long end) {
        return cache.lookup(offset, end);
    }

    @Override
    public AllocationRun allocationAt(long offset, long end) throws IOException {
        AllocationRun known = cache.lookup(offset, end);
        if (known != null) {
            return known;
        }
        long since = cache.generation();
        // To the end of the store: lseek finds the run's true end at the same cost.
        AllocationRun run = store.allocationAt(offset, store.size());
        cache.learn(run, since);
        learnAhead(run.end(), end, since);
        return new AllocationRun(offset, Math.min(run.end(), end) - offset, run.hole());
    }

    /**
     * Learns the runs after a miss that the caller asked about too, up to {@link #AHEAD_RUNS}:
     * a client that walks a file one extent at a time (qemu-img's REQ_ONE) then finds the next
     * ones known, instead of paying a storage thread for each.
     */
    private void learnAhead(long from, long end, long since) throws IOException {
        long at = from;
        for (int i = 1; i < AHEAD_RUNS && at < end && cache.lookup(at, end) == null; i++) {
            if (cache.generation() != since) {
                return; // the file changed: what follows would not be remembered
            }
            AllocationRun next = store.allocationAt(at, store.size());
            cache.learn(next, since);
            at = next.end();
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        int length = src.remaining();
        try {
            store.write(offset, src, durable);
        } finally {
            cache.changed(offset, length); // a failed write may have written part of it
        }
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        long length = Gathered.remaining(srcs);
        try {
            store.write(offset, srcs, durable);
        } finally {
            cache.changed(offset, length);
        }
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException {
        try {
            store.writeZeroes(offset, length, mayPunch, durable);
        } finally {
            cache.changed(offset, length);
        }
    }

    @Override
    public void trim(long offset, long length, boolean durable) throws IOException {
        try {
            store.trim(offset, length, durable);
        } finally {
            cache.changed(offset, length);
        }
    }

    @Override
    public String toString() {
        return "AllocationCachingStore[" + store + "]";
    }
}
