package net.flexnbd.proxy;

import net.flexnbd.protocol.Nbd;

/**
 * Which of the upstream's transmission flags the proxy passes on to its clients: those for
 * commands it forwards untouched. Flags that need a negotiation the proxy does not make with
 * its clients (resizing, extended headers) are taken off, so that no client sends a request
 * whose reply the proxy could not parse. DF is taken off too: the proxy's handshake adds it
 * for each client that negotiates structured replies, which the proxy offers only when the
 * upstream has DF with them.
 */
final class ExportFlags {
    private ExportFlags() {}

    /** NBD_FLAG_SEND_CACHE (bit 10): CACHE has a simple reply and passes through. */
    static final int SEND_CACHE = 1 << 10;

    static final int PASSED_ON = Nbd.TFLAG_HAS_FLAGS | Nbd.TFLAG_READ_ONLY | Nbd.TFLAG_SEND_FLUSH
            | Nbd.TFLAG_SEND_FUA | Nbd.TFLAG_ROTATIONAL | Nbd.TFLAG_SEND_TRIM | Nbd.TFLAG_SEND_WRITE_ZEROES
            | Nbd.TFLAG_CAN_MULTI_CONN | SEND_CACHE | Nbd.TFLAG_SEND_FAST_ZERO;

    static int forClients(int upstreamFlags) {
        return (upstreamFlags & PASSED_ON) | Nbd.TFLAG_HAS_FLAGS;
    }
}
