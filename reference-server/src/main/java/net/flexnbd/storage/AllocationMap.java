package net.flexnbd.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Lists the data and hole runs of a range, from {@link BlockStore#allocationAt}. */
public final class AllocationMap {
    private AllocationMap() {}

    /** Where the runs come from: the store asked (may read the disk), or its memory only. */
    private interface Source {
        /** The run at {@code offset}, clipped to {@code end}; null when unknown. */
        AllocationRun at(long offset, long end) throws IOException;
    }

    /**
     * The runs covering {@code [offset, end)} in order, at most {@code maxRuns} of them (so
     * they may stop short of {@code end}); adjacent runs of the same kind are merged. The
     * store is not asked past the last run that fits: a store whose runs come in pieces may
     * then have its last run reported short, as NBD allows.
     */
    public static List<AllocationRun> of(BlockStore store, long offset, long end, int maxRuns) throws IOException {
        return collect(store::allocationAt, offset, end, maxRuns);
    }

    /**
     * As {@link #of}, from {@link BlockStore#allocationCached} only, so never a disk call:
     * null when the store does not know some of the runs.
     */
    public static List<AllocationRun> cached(BlockStore store, long offset, long end, int maxRuns) {
        try {
            return collect(store::allocationCached, offset, end, maxRuns);
        } catch (IOException e) {
            throw new IllegalStateException("allocationCached cannot fail", e);
        }
    }

    private static List<AllocationRun> collect(Source source, long offset, long end, int maxRuns) throws IOException {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns (" + maxRuns + ") must be positive");
        }
        List<AllocationRun> runs = new ArrayList<>();
        long at = offset;
        while (at < end) {
            AllocationRun run = source.at(at, end);
            if (run == null) {
                return null;
            }
            int last = runs.size() - 1;
            if (last >= 0 && runs.get(last).hole() == run.hole()) {
                AllocationRun previous = runs.get(last);
                runs.set(last, new AllocationRun(previous.offset(), previous.length() + run.length(), run.hole()));
            } else {
                runs.add(run);
            }
            at = run.end();
            if (runs.size() == maxRuns && at < end) {
                break;
            }
        }
        return runs;
    }
}
