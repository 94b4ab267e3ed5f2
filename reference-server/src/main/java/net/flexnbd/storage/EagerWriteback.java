package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A store filter for a migration's destination: once {@link #WINDOW} bytes have been written
 * it starts the writeback ({@link BlockStore#startWriteback}) of the span they lie in, so
 * that the disk writes while the data arrives instead of all at once in the flush ENTRUST
 * waits for. One call per window rather than per write: a dirty pass's 4 KiB writes would
 * otherwise cost a system call and an I/O submission each, on the CPU the source's clients
 * share on one machine, while the kernel can merge what a window's call starts. Everything
 * else passes through unchanged; it makes nothing durable that was not.
 */
public final class EagerWriteback implements BlockStore {
    /** Bytes written between two starts of writeback. */
    static final long WINDOW = 1L << 20;

    private final BlockStore store;
    private final Object lock = new Object();
    // Under lock: the span written since the last start, and how much was written in it.
    private long spanFrom = Long.MAX_VALUE;
    private long spanTo;
    private long written;

    public EagerWriteback(BlockStore store) {
        this.store = store;
    }

    /** Notes a write of {@code [offset, offset + length)}; starts the span's writeback once a window is full. */
    private void wrote(long offset, long length) throws IOException {
        long from;
        long to;
        synchronized (lock) {
            spanFrom = Math.min(spanFrom, offset);
            spanTo = Math.max(spanTo, offset + length);
            written += length;
            if (written < WINDOW) {
                return;
            }
            from = spanFrom;
            to = spanTo;
            spanFrom = Long.MAX_VALUE;
            spanTo = 0;
            written = 0;
        }
        store.startWriteback(from, to - from);
    }

    @Override
    public long size() {
        return store.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        store.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        int length = src.remaining();
        store.write(offset, src, durable);
        if (!durable) {
            wrote(offset, length);
        }
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        long length = Gathered.remaining(srcs);
        store.write(offset, srcs, durable);
        if (!durable) {
            wrote(offset, length);
        }
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException {
        store.writeZeroes(offset, length, mayPunch, durable);
    }

    @Override
    public void trim(long offset, long length, boolean durable) throws IOException {
        store.trim(offset, length, durable);
    }

    @Override
    public void flush() throws IOException {
        store.flush();
    }

    @Override
    public void startWriteback(long offset, long length) throws IOException {
        store.startWriteback(offset, length);
    }

    @Override
    public void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException {
        store.forEachDataExtent(from, to, visitor);
    }

    @Override
    public void close() throws IOException {
        store.close();
    }

    @Override
    public String toString() {
        return "EagerWriteback[" + store + "]";
    }
}
