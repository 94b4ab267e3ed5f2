package net.flexnbd.storage;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Zero detection for write payloads, and a shared buffer of zeroes to write from. The check
 * runs on every write, so it compares eight bytes at a time (heap arrays: the JDK's vectorised
 * mismatch) and stops at the first non-zero word: real data almost always fails at once.
 */
final class Zeroes {

    /** How many zero bytes one {@link #buffer()} call offers at most. */
    static final int CHUNK = 1 << 20;

    /** Read-only, never handed out itself: callers get a duplicate with their own position. */
    private static final ByteBuffer ZEROES = ByteBuffer.allocateDirect(CHUNK).asReadOnlyBuffer();

    private Zeroes() {
    }

    /** Compared against heap payloads, whose arrays the JDK can compare with vector instructions. */
    private static final byte[] ZERO_ARRAY = new byte[8192];

    /** True when every byte from {@code buf}'s position to its limit is zero; moves nothing. */
    static boolean isAllZero(ByteBuffer buf) {
        int i = buf.position();
        int end = buf.limit();
        if (buf.hasArray()) {
            return isAllZero(buf.array(), buf.arrayOffset() + i, buf.arrayOffset() + end);
        }
        // Byte order does not matter for a test against zero.
        int wordsEnd = i + ((end - i) & ~31);
        for (; i < wordsEnd; i += 32) {
            if ((buf.getLong(i) | buf.getLong(i + 8) | buf.getLong(i + 16) | buf.getLong(i + 24)) != 0) {
                return false;
            }
        }
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            if (buf.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAllZero(byte[] array, int from, int to) {
        for (int i = from; i < to; i += ZERO_ARRAY.length) {
            int n = Math.min(ZERO_ARRAY.length, to - i);
            if (Arrays.mismatch(array, i, i + n, ZERO_ARRAY, 0, n) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** A fresh view of {@code min(length, CHUNK)} zero bytes. */
    static ByteBuffer buffer(long length) {
        ByteBuffer view = ZEROES.duplicate();
        view.limit((int) Math.min(length, CHUNK));
        return view;
    }

    /** Fills {@code dst} from its position to its limit with zero bytes. */
    static void fill(ByteBuffer dst) {
        while (dst.remaining() >= Long.BYTES) {
            dst.putLong(0L);
        }
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }
}
