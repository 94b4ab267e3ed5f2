package net.flexnbd.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.flexnbd.storage.AllocationRun;
import net.flexnbd.storage.BlockStore;

/** An in-memory store that reports every all-zero 512-byte block as a hole, for reply tests. */
final class ZeroBlocksAsHolesStore implements BlockStore {
    static final int BLOCK = 512;

    private final byte[] bytes;

    ZeroBlocksAsHolesStore(byte[] bytes) {
        this.bytes = bytes;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) {
        src.get(bytes, (int) offset, src.remaining());
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) {
        java.util.Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
    }

    @Override
    public void trim(long offset, long length, boolean durable) {
        writeZeroes(offset, length, true, durable);
    }

    @Override
    public void flush() {
    }

    @Override
    public void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException {
        visitor.extent(from, to - from);
    }

    @Override
    public AllocationRun allocationAt(long offset, long end) {
        boolean hole = isZeroBlock(offset / BLOCK);
        long at = (offset / BLOCK + 1) * BLOCK;
        while (at < end && isZeroBlock(at / BLOCK) == hole) {
            at += BLOCK;
        }
        return new AllocationRun(offset, Math.min(at, end) - offset, hole);
    }

    private boolean isZeroBlock(long block) {
        for (int i = (int) block * BLOCK; i < (block + 1) * BLOCK; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
    }
}
