package net.flexnbd.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Random values for one test case, all drawn from one seed. Numbers lean towards their
 * edges (the bounds, zero, the extremes of the type) about one time in eight, because that
 * is where codecs and range checks break.
 */
public final class Gen {
    private static final int EDGE_ONE_IN = 8;

    private final SplittableRandom random;

    private Gen(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public static Gen of(long seed) {
        return new Gen(seed);
    }

    /** A fresh seed for a helper that wants its own {@link java.util.Random}. */
    public long seed() {
        return random.nextLong();
    }

    public boolean bool() {
        return random.nextBoolean();
    }

    /** A double in [0, 1). */
    public double fraction() {
        return random.nextDouble();
    }

    /** An int in [lo, hi], bounds included. */
    public int between(int lo, int hi) {
        return (int) between((long) lo, (long) hi);
    }

    /** A long in [lo, hi], bounds included. */
    public long between(long lo, long hi) {
        if (lo > hi) {
            throw new IllegalArgumentException("lo (" + lo + ") must not exceed hi (" + hi + ")");
        }
        if (random.nextInt(EDGE_ONE_IN) == 0) {
            return switch (random.nextInt(3)) {
                case 0 -> lo;
                case 1 -> hi;
                default -> lo <= 0 && 0 <= hi ? 0 : lo + 1 <= hi ? lo + 1 : lo;
            };
        }
        if (lo == Long.MIN_VALUE && hi == Long.MAX_VALUE) {
            return random.nextLong();
        }
        return hi == Long.MAX_VALUE ? random.nextLong(lo - 1, hi) + 1 : random.nextLong(lo, hi + 1);
    }

    public int anyInt() {
        return between(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    public long anyLong() {
        return between(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    public short anyShort() {
        return (short) between(Short.MIN_VALUE, Short.MAX_VALUE);
    }

    /** Random bytes, of a length in [0, maxSize] (leaning towards the edges). */
    public byte[] bytes(int maxSize) {
        return bytes(0, maxSize);
    }

    public byte[] bytes(int minSize, int maxSize) {
        byte[] out = new byte[between(minSize, maxSize)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) random.nextInt(256);
        }
        return out;
    }

    /** A string of up to maxLength characters: ASCII, other BMP characters or surrogate halves. */
    public String string(int maxLength) {
        StringBuilder s = new StringBuilder();
        int length = between(0, maxLength);
        for (int i = 0; i < length; i++) {
            s.append(switch (random.nextInt(4)) {
                case 0, 1 -> (char) between(0x20, 0x7e);
                case 2 -> (char) between(0, 0xffff);
                default -> (char) between(0xd800, 0xdfff);
            });
        }
        return s.toString();
    }

    /** A string of [minLength, maxLength] characters taken from chars. */
    public String string(String chars, int minLength, int maxLength) {
        StringBuilder s = new StringBuilder();
        int length = between(minLength, maxLength);
        for (int i = 0; i < length; i++) {
            s.append(chars.charAt(random.nextInt(chars.length())));
        }
        return s.toString();
    }

    @SafeVarargs
    public final <T> T pick(T... values) {
        return values[random.nextInt(values.length)];
    }

    public int pickInt(int... values) {
        return values[random.nextInt(values.length)];
    }

    public long pickLong(long... values) {
        return values[random.nextInt(values.length)];
    }

    /** An index into weights, drawn with the probability its weight gives it. */
    public int weighted(int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int roll = random.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            roll -= weights[i];
            if (roll < 0) {
                return i;
            }
        }
        throw new AssertionError("unreachable");
    }

    /** A list of [minSize, maxSize] elements, each from element. */
    public <T> List<T> list(int minSize, int maxSize, Supplier<T> element) {
        int size = between(minSize, maxSize);
        List<T> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(element.get());
        }
        return out;
    }
}
