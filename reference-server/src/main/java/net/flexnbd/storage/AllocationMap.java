package net.flexnbd.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Lists the data and hole runs of a range, from {@link BlockStore#allocationAt}. */
public final class AllocationMap {
    private AllocationMap() {}

    /**
     * The runs covering {@code [offset, end)} in order, at most {@code maxRuns} of them (so
     * they may stop short of {@code end}); adjacent runs of the same kind are merged.
     */
    public static List<AllocationRun> of(BlockStore store, long offset, long end, int maxRuns) throws IOException {
        if (maxRuns < 1) {
            throw new IllegalArgumentException("maxRuns (" + maxRuns + ") must be positive");
        }
        List<AllocationRun> runs = new ArrayList<>();
        long at = offset;
        while (at < end) {
            AllocationRun run = store.allocationAt(at, end);
            int last = runs.size() - 1;
            if (last >= 0 && runs.get(last).hole() == run.hole()) {
                AllocationRun previous = runs.get(last);
                runs.set(last, new AllocationRun(previous.offset(), previous.length() + run.length(), run.hole()));
            } else if (runs.size() == maxRuns) {
                break;
            } else {
                runs.add(run);
            }
            at = run.end();
        }
        return runs;
    }
}
