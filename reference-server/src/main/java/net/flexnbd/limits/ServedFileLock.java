package net.flexnbd.limits;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the served file for as long as a server runs, so that a second
 * server on the same file (two writers would corrupt it) fails at start instead. On Linux
 * it is a {@code flock(2)} on a descriptor of its own: unlike {@code fcntl} locks (the JDK's
 * {@link FileChannel#tryLock()}) it is not lost when the server closes some other
 * descriptor of the file, and it also conflicts within one process. Elsewhere the JDK lock
 * stands in.
 */
public final class ServedFileLock implements AutoCloseable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int LOCK_EX = 2;
    private static final int LOCK_NB = 4;
    private static final int EWOULDBLOCK = 11;
    private static final int EINTR = 4;
    private static final boolean NATIVE = register();

    /** Held by another server. */
    public static final class HeldElsewhereException extends IOException {
        HeldElsewhereException(Path file) {
            super(file + " is locked by another server serving it (only one server may serve a file)");
        }
    }

    private final int fd;
    private final FileChannel channel;
    private final FileLock jdkLock;

    private ServedFileLock(int fd, FileChannel channel, FileLock jdkLock) {
        this.fd = fd;
        this.channel = channel;
        this.jdkLock = jdkLock;
    }

    private static final class Libc {
        static native int open(String path, int flags);

        static native int flock(int fd, int operation);

        static native int close(int fd);
    }

    private static boolean register() {
        if (!Platform.isLinux()) {
            return false;
        }
        try {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
            return true;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Takes the lock without waiting.
     *
     * @throws HeldElsewhereException when another server holds it
     * @throws IOException when the file cannot be opened or locked for another reason
     */
    public static ServedFileLock acquire(Path file) throws IOException {
        return NATIVE ? flock(file) : jdk(file);
    }

    private static ServedFileLock flock(Path file) throws IOException {
        int fd = Libc.open(file.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw new IOException("cannot open " + file + " to lock it: errno " + Native.getLastError());
        }
        while (Libc.flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int errno = Native.getLastError();
            if (errno == EINTR) {
                continue;
            }
            Libc.close(fd);
            if (errno == EWOULDBLOCK) {
                throw new HeldElsewhereException(file);
            }
            throw new IOException("cannot lock " + file + ": errno " + errno);
        }
        return new ServedFileLock(fd, null, null);
    }

    private static ServedFileLock jdk(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new HeldElsewhereException(file);
            }
            return new ServedFileLock(-1, channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new HeldElsewhereException(file);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /** Gives the lock up (closing its descriptor). */
    @Override
    public void close() throws IOException {
        if (channel != null) {
            jdkLock.release();
            channel.close();
        } else {
            Libc.close(fd);
        }
    }
}
