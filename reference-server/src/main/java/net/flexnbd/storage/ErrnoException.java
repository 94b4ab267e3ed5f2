package net.flexnbd.storage;

import java.io.IOException;

/**
 * A failed Linux system call, keeping its errno so that callers can tell "this file system
 * cannot do that" (fall back) from a real I/O failure (report it).
 */
final class ErrnoException extends IOException {

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int ENXIO = 6;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int ENODEV = 19;
    static final int EISDIR = 21;
    static final int EINVAL = 22;
    static final int EFBIG = 27;
    static final int ENOSPC = 28;
    static final int ESPIPE = 29;
    static final int EROFS = 30;
    static final int ENOSYS = 38;
    static final int EOPNOTSUPP = 95;

    /** The errno the call failed with. */
    private final int errno;

    ErrnoException(String call, int errno, String description) {
        super(call + " failed: " + name(errno) + " (" + description + ")");
        this.errno = errno;
    }

    int errno() {
        return errno;
    }

    /** True when the file system or kernel does not offer the operation at all. */
    boolean isUnsupported() {
        return errno == EOPNOTSUPP || errno == ENOSYS;
    }

    /** The symbolic name of an errno value, or {@code errno N} for the ones not listed. */
    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EIO -> "EIO";
            case ENXIO -> "ENXIO";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case EACCES -> "EACCES";
            case ENODEV -> "ENODEV";
            case EISDIR -> "EISDIR";
            case EINVAL -> "EINVAL";
            case EFBIG -> "EFBIG";
            case ENOSPC -> "ENOSPC";
            case ESPIPE -> "ESPIPE";
            case EROFS -> "EROFS";
            case ENOSYS -> "ENOSYS";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "errno " + errno;
        };
    }
}
