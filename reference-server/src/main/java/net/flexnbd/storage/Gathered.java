package net.flexnbd.storage;

import java.nio.ByteBuffer;

/** Helpers for a write that arrives as several buffers. */
final class Gathered {

    private Gathered() {}

    /** Bytes remaining in all of {@code srcs}. */
    static long remaining(ByteBuffer[] srcs) {
        long total = 0;
        for (ByteBuffer src : srcs) {
            total += src.remaining();
        }
        return total;
    }

    /** True when every remaining byte of every buffer is zero. */
    static boolean isAllZero(ByteBuffer[] srcs) {
        for (ByteBuffer src : srcs) {
            if (!Zeroes.isAllZero(src)) {
                return false;
            }
        }
        return true;
    }

    /** True when every buffer is direct, so that the kernel can read it in place. */
    static boolean allDirect(ByteBuffer[] srcs) {
        for (ByteBuffer src : srcs) {
            if (!src.isDirect()) {
                return false;
            }
        }
        return true;
    }

    /** One buffer holding the remaining bytes of {@code srcs}, in order; consumes them. */
    static ByteBuffer join(ByteBuffer[] srcs) {
        long total = remaining(srcs);
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("buffers hold " + total + " bytes, more than one buffer can");
        }
        ByteBuffer joined = ByteBuffer.allocate((int) total);
        for (ByteBuffer src : srcs) {
            joined.put(src);
        }
        return joined.flip();
    }
}
