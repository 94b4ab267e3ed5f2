package net.flexnbd.steps.world;

import java.time.Duration;
import java.util.Locale;

/** Reads the sizes ("64 MiB") and durations ("300 ms") that feature files are written in. */
public final class Quantities {
    private Quantities() {}

    /** {@code amount} of {@code unit}: bytes/byte/B, KiB, MiB or GiB (powers of 1024). */
    public static long bytes(String amount, String unit) {
        long n = Long.parseLong(amount);
        long scale = switch (unit) {
            case "B", "byte", "bytes" -> 1L;
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            default -> throw new IllegalArgumentException("unknown size unit '" + unit + "'; expected bytes, KiB, MiB or GiB");
        };
        return Math.multiplyExact(n, scale);
    }

    /** {@code amount} of {@code unit}: ms/millisecond(s), s/second(s) or minute(s). */
    public static Duration duration(String amount, String unit) {
        long n = Long.parseLong(amount);
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "ms", "millisecond", "milliseconds" -> Duration.ofMillis(n);
            case "s", "second", "seconds" -> Duration.ofSeconds(n);
            case "minute", "minutes" -> Duration.ofMinutes(n);
            default -> throw new IllegalArgumentException("unknown duration unit '" + unit
                    + "'; expected ms, seconds or minutes");
        };
    }

    /** A size as an int, for a single request; fails if it is 2 GiB or more. */
    public static int requestLength(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a request of " + bytes + " bytes does not fit an NBD request's length");
        }
        return (int) bytes;
    }
}
