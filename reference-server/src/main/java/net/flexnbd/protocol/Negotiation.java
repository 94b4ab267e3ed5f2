package net.flexnbd.protocol;

/**
 * What a client and the server agreed during option haggling, which decides the replies
 * it may be sent in the transmission phase.
 *
 * @param structuredReplies the client negotiated NBD_OPT_STRUCTURED_REPLY: READ answers in
 *                          chunks, errors of READ and BLOCK_STATUS as error chunks
 * @param baseAllocation    the client selected {@code base:allocation} (with id
 *                          {@link Nbd#BASE_ALLOCATION_ID}), so it may send BLOCK_STATUS
 */
public record Negotiation(boolean structuredReplies, boolean baseAllocation) {
    /** Simple replies only, no metadata contexts: the old-style hello and NBD_OPT_EXPORT_NAME without options. */
    public static final Negotiation SIMPLE = new Negotiation(false, false);

    public Negotiation {
        if (baseAllocation && !structuredReplies) {
            throw new IllegalArgumentException("a metadata context needs structured replies");
        }
    }
}
