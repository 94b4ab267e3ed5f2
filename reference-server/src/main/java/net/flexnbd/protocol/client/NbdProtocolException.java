package net.flexnbd.protocol.client;

import java.io.IOException;

/**
 * The server broke the NBD protocol (bad magic, a reply nobody asked for): the connection
 * cannot be trusted any more and has been closed.
 */
public final class NbdProtocolException extends IOException {
    public NbdProtocolException(String message) {
        super(message);
    }

    static NbdProtocolException badMagic(String what, long got, long expected) {
        return new NbdProtocolException(String.format("bad %s: got 0x%016x, expected 0x%016x", what, got, expected));
    }
}
