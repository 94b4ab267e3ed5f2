package net.flexnbd.protocol;

/**
 * What the handshake tells a client about the export.
 *
 * @param name              export name listed by NBD_OPT_LIST (any name is accepted)
 * @param size              size in bytes, a multiple of 512
 * @param transmissionFlags the 16-bit transmission flags, including {@link Nbd#TFLAG_HAS_FLAGS}
 */
public record ExportDescription(String name, long size, int transmissionFlags) {
    public ExportDescription {
        if (size < 0) {
            throw new IllegalArgumentException("size (" + size + ") must not be negative");
        }
    }
}
