package net.flexnbd.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes being served. Implementations are safe for concurrent use by many threads;
 * operations on overlapping ranges in flight at the same time have no defined order, as in
 * NBD itself. Callers check ranges first: every method may assume
 * {@code 0 <= offset && offset + length <= size()}.
 */
public interface BlockStore extends Closeable {

    /** Size in bytes served, a multiple of 512 (a file's odd tail is not served). */
    long size();

    /** Fills {@code dst} from its position to its limit with the bytes at {@code offset}. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Fills {@code dst} (position to limit) like {@link #read} but only from what is in memory
     * now (the page cache), never waiting for the disk, so that it may run on an event loop:
     * the one store call that may. True when {@code dst} was filled; false when some of it is
     * not in memory (or the store cannot tell), and then {@code dst}'s position is where it
     * was and its bytes are undefined: read it with {@link #read} on a storage thread. This
     * default always answers false.
     */
    default boolean readCached(long offset, ByteBuffer dst) throws IOException {
        return false;
    }

    /**
     * Writes {@code src} (position to limit) at {@code offset}. Zeroes written into a range
     * that is entirely a hole leave the hole. With {@code durable}, returns only once the
     * data is on stable storage (FUA).
     */
    void write(long offset, ByteBuffer src, boolean durable) throws IOException;

    /**
     * Writes {@code srcs}, one after the other, at {@code offset}, as one write: a
     * concurrent write to an overlapping range lands wholly before or after it, never
     * interleaved with its pieces. This default joins them into one buffer first; a store
     * that can gather without the copy overrides it.
     */
    default void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        write(offset, Gathered.join(srcs), durable);
    }

    /**
     * Makes the range read as zeroes. With {@code mayPunch} the range may become (or stay) a
     * hole; without it (NBD_CMD_FLAG_NO_HOLE) it is left allocated.
     */
    void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException;

    /** Discards the range: punches a hole, so that it reads as zeroes afterwards. */
    void trim(long offset, long length, boolean durable) throws IOException;

    /** Forces every completed write to stable storage. */
    void flush() throws IOException;

    /**
     * Starts writing the range's completed writes to the disk without waiting for them: a
     * hint, so that a later {@link #flush()} finds little left to do. It makes nothing
     * durable. The default does nothing.
     */
    default void startWriteback(long offset, long length) throws IOException {}

    /**
     * Calls {@code visitor} with each allocated (data) extent overlapping
     * {@code [from, to)}, in order, clipped to that range. A store that cannot tell holes
     * from data reports the whole range as one extent.
     */
    void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException;

    /**
     * The run of data or of hole that starts at {@code offset}, clipped to {@code end}
     * ({@code offset < end <= size()}). It costs one or two {@code lseek}s, never a scan, so
     * a 1 TiB sparse file is mapped in milliseconds. A store that cannot tell holes from data
     * reports data up to {@code end}.
     */
    default AllocationRun allocationAt(long offset, long end) throws IOException {
        return new AllocationRun(offset, end - offset, false);
    }

    /**
     * The run at {@code offset} as {@link #allocationAt} would report it (possibly shorter),
     * from memory only: never a disk call, so that it may run on an event loop, as
     * {@link #readCached} may. Null when the store does not know it without asking the file
     * system; then ask {@link #allocationAt} on a storage thread. This default always answers null.
     */
    default AllocationRun allocationCached(long offset, long end) {
        return null;
    }

    /** Asks for the range to be read ahead into the cache (NBD_CMD_CACHE); a hint, it may do nothing. */
    default void cache(long offset, long length) throws IOException {
    }

    /**
     * Whether {@link #writeZeroes} of that kind is fast (a metadata operation rather than
     * writing zero bytes), which NBD_CMD_FLAG_FAST_ZERO asks; when false such a request is
     * refused at once with ENOTSUP so the client can choose another way.
     */
    default boolean zeroesFast(boolean mayPunch) {
        return false;
    }

    /** Receives one data extent. */
    @FunctionalInterface
    interface ExtentVisitor {
        void extent(long offset, long length) throws IOException;
    }
}
