package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A test store that passes every call on to another, for tests that change one call and
 * keep the rest. Only the methods every store must have are passed on: the optional ones
 * keep {@link BlockStore}'s defaults, as a plain store of the test's own would. Closing it
 * leaves the wrapped store open: the test that made that store closes it.
 */
public abstract class ForwardingStore implements BlockStore {
    protected final BlockStore store;

    protected ForwardingStore(BlockStore store) {
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
        store.write(offset, src, durable);
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
    public void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException {
        store.forEachDataExtent(from, to, visitor);
    }

    @Override
    public void close() {
    }
}
