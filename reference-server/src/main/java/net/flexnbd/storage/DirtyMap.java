package net.flexnbd.storage;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which blocks of a store were written since a migration last copied them: client I/O
 * threads mark, the migration drains. One bit per block in a lock-free bitmap (2 MiB for
 * 64 GiB at 4 KiB blocks).
 *
 * <p>Mark a range only once its write has reached the store (before acknowledging it). A
 * drain clears each block before visiting it, so a write that lands during or after the
 * visit marks the block again and the next pass sends it; no write is ever missed.
 */
public final class DirtyMap {

    /** The block size when none is given. */
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Keeps the word count within what a Java array can hold. */
    private static final long MAX_WORDS = Integer.MAX_VALUE - 8;

    /** Bytes covered; the last block may be partial. */
    private final long size;
    private final int blockSize;
    /** log2(blockSize). */
    private final int shift;
    /** Bytes of the last block that lie beyond {@link #size} (0 when size is a multiple). */
    private final long lastBlockShortfall;
    /** Number of blocks, the last one possibly partial. */
    private final long blocks;
    /** Bit {@code b & 63} of word {@code b >>> 6} is set when block {@code b} is dirty. */
    private final long[] words;
    /** How many bits are set, kept up to date so that progress reports never scan. */
    private final AtomicLong dirtyBlocks = new AtomicLong();

    /** A map over {@code size} bytes in blocks of {@link #DEFAULT_BLOCK_SIZE}. */
    public DirtyMap(long size) {
        this(size, DEFAULT_BLOCK_SIZE);
    }

    /**
     * A map over {@code size} bytes in blocks of {@code blockSize} bytes, a power of two of
     * at least 512.
     */
    public DirtyMap(long size, int blockSize) {
        if (size < 0) {
            throw new IllegalArgumentException("size (" + size + ") must not be negative");
        }
        if (blockSize < 512 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException(
                    "blockSize (" + blockSize + ") must be a power of two of at least 512");
        }
        this.size = size;
        this.blockSize = blockSize;
        this.shift = Integer.numberOfTrailingZeros(blockSize);
        long tail = size & (blockSize - 1);
        this.lastBlockShortfall = tail == 0 ? 0 : blockSize - tail;
        this.blocks = (size >>> shift) + (tail == 0 ? 0 : 1);
        long wordCount = (blocks + 63) >>> 6;
        if (wordCount > MAX_WORDS) {
            throw new IllegalArgumentException("size (" + size + ") has too many blocks of "
                    + blockSize + " bytes for one map; use a larger block size");
        }
        this.words = new long[(int) wordCount];
    }

    public long size() {
        return size;
    }

    public int blockSize() {
        return blockSize;
    }

