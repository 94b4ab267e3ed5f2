package net.flexnbd.storage;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The few Linux file calls the JDK does not offer (fallocate hole punching and zeroing,
 * lseek SEEK_DATA/SEEK_HOLE, preadv2 with RWF_NOWAIT), made through JNA direct mapping on a
 * raw file descriptor.
 * On another platform, or when JNA cannot load, {@link #isAvailable()} is false and callers
 * fall back to plain writes and whole-range extents.
 */
final class LinuxFiles {

    /** fallocate: do not change the file size. */
    static final int FALLOC_FL_KEEP_SIZE = 0x01;
    /** fallocate: deallocate the range (must be combined with KEEP_SIZE). */
    static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    /** fallocate: make the range read as zeroes, keeping it allocated. */
    static final int FALLOC_FL_ZERO_RANGE = 0x10;
    /** lseek whence: next offset at or after the given one that holds data. */
    static final int SEEK_DATA = 3;
    /** lseek whence: next offset at or after the given one that is in a hole (or EOF). */
    static final int SEEK_HOLE = 4;

    /** posix_fadvise advice: the range will be read soon. */
    static final int POSIX_FADV_WILLNEED = 3;
    /** posix_fadvise advice: the range will not be needed; its clean pages leave the page cache. */
    static final int POSIX_FADV_DONTNEED = 4;
    /** sync_file_range: start writeback of the range's dirty pages, without waiting for it. */
    static final int SYNC_FILE_RANGE_WRITE = 2;
    /** The most buffers one pwritev takes (Linux UIO_MAXIOV). */
    static final int IOV_MAX = 1024;
    /** preadv2 flag: return what the page cache holds now, EAGAIN instead of waiting for the disk. */
    static final int RWF_NOWAIT = 0x08;
    /** What {@link #preadCached} returns when not even the first byte is in the page cache. */
    static final int NOT_CACHED = -1;
    /** Bytes of one struct iovec: a pointer and a size_t. */
    private static final int IOVEC_BYTES = 16;

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    /** Why the native calls cannot be used, or null when they can. */
    private static final Throwable UNAVAILABLE = register();
    /** Why preadv2 cannot be used (a C library older than glibc 2.26), or null when it can. */
    private static final Throwable NO_PREADV2 = UNAVAILABLE != null ? UNAVAILABLE : registerPreadv2();

    /** Each thread's iovec array for {@link #pwritevFully}, allocated once. */
    private static final ThreadLocal<ByteBuffer> IOVECS = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(IOV_MAX * IOVEC_BYTES).order(ByteOrder.nativeOrder()));

    private LinuxFiles() {
    }

    /** The libc functions, bound by {@link Native#register(Class, NativeLibrary)}. */
    private static final class Libc {
        static native int open(String path, int flags);

        static native int close(int fd);

        static native int fallocate(int fd, int mode, long offset, long length);

        static native long lseek(int fd, long offset, int whence);

        static native int posix_fadvise(int fd, long offset, long length, int advice);

        static native long pwritev(int fd, Pointer iov, int iovcnt, long offset);

        static native int sync_file_range(int fd, long offset, long nbytes, int flags);

        static native String strerror(int errnum);
    }

    /**
     * preadv2, bound on its own: a C library without it leaves the other calls usable and
     * only reads from the page cache on the event loop unavailable.
     */
    private static final class Preadv2 {
        static native long preadv2(int fd, Pointer iov, int iovcnt, long offset, int flags);
    }

    private static Throwable registerPreadv2() {
        try {
            Native.register(Preadv2.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return null;
        } catch (LinkageError | RuntimeException e) {
            return e;
        }
    }

    private static Throwable register() {
        // The bindings below assume the 64-bit Linux ABI (off_t is 64 bits, flag values).
        if (!Platform.isLinux() || !Platform.is64Bit()) {
            return new UnsupportedOperationException("not 64-bit Linux but "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
        try {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return null;
        } catch (LinkageError | RuntimeException e) {
            return e;
        }
    }

    /** True when the native calls below may be used. */
    static boolean isAvailable() {
        return UNAVAILABLE == null;
    }

    /** Why the native calls are unavailable (only meaningful when {@link #isAvailable()} is false). */
    static String unavailableReason() {
        return UNAVAILABLE == null ? "available" : UNAVAILABLE.toString();
    }

    /** True when {@link #preadCached} may be used. */
    static boolean canReadCached() {
        return NO_PREADV2 == null;
    }

    /** Opens {@code file} read-write (close-on-exec) and returns the raw descriptor. */
    static int openReadWrite(Path file) throws IOException {
        String name = file.toString();
        while (true) {
            int fd = Libc.open(name, O_RDWR | O_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
            int errno = Native.getLastError();
            if (errno != ErrnoException.EINTR) {
                throw failure("open(" + name + ", O_RDWR)", errno);
            }
        }
    }

    /** Closes a descriptor from {@link #openReadWrite}. */
    static void close(int fd) throws IOException {
        // Linux closes the descriptor even when close(2) reports EINTR, so never retry.
        if (Libc.close(fd) != 0) {
            throw failure("close(fd " + fd + ")", Native.getLastError());
        }
    }

    /** Deallocates {@code [offset, offset+length)}; it reads as zeroes afterwards. */
    static void punchHole(int fd, long offset, long length) throws IOException {
        fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, "PUNCH_HOLE|KEEP_SIZE", offset, length);
    }

    /** Makes {@code [offset, offset+length)} read as zeroes while keeping it allocated. */
    static void zeroRange(int fd, long offset, long length) throws IOException {
        fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, "ZERO_RANGE|KEEP_SIZE", offset, length);
    }

    private static void fallocate(int fd, int mode, String modeName, long offset, long length)
            throws IOException {
        while (Libc.fallocate(fd, mode, offset, length) != 0) {
            int errno = Native.getLastError();
            if (errno != ErrnoException.EINTR) {
                throw failure("fallocate(fd " + fd + ", " + modeName + ", offset " + offset
                        + ", length " + length + ")", errno);
            }
        }
    }

    /** Starts reading {@code [offset, offset+length)} into the page cache, without waiting for it. */
    static void willNeed(int fd, long offset, long length) throws IOException {
        // posix_fadvise returns the error number rather than setting errno.
        int error = Libc.posix_fadvise(fd, offset, length, POSIX_FADV_WILLNEED);
        if (error != 0) {
            throw failure("posix_fadvise(fd " + fd + ", offset " + offset + ", length " + length + ", WILLNEED)", error);
        }
    }

    /** Drops the clean pages of {@code [offset, offset+length)} from the page cache (tests: a cold read). */
    static void dontNeed(int fd, long offset, long length) throws IOException {
        int error = Libc.posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED);
        if (error != 0) {
            throw failure("posix_fadvise(fd " + fd + ", offset " + offset + ", length " + length + ", DONTNEED)", error);
        }
    }

    /**
     * Writes every byte of {@code srcs} (each from its position to its limit; all direct,
     * at most {@link #IOV_MAX}) at {@code offset}, advancing their positions. One pwritev
     * call normally does it all, so a concurrent write to the same range lands wholly
     * before or after this one, as one pwrite would; after a short write (a signal, a full
     * disk) the rest follows in further calls.
     */
    static void pwritevFully(int fd, ByteBuffer[] srcs, long offset) throws IOException {
        if (srcs.length > IOV_MAX) {
            throw new IllegalArgumentException("buffers (" + srcs.length + ") must be at most " + IOV_MAX);
        }
        ByteBuffer iovecs = IOVECS.get();
        Pointer iov = Native.getDirectBufferPointer(iovecs);
        long at = offset;
        int first = 0;
        try {
            while (true) {
                while (first < srcs.length && !srcs[first].hasRemaining()) {
                    first++;
                }
                if (first == srcs.length) {
                    return;
                }
                int count = fillIovecs(iovecs, srcs, first);
                long written = Libc.pwritev(fd, iov, count, at);
                if (written < 0) {
                    int errno = Native.getLastError();
                    if (errno == ErrnoException.EINTR) {
                        continue;
                    }
                    throw failure("pwritev(fd " + fd + ", " + count + " buffers, offset " + at + ")", errno);
                }
                if (written == 0) {
                    throw new IOException("pwritev(fd " + fd + ", offset " + at + ") wrote nothing");
                }
                at += written;
                advance(srcs, first, written);
            }
        } finally {
            // The kernel read the buffers through raw addresses: keep them alive until here.
            Reference.reachabilityFence(srcs);
        }
    }

    /** Fills {@code iovecs} with the remaining bytes of {@code srcs[first..]}; returns how many. */
    private static int fillIovecs(ByteBuffer iovecs, ByteBuffer[] srcs, int first) {
        int count = 0;
        for (int i = first; i < srcs.length; i++) {
            ByteBuffer src = srcs[i];
            if (!src.hasRemaining()) {
                continue;
            }
            if (!src.isDirect()) {
                throw new IllegalArgumentException("buffer " + i + " is not direct");
            }
            long base = Pointer.nativeValue(Native.getDirectBufferPointer(src));
            iovecs.putLong(count * IOVEC_BYTES, base + src.position());
            iovecs.putLong(count * IOVEC_BYTES + 8, src.remaining());
            count++;
        }
        return count;
    }

    private static void advance(ByteBuffer[] srcs, int first, long written) {
        long left = written;
        for (int i = first; i < srcs.length && left > 0; i++) {
            int step = (int) Math.min(left, srcs[i].remaining());
            srcs[i].position(srcs[i].position() + step);
            left -= step;
        }
    }

    /**
     * Reads into {@code dst} (direct; from its position to its limit) what the page cache
     * holds of the file at {@code offset}, never waiting for the disk: preadv2 with
     * RWF_NOWAIT. Returns the bytes read and advances the position by them; that may be
     * fewer than asked (the rest is not cached, or the file ends: 0 at its end), or
     * {@link #NOT_CACHED} when the first page is not in the cache. On a miss the kernel may
     * start readahead of the range, without waiting for it. A kernel or file system without
     * RWF_NOWAIT answers EOPNOTSUPP (or EINVAL, ENOSYS), thrown as an {@link ErrnoException}.
     */
    static int preadCached(int fd, ByteBuffer dst, long offset) throws IOException {
        if (!dst.isDirect()) {
            throw new IllegalArgumentException("the buffer is not direct");
        }
        ByteBuffer iovec = IOVECS.get();
        long base = Pointer.nativeValue(Native.getDirectBufferPointer(dst));
        iovec.putLong(0, base + dst.position());
        iovec.putLong(8, dst.remaining());
        try {
            while (true) {
                long n = Preadv2.preadv2(fd, Native.getDirectBufferPointer(iovec), 1, offset, RWF_NOWAIT);
                if (n >= 0) {
                    dst.position(dst.position() + (int) n);
                    return (int) n;
                }
                int errno = Native.getLastError();
                if (errno == ErrnoException.EAGAIN) {
                    return NOT_CACHED;
                }
                if (errno != ErrnoException.EINTR) {
                    throw failure("preadv2(fd " + fd + ", offset " + offset + ", " + dst.remaining()
                            + " bytes, RWF_NOWAIT)", errno);
                }
            }
        } finally {
            Reference.reachabilityFence(dst);
        }
    }

    /**
     * Starts writing the dirty pages of {@code [offset, offset+length)} to the disk and
     * returns without waiting for them (sync_file_range with SYNC_FILE_RANGE_WRITE). It
     * makes nothing durable: it only spreads the disk's work over time, so that a later
     * fsync finds little left to do.
     */
    static void startWriteback(int fd, long offset, long length) throws IOException {
        while (Libc.sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE) != 0) {
            int errno = Native.getLastError();
            if (errno != ErrnoException.EINTR) {
                throw failure("sync_file_range(fd " + fd + ", offset " + offset + ", length " + length
                        + ", SYNC_FILE_RANGE_WRITE)", errno);
            }
        }
    }

    /**
     * The first offset at or after {@code offset} that holds data, or -1 when there is none
     * before the end of the file (lseek's ENXIO).
     */
    static long seekData(int fd, long offset) throws IOException {
        return seek(fd, offset, SEEK_DATA, "SEEK_DATA");
    }

    /**
     * The first offset at or after {@code offset} that is in a hole; the end of the file
     * counts as one. -1 when {@code offset} is at or past the end of the file.
     */
    static long seekHole(int fd, long offset) throws IOException {
        return seek(fd, offset, SEEK_HOLE, "SEEK_HOLE");
    }

    private static long seek(int fd, long offset, int whence, String whenceName) throws IOException {
        // lseek also moves the descriptor's file position, which nothing here relies on:
        // data is read and written positionally through a separate FileChannel, so
        // concurrent seeks from several threads are harmless; each gets its own answer.
        long result = Libc.lseek(fd, offset, whence);
        if (result >= 0) {
            return result;
        }
        int errno = Native.getLastError();
        if (errno == ErrnoException.ENXIO) {
            return -1;
        }
        throw failure("lseek(fd " + fd + ", offset " + offset + ", " + whenceName + ")", errno);
    }

    private static ErrnoException failure(String call, int errno) {
        String text;
        try {
            text = Libc.strerror(errno);
        } catch (RuntimeException | LinkageError e) {
            text = null;
        }
        return new ErrnoException(call, errno, text == null ? "no description" : text);
    }
}
