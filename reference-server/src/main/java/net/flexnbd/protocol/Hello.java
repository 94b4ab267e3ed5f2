package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The server's side of the handshake that is not an option reply: the two hellos and the
 * answer to NBD_OPT_EXPORT_NAME, each written straight into a buffer.
 */
final class Hello {
    private Hello() {}

    /** Handshake flags the server offers in the new-style hello. */
    static final int SERVER_FLAGS = Nbd.FLAG_FIXED_NEWSTYLE | Nbd.FLAG_NO_ZEROES;
    /** Length of the new-style hello: NBDMAGIC, IHAVEOPT, 16-bit flags. */
    static final int NEWSTYLE_LENGTH = 8 + 8 + 2;

    /** The 152-byte old-style hello: NBDMAGIC, old-style magic, size, 32-bit flags, zeroes. */
    static void writeOldstyle(ByteBuf out, ExportDescription export) {
        out.writeLong(Nbd.INIT_PASSWD)
                .writeLong(Nbd.OLDSTYLE_MAGIC)
                .writeLong(export.size())
                .writeInt(export.transmissionFlags())
                .writeZero(Nbd.HELLO_PADDING);
    }

    /** The fixed new-style hello, offering FIXED_NEWSTYLE and NO_ZEROES. */
    static void writeNewstyle(ByteBuf out) {
        out.writeLong(Nbd.INIT_PASSWD).writeLong(Nbd.IHAVEOPT).writeShort(SERVER_FLAGS);
    }

    /** The answer to NBD_OPT_EXPORT_NAME: size, 16-bit flags, and zeroes unless the client declined them. */
    static void writeExportNameReply(ByteBuf out, ExportDescription export, int transmissionFlags, boolean noZeroes) {
        out.writeLong(export.size()).writeShort(transmissionFlags);
        if (!noZeroes) {
            out.writeZero(Nbd.HELLO_PADDING);
        }
    }
}
