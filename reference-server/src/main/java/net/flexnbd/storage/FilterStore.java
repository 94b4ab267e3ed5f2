package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A store that passes every call, the optional ones included, on to the store underneath
 * (nbdkit's filter idea): a filter overrides only what it changes. Because the optional
 * calls are passed on too, a filter placed over the served file never hides what the file
 * can do (cached reads, the allocation map, fast zeroing) by falling back to a default.
 */
public abstract class FilterStore implements BlockStore {
    protected final BlockStore store;

    protected FilterStore(BlockStore store) {
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
    public boolean readCached(long offset, ByteBuffer dst) throws IOException {
        return store.readCached(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        store.write(offset, src, durable);
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        store.write(offset, srcs, durable);
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
    public AllocationRun allocationAt(long offset, long end) throws IOException {
        return store.allocationAt(offset, end);
    }

    @Override
    public AllocationRun allocationCached(long offset, long end) {
        return store.allocationCached(offset, end);
    }

    @Override
    public void cache(long offset, long length) throws IOException {
        store.cache(offset, length);
    }

    @Override
    public boolean zeroesFast(boolean mayPunch) {
        return store.zeroesFast(mayPunch);
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
