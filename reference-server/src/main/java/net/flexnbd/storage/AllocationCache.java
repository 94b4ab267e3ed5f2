package net.flexnbd.storage;

import java.util.Map;
import java.util.TreeMap;

/**
 * The data and hole runs learned from a store's answers, so that a BLOCK_STATUS whose range
 * is known is answered from memory (on the event loop) instead of by lseek on a storage
 * thread. It only remembers what the store said, and forgets every run near a change:
 * coherent as long as every change to the file is reported to {@link #changed} once it has
 * reached the file (the served file is locked, so all of them go through the server's store).
 *
 * <p>A run learned from an answer the store gave before a change, but offered after it, is
 * refused: each offer carries the {@link #generation()} read before the store was asked, and
 * every change moves the generation on. Thread-safe; every call is short and touches memory only.
 */
public final class AllocationCache {
    /** Runs kept at most; past that everything is forgotten and learned again. */
    static final int MAX_RUNS = 1 << 14;
    /**
     * How far around a change known runs are forgotten: a write into a hole allocates whole
     * file system blocks (or clusters), so the data a lseek reports may reach past the bytes written.
     */
    static final long CHANGE_MARGIN = 1 << 20;

    /** Known runs by their start; they never overlap, and adjacent runs of one kind are merged. */
    private final TreeMap<Long, AllocationRun> runs = new TreeMap<>();
    private long generation;

    /** Read before asking the store, and given back with what it answered to {@link #learn}. */
    public synchronized long generation() {
        return generation;
    }

    /**
     * The known run of data or of hole that starts at {@code offset}, clipped to {@code end}
     * (it may stop before the true end of the run); null when the cache does not know.
     */
    public synchronized AllocationRun lookup(long offset, long end) {
        Map.Entry<Long, AllocationRun> floor = runs.floorEntry(offset);
        if (floor == null || floor.getValue().end() <= offset) {
            return null;
        }
        AllocationRun known = floor.getValue();
        return new AllocationRun(offset, Math.min(known.end(), end) - offset, known.hole());
    }

    /** Remembers {@code run}, what the store answered, unless the file changed since {@code since}. */
    public synchronized void learn(AllocationRun run, long since) {
        if (since != generation) {
            return;
        }
        removeOverlapping(run.offset(), run.end());
        long start = run.offset();
        long end = run.end();
        Map.Entry<Long, AllocationRun> before = runs.lowerEntry(start);
        if (before != null && before.getValue().end() == start && before.getValue().hole() == run.hole()) {
            start = before.getKey();
            runs.remove(start);
        }
        AllocationRun after = runs.get(end);
        if (after != null && after.hole() == run.hole()) {
            runs.remove(end);
            end = after.end();
        }
        if (runs.size() >= MAX_RUNS) {
            runs.clear();
        }
        runs.put(start, new AllocationRun(start, end - start, run.hole()));
    }

    /** The file changed in {@code [offset, offset+length)}: what was known near it is forgotten. */
    public synchronized void changed(long offset, long length) {
        generation++;
        if (!runs.isEmpty()) {
            removeOverlapping(Math.max(0, offset - CHANGE_MARGIN), offset + length + CHANGE_MARGIN);
        }
    }

    /** Known runs now (tests). */
    synchronized int size() {
        return runs.size();
    }

    private void removeOverlapping(long from, long to) {
        Map.Entry<Long, AllocationRun> floor = runs.floorEntry(from);
        if (floor != null && floor.getValue().end() > from) {
            runs.remove(floor.getKey());
        }
        runs.subMap(from, true, to, false).clear();
    }
}
