package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A store held in memory, for handler and executor tests: no holes, every call counted. */
public final class MemoryBlockStore implements BlockStore {
    private final byte[] bytes;
    private volatile IOException failure;
    private int flushes;
    private volatile boolean cached;
    private int cachedReads;
    private final java.util.List<String> calls = new java.util.ArrayList<>();

    public MemoryBlockStore(int size) {
        this.bytes = new byte[size];
    }

    /** Makes every later call fail with {@code e} (null: succeed again). */
    public void failWith(IOException e) {
        this.failure = e;
    }

    /** With true, {@link #readCached} answers from memory as a page cache holding everything would. */
    public void holdInCache(boolean inCache) {
        this.cached = inCache;
    }

    /** Reads answered by {@link #readCached}. */
    public synchronized int cachedReads() {
        return cachedReads;
    }

    public synchronized int flushes() {
        return flushes;
    }

    /** Every change and flush so far, as {@code write 0+512 durable}, {@code flush}. */
    public synchronized java.util.List<String> calls() {
        return java.util.List.copyOf(calls);
    }

    public synchronized byte[] snapshot(int offset, int length) {
        byte[] copy = new byte[length];
        System.arraycopy(bytes, offset, copy, 0, length);
        return copy;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) throws IOException {
        check();
        dst.put(bytes, (int) offset, dst.remaining());
    }

    @Override
    public synchronized boolean readCached(long offset, ByteBuffer dst) throws IOException {
        if (!cached) {
            return false;
        }
        check();
        cachedReads++;
        dst.put(bytes, (int) offset, dst.remaining());
        return true;
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        check();
        calls.add("write " + offset + "+" + src.remaining() + (durable ? " durable" : ""));
        src.get(bytes, (int) offset, src.remaining());
    }

    @Override
    public synchronized void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException {
        check();
        java.util.Arrays.fill(bytes, (int) offset, (int) (offset + length), (byte) 0);
    }

    @Override
    public void trim(long offset, long length, boolean durable) throws IOException {
        writeZeroes(offset, length, true, durable);
    }

    @Override
    public synchronized void flush() throws IOException {
        check();
        calls.add("flush");
        flushes++;
    }

    @Override
    public void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException {
        check();
        visitor.extent(from, to - from);
    }

    @Override
    public void close() {
    }

    private void check() throws IOException {
        IOException e = failure;
        if (e != null) {
            throw e;
        }
    }
}
