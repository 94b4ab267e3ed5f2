package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A store filter for a migration's destination: after each write it starts that range's
 * writeback ({@link BlockStore#startWriteback}), so that the disk writes while the data
 * arrives instead of all at once in the flush ENTRUST waits for. Everything else passes
 * through unchanged; it makes nothing durable that was not.
 */
public final class EagerWriteback implements BlockStore {

    private final BlockStore store;

    public EagerWriteback(BlockStore store) {
        this.store = store;
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
            store.startWriteback(offset, length);
        }
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        long length = Gathered.remaining(srcs);
        store.write(offset, srcs, durable);
        if (!durable) {
            store.startWriteback(offset, length);
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
