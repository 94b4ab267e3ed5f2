package net.flexnbd.testing;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

/**
 * Seeds for randomised tests. Each test draws a fixed list of seeds from its own name, so a
 * run is reproducible; the seed is in the test's display name, so a failure replays with
 * {@code -Dflexnbd.seeds=SEED} (a comma-separated list replaces every test's seeds) and a
 * new set of cases comes from {@code -Dflexnbd.seed=N} (the base all lists are drawn from).
 */
public final class Seeds {
    /** Display name for a parameterized test whose only argument is the seed. */
    public static final String NAME = "seed {0}";

    private static final long DEFAULT_BASE = 20261201L;

    private Seeds() {}

    /** {@code count} seeds for the test called {@code testName}, or the ones given on the command line. */
    public static LongStream of(String testName, int count) {
        String replay = System.getProperty("flexnbd.seeds", "").trim();
        if (!replay.isEmpty()) {
            return Arrays.stream(replay.split(",")).map(String::trim).mapToLong(Long::parseLong);
        }
        long base = Long.getLong("flexnbd.seed", DEFAULT_BASE);
        return new SplittableRandom(base ^ testName.hashCode() * 0x9E3779B97F4A7C15L).longs(count);
    }
}
