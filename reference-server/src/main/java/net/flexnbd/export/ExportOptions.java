package net.flexnbd.export;

import java.util.Objects;

/**
 * How the served file is offered to clients, beyond its size: read-only or not, and the
 * description NBD_INFO_DESCRIPTION gives a client that asks.
 *
 * @param readOnly    advertise NBD_FLAG_READ_ONLY and refuse WRITE, TRIM and WRITE_ZEROES with EPERM
 * @param description free text for NBD_INFO_DESCRIPTION; empty sends none
 */
public record ExportOptions(boolean readOnly, String description) {
    /** Read-write, no description. */
    public static final ExportOptions DEFAULTS = new ExportOptions(false, "");

    /** The longest description sent: the NBD spec's limit for strings. */
    public static final int MAX_DESCRIPTION_BYTES = 4096;

    public ExportOptions {
        Objects.requireNonNull(description, "description");
        int bytes = description.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_DESCRIPTION_BYTES) {
            throw new IllegalArgumentException("description (" + bytes + " bytes in UTF-8) must be at most "
                    + MAX_DESCRIPTION_BYTES + " bytes");
        }
    }
}
