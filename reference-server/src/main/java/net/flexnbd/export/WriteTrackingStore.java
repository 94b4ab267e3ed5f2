package net.flexnbd.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReference;
import net.flexnbd.storage.BlockStore;
import net.flexnbd.storage.FilterStore;

/**
 * The store as clients see it: a filter (nbdkit's idea) that tells the installed
 * {@link WriteObserver} of every range a write, trim or zeroing changed, once the change has
 * reached the store and before the call returns, so before the client can hear of it. A
 * running migration installs its dirty map here; the migration's own reads and the
 * destination's writes use the store underneath and are not tracked.
 */
public final class WriteTrackingStore extends FilterStore {
    private final AtomicReference<WriteObserver> observer = new AtomicReference<>(WriteObserver.NONE);

    public WriteTrackingStore(BlockStore store) {
        super(store);
    }

    /** Installs the observer told of every change from now on. */
    public void track(WriteObserver writeObserver) {
        observer.set(writeObserver);
    }

    public void stopTracking() {
        observer.set(WriteObserver.NONE);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        int length = src.remaining();
        store.write(offset, src, durable);
        observer.get().changed(offset, length);
    }

    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        long length = 0;
        for (ByteBuffer src : srcs) {
            length += src.remaining();
        }
        store.write(offset, srcs, durable);
        observer.get().changed(offset, length);
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException {
        store.writeZeroes(offset, length, mayPunch, durable);
        observer.get().changed(offset, length);
    }

    @Override
    public void trim(long offset, long length, boolean durable) throws IOException {
        store.trim(offset, length, durable);
        observer.get().changed(offset, length);
    }

    /** The store underneath is the served file's: closing the filter leaves it open. */
    @Override
    public void close() {
    }
}
