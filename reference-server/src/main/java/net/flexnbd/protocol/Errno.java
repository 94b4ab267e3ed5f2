package net.flexnbd.protocol;

/**
 * Names for the errno values that travel in NBD replies, so that logs and exception
 * messages say "EINVAL (22)" rather than a bare number.
 */
public final class Errno {
    private Errno() {}

    /** The symbolic name of {@code errno}, such as "EINVAL", or "errno 123" when unknown. */
    public static String name(int errno) {
        return switch (errno) {
            case 0 -> "OK";
            case Nbd.EPERM -> "EPERM";
            case Nbd.EIO -> "EIO";
            case Nbd.ENOMEM -> "ENOMEM";
            case Nbd.EINVAL -> "EINVAL";
            case Nbd.ENOSPC -> "ENOSPC";
            case Nbd.EOVERFLOW -> "EOVERFLOW";
            case Nbd.ENOTSUP -> "ENOTSUP";
            case Nbd.ESHUTDOWN -> "ESHUTDOWN";
            default -> "errno " + Integer.toUnsignedString(errno);
        };
    }

    /** The name followed by the number, such as "EINVAL (22)". */
    public static String describe(int errno) {
        return name(errno) + " (" + Integer.toUnsignedString(errno) + ")";
    }
}
