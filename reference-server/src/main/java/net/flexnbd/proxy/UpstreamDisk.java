package net.flexnbd.proxy;

import java.util.OptionalInt;
import net.flexnbd.protocol.Nbd;
import net.flexnbd.protocol.Negotiation;

/**
 * What an upstream's handshake said about its export, and which reply extensions the
 * connection agreed to. Two upstreams serve the same disk to the proxy's clients only when
 * the size and the flags are the same; SEND_DF does not count, as it comes and goes with
 * structured replies.
 *
 * @param size              export size in bytes
 * @param flags             the upstream's 16-bit transmission flags, as sent
 * @param structuredReplies the connection agreed to NBD_OPT_STRUCTURED_REPLY
 * @param baseAllocationId  the id the upstream gave base:allocation; empty when not selected
 */
record UpstreamDisk(long size, int flags, boolean structuredReplies, OptionalInt baseAllocationId) {
    /** A connection with simple replies only. */
    UpstreamDisk(long size, int flags) {
        this(size, flags, false, OptionalInt.empty());
    }

    /**
     * Whether the proxy can offer its clients structured replies: the upstream has them, with
     * SEND_DF, which the proxy's handshake announces to every client that takes them.
     */
    boolean offersStructuredReplies() {
        return structuredReplies && (flags & Nbd.TFLAG_SEND_DF) != 0;
    }

    /** Whether the proxy can offer its clients base:allocation (and so NBD_CMD_BLOCK_STATUS). */
    boolean offersBaseAllocation() {
        return offersStructuredReplies() && baseAllocationId.isPresent();
    }

    /** Why {@code other} is not this disk, or null when it is. */
    String differenceFrom(UpstreamDisk other) {
        if (size != other.size) {
            return "size " + other.size + " instead of " + size;
        }
        int mine = flags & ~Nbd.TFLAG_SEND_DF;
        int theirs = other.flags & ~Nbd.TFLAG_SEND_DF;
        if (mine != theirs) {
            return String.format("flags 0x%04x instead of 0x%04x", theirs, mine);
        }
        return null;
    }

    /** What of {@code wanted} this connection did not agree to, or null when it agreed to all. */
    String missing(Negotiation wanted) {
        if (wanted.structuredReplies() && !structuredReplies) {
            return "no structured replies, which the client negotiated";
        }
        if (wanted.baseAllocation() && baseAllocationId.isEmpty()) {
            return "no base:allocation context, which the client selected";
        }
        return null;
    }
}
