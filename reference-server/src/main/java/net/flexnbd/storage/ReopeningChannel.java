package net.flexnbd.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whole-buffer positional reads and writes on a {@link FileChannel} that no thread interrupt
 * can break. A FileChannel closes itself for everyone when a thread blocked in it is
 * interrupted (a cancelled migration task, an executor shut down); here the interrupt is
 * held back until the call returns, and a channel closed by one anyway is reopened and the
 * (idempotent, positional) call retried.
 */
final class ReopeningChannel implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ReopeningChannel.class);

    /** What to open again: ideally the very same inode, even if the path was unlinked. */
    private final Supplier<Path> reopenPath;
    /** The channel in use; replaced (under {@code this}) when found closed by an interrupt. */
    private volatile FileChannel channel;
    /** Set once by {@link #close()}; after that every call fails. */
    private volatile boolean closed;

    ReopeningChannel(FileChannel channel, Supplier<Path> reopenPath) {
        this.channel = channel;
        this.reopenPath = reopenPath;
    }

    /**
     * Fills {@code dst} (position to limit) from {@code position}; bytes past the end of the
     * file read as zeroes.
     */
    void readFully(ByteBuffer dst, long position) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            long at = position;
            while (dst.hasRemaining()) {
                FileChannel ch = channel;
                int n;
                try {
                    n = ch.read(dst, at);
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    reopen(ch, e);
                    continue;
                }
                if (n < 0) {
                    fillZeroes(dst);
                    return;
                }
                at += n;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Writes all of {@code src} (position to limit) at {@code position}. */
    void writeFully(ByteBuffer src, long position) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            long at = position;
            while (src.hasRemaining()) {
                FileChannel ch = channel;
                try {
                    at += ch.write(src, at);
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    reopen(ch, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Forces file data (not necessarily metadata such as times) to stable storage: fdatasync. */
    void force() throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                FileChannel ch = channel;
                try {
                    ch.force(false);
                    return;
                } catch (ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    reopen(ch, e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void reopen(FileChannel broken, ClosedChannelException cause) throws IOException {
        if (closed) {
            throw cause;
        }
        if (channel != broken) {
            return; // another thread already reopened it
        }
        Path path = reopenPath.get();
        LOG.warn("file channel was closed by a thread interrupt; reopening {}", path);
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            e.addSuppressed(cause);
            throw e;
        }
    }

    private static void fillZeroes(ByteBuffer dst) {
        while (dst.remaining() >= Long.BYTES) {
            dst.putLong(0L);
        }
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    @Override
    public void close() throws IOException {
        FileChannel ch;
        synchronized (this) {
            closed = true;
            ch = channel;
        }
        ch.close();
    }

    /** The path that reaches the open descriptor {@code fd} even after an unlink, if any. */
    static Path procFdPath(int fd, Path fallback) {
        Path viaProc = Path.of("/proc/self/fd/" + fd);
        return Files.exists(viaProc) ? viaProc : fallback;
    }
}
