package net.flexnbd.protocol;

import java.util.Objects;

/**
 * What the handshake tells a client about the export.
 *
 * @param name              export name listed by NBD_OPT_LIST and sent as NBD_INFO_NAME (which names
 *                          find it is the {@link ExportCatalogue}'s business)
 * @param description       NBD_INFO_DESCRIPTION for clients that ask; empty for none
 * @param size              size in bytes, a multiple of 512
 * @param transmissionFlags the 16-bit transmission flags, including {@link Nbd#TFLAG_HAS_FLAGS};
 *                          {@link Nbd#TFLAG_SEND_DF} is added by the handshake for clients that
 *                          negotiate structured replies
 */
public record ExportDescription(String name, String description, long size, int transmissionFlags) {
    public ExportDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        if (size < 0) {
            throw new IllegalArgumentException("size (" + size + ") must not be negative");
        }
    }

    /** An export without a description. */
    public ExportDescription(String name, long size, int transmissionFlags) {
        this(name, "", size, transmissionFlags);
    }

    /** The same export under another name. */
    public ExportDescription withName(String newName) {
        return new ExportDescription(newName, description, size, transmissionFlags);
    }

    /** The flags a client is told, given whether it negotiated structured replies. */
    int transmissionFlags(Negotiation negotiation) {
        return negotiation.structuredReplies() ? transmissionFlags | Nbd.TFLAG_SEND_DF : transmissionFlags;
    }
}
