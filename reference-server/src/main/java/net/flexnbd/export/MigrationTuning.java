package net.flexnbd.export;

import java.time.Duration;

/**
 * How migrations are paced and when they give up on the other side.
 *
 * @param linkTimeout     longest wait for the other side on the migration link (connect,
 *                        hello, a reply, or, on the destination, the next request)
 * @param retryDelay      pause between a failed attempt and the next one
 * @param maxPasses       dirty passes before the final pass is forced
 * @param convergedBytes  dirty bytes small enough to go straight to the final pass
 * @param chunkBytes      largest single write on the link
 * @param window          writes in flight on the link at once
 */
public record MigrationTuning(Duration linkTimeout, Duration retryDelay, int maxPasses,
        long convergedBytes, int chunkBytes, int window) {

    public static final MigrationTuning DEFAULTS = new MigrationTuning(
            Duration.ofSeconds(30), Duration.ofSeconds(1), 20, 8L << 20, 1 << 20, 16);

    public MigrationTuning {
        if (linkTimeout.isNegative() || linkTimeout.isZero()) {
            throw new IllegalArgumentException("link timeout (" + linkTimeout + ") must be positive");
        }
        if (retryDelay.isNegative()) {
            throw new IllegalArgumentException("retry delay (" + retryDelay + ") must not be negative");
        }
        if (maxPasses < 1) {
            throw new IllegalArgumentException("maxPasses (" + maxPasses + ") must be at least 1");
        }
        if (chunkBytes < 4096 || chunkBytes > net.flexnbd.protocol.Nbd.MAX_PAYLOAD) {
            throw new IllegalArgumentException("chunkBytes (" + chunkBytes + ") must be within 4096.."
                    + net.flexnbd.protocol.Nbd.MAX_PAYLOAD);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window (" + window + ") must be at least 1");
        }
    }

    public MigrationTuning withLinkTimeout(Duration timeout) {
        return new MigrationTuning(timeout, retryDelay, maxPasses, convergedBytes, chunkBytes, window);
    }

    public MigrationTuning withRetryDelay(Duration delay) {
        return new MigrationTuning(linkTimeout, delay, maxPasses, convergedBytes, chunkBytes, window);
    }
}
