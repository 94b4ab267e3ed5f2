package net.flexnbd.storage;

import io.netty.channel.EventLoop;
import io.netty.util.internal.ThreadExecutorMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store that refuses to be called from a Netty event loop: such a call could block every
 * connection on that loop behind one page-cache miss. Each refused call is logged, kept in
 * {@link #violations()}, and fails with an {@link IOException}, so the request that made it
 * is answered EIO and the test that sent it sees it. The server installs it when the system
 * property {@code flexnbd.guardEventLoops} is true, which the build sets for every test.
 * {@link #size()} and {@link #zeroesFast} are not disk calls and are allowed anywhere; of
 * the calls that touch the file only {@link #readCached} is, because it never waits for the
 * disk (preadv2 with RWF_NOWAIT: what is not in the page cache is left to a storage thread);
 * {@link #allocationCached} answers from memory and is allowed too.
 */
public final class EventLoopGuardStore implements BlockStore {
    private static final Logger log = LoggerFactory.getLogger(EventLoopGuardStore.class);

    private final BlockStore store;
    private final List<String> violations = new CopyOnWriteArrayList<>();

    public EventLoopGuardStore(BlockStore store) {
        this.store = store;
    }

    /** Wraps {@code store} when {@code flexnbd.guardEventLoops} is true; otherwise returns it. */
    public static BlockStore ifConfigured(BlockStore store) {
        return Boolean.getBoolean("flexnbd.guardEventLoops") ? new EventLoopGuardStore(store) : store;
    }

    /** The refused calls so far, each as {@code call on thread}. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    private void check(String call) throws IOException {
        if (ThreadExecutorMap.currentExecutor() instanceof EventLoop) {
            String violation = call + " on " + Thread.currentThread().getName();
            violations.add(violation);
            IOException e = new IOException("storage call on an event loop: " + violation);
            log.error("{}", e.getMessage(), e);
            throw e;
        }
    }

    @Override
    public long size() {
        return store.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        check("read");
        store.read(offset, dst);
    }

    /** Allowed on an event loop: it answers from memory or not at all. */
    @Override
    public boolean readCached(long offset, ByteBuffer dst) throws IOException {
        return store.readCached(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        check("write");
        store.write(offset, src, durable);
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        check("write");
        store.write(offset, srcs, durable);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException {
        check("writeZeroes");
        store.writeZeroes(offset, length, mayPunch, durable);
    }

    @Override
    public void trim(long offset, long length, boolean durable) throws IOException {
        check("trim");
        store.trim(offset, length, durable);
    }

    @Override
    public void flush() throws IOException {
        check("flush");
        store.flush();
    }

    @Override
    public void startWriteback(long offset, long length) throws IOException {
        check("startWriteback");
        store.startWriteback(offset, length);
    }

    @Override
    public AllocationRun allocationAt(long offset, long end) throws IOException {
        check("allocationAt");
        return store.allocationAt(offset, end);
    }

    /** Allowed on an event loop: it answers from memory or not at all. */
    @Override
    public AllocationRun allocationCached(long offset, long end) {
        return store.allocationCached(offset, end);
    }

    @Override
    public void cache(long offset, long length) throws IOException {
        check("cache");
        store.cache(offset, length);
    }

    @Override
    public boolean zeroesFast(boolean mayPunch) {
        return store.zeroesFast(mayPunch);
    }

    @Override
    public void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException {
        check("forEachDataExtent");
        store.forEachDataExtent(from, to, visitor);
    }

    @Override
    public void close() throws IOException {
        store.close();
    }
}
