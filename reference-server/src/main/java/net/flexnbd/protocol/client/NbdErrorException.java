package net.flexnbd.protocol.client;

import java.io.IOException;
import net.flexnbd.protocol.Errno;

/** The server answered a request with an error; the connection itself is still usable. */
public final class NbdErrorException extends IOException {
    private final int errno;

    public NbdErrorException(int errno) {
        super("server replied " + Errno.describe(errno));
        this.errno = errno;
    }

    /** @param request what was asked, such as "READ offset=0 length=512" */
    public NbdErrorException(int errno, String request) {
        super(request + " failed: server replied " + Errno.describe(errno));
        this.errno = errno;
    }

    /** The errno value from the reply, such as {@link net.flexnbd.protocol.Nbd#EINVAL}. */
    public int errno() {
        return errno;
    }
}