    /**
     * Marks every block that {@code [offset, offset+length)} touches. Cheap when the blocks
     * are dirty already (no atomic write at all), safe from any number of threads.
     *
     * @throws IllegalArgumentException when the range is not within {@code [0, size())}
     */
    public void markDirty(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("range (offset " + offset + ", length " + length
                    + ") must lie within the map's size (" + size + ")");
        }
        if (length == 0) {
            return;
        }
        // The caller's write to the store happened just before; order it before reading the
        // bits, so that "already dirty" is never seen from before a drain's clear that
        // preceded the drain's read of the data.
        VarHandle.fullFence();
        markBlocks(offset >>> shift, (offset + length - 1) >>> shift);
    }

    /** Sets bits {@code first..last} (inclusive), counting the ones that were clear. */
    private void markBlocks(long first, long last) {
        int firstWord = (int) (first >>> 6);
        int lastWord = (int) (last >>> 6);
        long added = 0;
        for (int w = firstWord; w <= lastWord; w++) {
            long mask = -1L;
            if (w == firstWord) {
                mask &= -1L << first;
            }
            if (w == lastWord) {
                mask &= -1L >>> (63 - (last & 63));
            }
            long old = (long) WORDS.getVolatile(words, w);
            if ((old & mask) != mask) {
                old = (long) WORDS.getAndBitwiseOr(words, w, mask);
                added += Long.bitCount(mask & ~old);
            }
        }
        if (added != 0) {
            dirtyBlocks.addAndGet(added);
        }
    }

    /** Bytes in dirty blocks (the last block counted only up to {@link #size()}). */
    public long dirtyBytes() {
        long count = dirtyBlocks.get();
        if (count <= 0) {
            return 0; // a drain may briefly run ahead of a marker's count
        }
        long bytes = count << shift;
        if (lastBlockShortfall != 0 && isDirty(blocks - 1)) {
            bytes -= lastBlockShortfall;
        }
        return Math.max(0, Math.min(bytes, size));
    }

    private boolean isDirty(long block) {
        long word = (long) WORDS.getVolatile(words, (int) (block >>> 6));
        return (word & (1L << block)) != 0;
    }

    /** Forgets every dirty block (a migration starting over copies everything anyway). */
    public void clear() {
        for (int w = 0; w < words.length; w++) {
            if ((long) WORDS.getVolatile(words, w) != 0) {
                long old = (long) WORDS.getAndSet(words, w, 0L);
                dirtyBlocks.addAndGet(-Long.bitCount(old));
            }
        }
    }

    /**
     * Takes every dirty block out of the map and hands them to {@code visitor} as runs of
     * contiguous blocks, in offset order, each at most {@code maxRunBytes} long and clipped
     * to {@link #size()}. Blocks are cleared before their run is visited: a block marked
     * meanwhile is dirty again for the next drain. If the visitor throws, the run it was
     * given and every block not yet visited are marked dirty again, then the exception
     * propagates.
     *
     * @throws IllegalArgumentException when {@code maxRunBytes} is less than one block
     */
    public void drainRuns(long maxRunBytes, RunVisitor visitor) throws IOException {
        if (maxRunBytes < blockSize) {
            throw new IllegalArgumentException("maxRunBytes (" + maxRunBytes
                    + ") must be at least the block size (" + blockSize + ")");
        }
        long maxRunBlocks = maxRunBytes >>> shift;
        long runStart = 0;
        long runBlocks = 0;
        for (int w = 0; w < words.length; w++) {
            if ((long) WORDS.getVolatile(words, w) == 0) {
                continue;
            }
            long bits = (long) WORDS.getAndSet(words, w, 0L);
            dirtyBlocks.addAndGet(-Long.bitCount(bits));
            long base = (long) w << 6;
            try {
                while (bits != 0) {
                    int from = Long.numberOfTrailingZeros(bits);
                    long block = base + from;
                    if (runBlocks > 0 && runStart + runBlocks != block) {
                        visit(runStart, runBlocks, visitor);
                        runBlocks = 0;
                    }
                    if (runBlocks == 0) {
                        runStart = block;
                    }
                    int ones = Long.numberOfTrailingZeros(~(bits >>> from));
                    int take = (int) Math.min(ones, maxRunBlocks - runBlocks);
                    bits &= ~((take == 64 ? -1L : (1L << take) - 1) << from);
                    runBlocks += take;
                    if (runBlocks == maxRunBlocks) {
                        visit(runStart, runBlocks, visitor);
                        runBlocks = 0;
                    }
                }
            } catch (Throwable e) {
                restore(w, bits); // later words were never taken
                throw e;
            }
        }
        if (runBlocks > 0) {
            visit(runStart, runBlocks, visitor);
        }
    }

    /** Visits one run; if the visitor fails, the run is dirty again. */
    private void visit(long startBlock, long count, RunVisitor visitor) throws IOException {
        long offset = startBlock << shift;
        long length = Math.min(count << shift, size - offset);
        try {
            visitor.run(offset, length);
        } catch (Throwable e) {
            markBlocks(startBlock, startBlock + count - 1);
            throw e;
        }
    }

    /** Puts back bits taken from word {@code w} but not visited. */
    private void restore(int w, long bits) {
        if (bits != 0) {
            long old = (long) WORDS.getAndBitwiseOr(words, w, bits);
            dirtyBlocks.addAndGet(Long.bitCount(bits & ~old));
        }
    }

    /** Receives one run of dirty bytes. */
    @FunctionalInterface
    public interface RunVisitor {
        void run(long offset, long length) throws IOException;
    }

    @Override
    public String toString() {
        return "DirtyMap[" + size + " bytes in blocks of " + blockSize + ", " + dirtyBytes() + " dirty]";
    }
}
