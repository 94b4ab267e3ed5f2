package net.flexnbd.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link BlockStore} over a regular file that keeps a sparse file sparse: zeroes written
 * into a hole are not written, TRIM and WRITE_ZEROES punch holes, and the allocated extents
 * can be listed so that a migration sends only data.
 *
 * <p>Data moves through a {@link FileChannel} (positional, so threads never share a file
 * position). Hole punching and SEEK_DATA/SEEK_HOLE need a raw descriptor, which the JDK does
 * not expose without reflection into its internals; so the file is opened a second time
 * through {@code open(2)} and that descriptor serves {@code fallocate}, {@code lseek} and
 * the gathering {@code pwritev} of a write that arrived in pieces. Both descriptors name the
 * same inode and share its page cache. Without
 * native support (another OS, JNA missing, a non-default file system) the store still
 * works: it writes zeroes instead of punching and reports everything as data.
 */
public final class FileBlockStore implements BlockStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileBlockStore.class);

    /** Each degradation is logged once per process, not once per file or per request. */
    private static final AtomicBoolean LOGGED_NO_NATIVE = new AtomicBoolean();
    private static final AtomicBoolean LOGGED_NO_PUNCH = new AtomicBoolean();
    private static final AtomicBoolean LOGGED_NO_ZERO_RANGE = new AtomicBoolean();
    private static final AtomicBoolean LOGGED_NO_SEEK = new AtomicBoolean();
    private static final AtomicBoolean LOGGED_NO_WRITEBACK = new AtomicBoolean();
    private static final AtomicBoolean LOGGED_NO_CACHED_READ = new AtomicBoolean();

    private static final long SECTOR_MASK = ~511L;
    /** A seek answer meaning "lseek cannot tell"; -1 means "no data before EOF". */
    private static final long UNSUPPORTED = -2;

    /** The served file, for messages. */
    private final Path file;
    /** Bytes served: the file length at open, rounded down to a multiple of 512. */
    private final long size;
    /**
     * Reads, writes and syncs. Nothing in the server interrupts a thread that uses the store
     * (an interrupt inside a FileChannel call closes the channel for every user).
     */
    private final FileChannel io;
    /** The descriptor for fallocate and lseek, or -1 without native support. */
    private final int fd;
    /**
     * Native calls hold the read side, {@link #close()} the write side, so that the
     * descriptor number is never closed (and possibly reused by another file) under a call.
     */
    private final Lock nativeUse;
    private final Lock nativeClose;
    /** Set under {@link #nativeClose} once the descriptor is closed. */
    private boolean fdClosed;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Cleared the first time the file system says it cannot punch holes. */
    private volatile boolean canPunch;
    /** Cleared the first time the file system says it cannot zero a range in place. */
    private volatile boolean canZeroRange;
    /** Cleared the first time lseek cannot tell data from holes. */
    private volatile boolean canSeek;
    /** Cleared the first time sync_file_range is refused. */
    private volatile boolean canStartWriteback;
    /** Cleared the first time preadv2 refuses RWF_NOWAIT: every read then goes to a storage thread. */
    private volatile boolean canReadCached;

    private FileBlockStore(Path file, FileChannel channel, int fd) throws IOException {
        this.file = file;
        this.fd = fd;
        boolean nativeOk = fd >= 0;
        this.canPunch = nativeOk;
        this.canZeroRange = nativeOk;
        this.canSeek = nativeOk;
        this.canStartWriteback = nativeOk;
        this.canReadCached = nativeOk && LinuxFiles.canReadCached();
        this.io = channel;
        this.size = channel.size() & SECTOR_MASK;
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        this.nativeUse = lock.readLock();
        this.nativeClose = lock.writeLock();
    }

    /**
     * Opens {@code file} for serving, read-write.
     *
     * @throws NoSuchFileException   when the file does not exist
     * @throws FileSystemException   when it is not a regular file, or cannot be opened for
     *                               reading and writing (an AccessDeniedException for permissions)
     * @throws IOException           when reading its size fails
     */
    public static FileBlockStore open(Path file) throws IOException {
        return open(file, true);
    }

    /** As {@link #open(Path)}; {@code useNative=false} forces the portable fallbacks (tests). */
    static FileBlockStore open(Path file, boolean useNative) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "the file to serve does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new FileSystemException(file.toString(), null,
                    "not a regular file (expected a regular file to serve)");
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new AccessDeniedException(file.toString(), null,
                    "permission denied opening the file to serve for reading and writing");
        } catch (FileSystemException e) {
            throw new FileSystemException(file.toString(), null,
                    "cannot open the file to serve for reading and writing: " + e.getReason());
        }
        int fd = -1;
        try {
            if (useNative) {
                fd = openNative(file);
            }
            return new FileBlockStore(file, channel, fd);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel, fd, e);
            throw e;
        }
    }

    private static int openNative(Path file) {
        String why;
        if (file.getFileSystem() != FileSystems.getDefault()) {
            return -1; // an in-memory file system: nothing native to do
        } else if (!LinuxFiles.isAvailable()) {
            why = LinuxFiles.unavailableReason();
        } else {
            try {
                return LinuxFiles.openReadWrite(file);
            } catch (IOException e) {
                why = e.getMessage();
            }
        }
        if (LOGGED_NO_NATIVE.compareAndSet(false, true)) {
            LOG.warn("no native file support ({}): holes will be filled with written zeroes"
                    + " and whole files reported as data", why);
        }
        return -1;
    }

    private static void closeQuietly(FileChannel channel, int fd, Exception failure) {
        try {
            channel.close();
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        if (fd >= 0) {
            try {
                LinuxFiles.close(fd);
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        long at = offset;
        while (dst.hasRemaining()) {
            int n = io.read(dst, at);
            if (n < 0) {
                Zeroes.fill(dst); // past the end of the file (shrunk under us): zeroes
                return;
            }
            at += n;
        }
    }

    /**
     * preadv2 with RWF_NOWAIT on the raw descriptor, as often as it makes progress: a
     * page-cache miss anywhere in the range answers false at once and the caller reads the
     * whole range again on a storage thread.
     */
    @Override
    public boolean readCached(long offset, ByteBuffer dst) throws IOException {
        if (!canReadCached || !dst.isDirect()) {
            return false;
        }
        int start = dst.position();
        nativeUse.lock();
        try {
            checkFdOpen();
            while (dst.hasRemaining()) {
                int n = LinuxFiles.preadCached(fd, dst, offset + dst.position() - start);
                if (n == LinuxFiles.NOT_CACHED) {
                    dst.position(start);
                    return false;
                }
                if (n == 0) {
                    Zeroes.fill(dst); // past the end of the file (shrunk under us), as read() does
                }
            }
            return true;
        } catch (ErrnoException e) {
            dst.position(start);
            if (!e.isUnsupported() && e.errno() != ErrnoException.EINVAL) {
                throw withFile(e);
            }
            canReadCached = false;
            logOnce(LOGGED_NO_CACHED_READ, "cannot read {} from the page cache without waiting ({}):"
                    + " every read goes to a storage thread", e.getMessage());
            return false;
        } finally {
            nativeUse.unlock();
        }
    }

    /** Writes all of {@code src} (position to limit) at {@code position}. */
    private void writeFully(ByteBuffer src, long position) throws IOException {
        long at = position;
        while (src.hasRemaining()) {
            at += io.write(src, at);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean durable) throws IOException {
        int length = src.remaining();
        if (length > 0) {
            // The zero check comes first: it fails within a few bytes for real data, so
            // only zero payloads pay for the lseek.
            if (Zeroes.isAllZero(src) && isHole(offset, length)) {
                src.position(src.limit());
            } else {
                writeFully(src, offset);
            }
        }
        if (durable) {
            // Even a skipped write syncs: an earlier punch that made the hole may not be
            // on stable storage yet.
            io.force(false);
        }
    }

    /**
     * Gathers {@code srcs} into the file with one {@code pwritev} on the raw descriptor, so
     * that a WRITE that arrived in several socket reads is neither joined by a copy nor
     * written piece by piece (which could interleave with a concurrent write to the same
     * range). Without native support, with heap buffers or with more pieces than one call
     * takes, the pieces are joined first.
     */
    @Override
    public void write(long offset, ByteBuffer[] srcs, boolean durable) throws IOException {
        if (srcs.length == 1) {
            write(offset, srcs[0], durable);
            return;
        }
        long length = Gathered.remaining(srcs);
        if (length > 0) {
            if (Gathered.isAllZero(srcs) && isHole(offset, length)) {
                for (ByteBuffer src : srcs) {
                    src.position(src.limit());
                }
            } else if (fd >= 0 && srcs.length <= LinuxFiles.IOV_MAX && Gathered.allDirect(srcs)) {
                gather(offset, srcs);
            } else {
                writeFully(Gathered.join(srcs), offset);
            }
        }
        if (durable) {
            io.force(false);
        }
    }

    private void gather(long offset, ByteBuffer[] srcs) throws IOException {
        nativeUse.lock();
        try {
            checkFdOpen();
            LinuxFiles.pwritevFully(fd, srcs, offset);
        } catch (ErrnoException e) {
            throw withFile(e);
        } finally {
            nativeUse.unlock();
        }
    }

    @Override
    public void writeZeroes(long offset, long length, boolean mayPunch, boolean durable) throws IOException {
        if (length > 0) {
            if (mayPunch) {
                punch(offset, length);
            } else {
                zeroKeepingAllocated(offset, length);
            }
        }
        if (durable) {
            io.force(false);
        }
    }

    @Override
    public void trim(long offset, long length, boolean durable) throws IOException {
        writeZeroes(offset, length, true, durable);
    }

    @Override
    public void flush() throws IOException {
        io.force(false);
    }

    /** sync_file_range on the raw descriptor; a file system that refuses it is left alone. */
    @Override
    public void startWriteback(long offset, long length) throws IOException {
        if (!canStartWriteback || length <= 0) {
            return;
        }
        nativeUse.lock();
        try {
            checkFdOpen();
            LinuxFiles.startWriteback(fd, offset, length);
        } catch (ErrnoException e) {
            if (!e.isUnsupported() && e.errno() != ErrnoException.EINVAL) {
                throw withFile(e);
            }
            canStartWriteback = false;
            logOnce(LOGGED_NO_WRITEBACK, "cannot start writeback early in {} ({}): flushes will do it all",
                    e.getMessage());
        } finally {
            nativeUse.unlock();
        }
    }

    @Override
    public void forEachDataExtent(long from, long to, ExtentVisitor visitor) throws IOException {
        long at = from;
        while (at < to) {
            long data = seekData(at);
            if (data == UNSUPPORTED) {
                visitor.extent(at, to - at);
                return;
            }
            if (data < 0 || data >= to) {
                return;
            }
            long hole = seekHole(data);
            long end = hole < 0 || hole == UNSUPPORTED ? to : Math.min(hole, to);
            visitor.extent(data, end - data);
            at = end;
        }
    }

    @Override
    public AllocationRun allocationAt(long offset, long end) throws IOException {
        // SEEK_HOLE first: in data (the common case for reads) one call answers.
        long hole = seekHole(offset);
        if (hole == UNSUPPORTED || hole < 0 || hole > offset) {
            long dataEnd = hole == UNSUPPORTED || hole < 0 ? end : Math.min(hole, end);
            return new AllocationRun(offset, dataEnd - offset, false);
        }
        long data = seekData(offset);
        long holeEnd = data == UNSUPPORTED || data < 0 ? end : Math.min(data, end);
        if (holeEnd <= offset) {
            // The file changed between the two calls: data arrived at offset.
            return new AllocationRun(offset, end - offset, false);
        }
        return new AllocationRun(offset, holeEnd - offset, true);
    }

    @Override
    public void cache(long offset, long length) throws IOException {
        if (fd < 0) {
            return;
        }
        nativeUse.lock();
        try {
            checkFdOpen();
            LinuxFiles.willNeed(fd, offset, length);
        } catch (ErrnoException e) {
            throw withFile(e);
        } finally {
            nativeUse.unlock();
        }
    }

    @Override
    public boolean zeroesFast(boolean mayPunch) {
        return mayPunch ? canPunch : canZeroRange;
    }

    /** True only when the file system says {@code [offset, offset+length)} holds no data. */
    private boolean isHole(long offset, long length) throws IOException {
        long data = seekData(offset);
        return data != UNSUPPORTED && (data < 0 || data >= offset + length);
    }

    private void punch(long offset, long length) throws IOException {
        if (canPunch) {
            nativeUse.lock();
            try {
                checkFdOpen();
                LinuxFiles.punchHole(fd, offset, length);
                return;
            } catch (ErrnoException e) {
                if (!e.isUnsupported()) {
                    throw withFile(e);
                }
                canPunch = false;
                logOnce(LOGGED_NO_PUNCH, "cannot punch holes in {} ({}): writing zeroes over data instead",
                        e.getMessage());
            } finally {
                nativeUse.unlock();
            }
        }
        // Without punching, at least leave existing holes alone.
        forEachDataExtent(offset, offset + length, this::writeZeroBytes);
    }

    private void zeroKeepingAllocated(long offset, long length) throws IOException {
        if (canZeroRange) {
            nativeUse.lock();
            try {
                checkFdOpen();
                LinuxFiles.zeroRange(fd, offset, length);
                return;
            } catch (ErrnoException e) {
                if (!e.isUnsupported()) {
                    throw withFile(e);
                }
                canZeroRange = false;
                logOnce(LOGGED_NO_ZERO_RANGE, "cannot zero ranges in place in {} ({}): writing zeroes instead",
                        e.getMessage());
            } finally {
                nativeUse.unlock();
            }
        }
        writeZeroBytes(offset, length);
    }

    private void writeZeroBytes(long offset, long length) throws IOException {
        long at = offset;
        long end = offset + length;
        while (at < end) {
            ByteBuffer zeroes = Zeroes.buffer(end - at);
            int n = zeroes.remaining();
            writeFully(zeroes, at);
            at += n;
        }
    }

    private long seekData(long offset) throws IOException {
        return seek(offset, true);
    }

    private long seekHole(long offset) throws IOException {
        return seek(offset, false);
    }

    private long seek(long offset, boolean data) throws IOException {
        if (!canSeek) {
            return UNSUPPORTED;
        }
        nativeUse.lock();
        try {
            checkFdOpen();
            return data ? LinuxFiles.seekData(fd, offset) : LinuxFiles.seekHole(fd, offset);
        } catch (ErrnoException e) {
            // Kernels without SEEK_DATA reject the whence value itself with EINVAL.
            if (!e.isUnsupported() && e.errno() != ErrnoException.EINVAL) {
                throw withFile(e);
            }
            canSeek = false;
            logOnce(LOGGED_NO_SEEK, "cannot find holes in {} ({}): reporting everything as data",
                    e.getMessage());
            return UNSUPPORTED;
        } finally {
            nativeUse.unlock();
        }
    }

    /** Call with {@link #nativeUse} held. */
    private void checkFdOpen() throws ClosedChannelException {
        if (fdClosed) {
            throw new ClosedChannelException();
        }
    }

    private IOException withFile(ErrnoException e) {
        return new IOException(file + ": " + e.getMessage(), e);
    }

    private void logOnce(AtomicBoolean flag, String message, String detail) {
        if (flag.compareAndSet(false, true)) {
            LOG.warn(message, file, detail);
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        IOException failure = null;
        try {
            io.close();
        } catch (IOException e) {
            failure = e;
        }
        if (fd >= 0) {
            nativeClose.lock();
            try {
                fdClosed = true;
                LinuxFiles.close(fd);
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            } finally {
                nativeClose.unlock();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "FileBlockStore[" + file + ", " + size + " bytes]";
    }
}
