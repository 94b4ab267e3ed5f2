package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * Writes option replies (magic, option, reply type, length, data) during new-style
 * negotiation; several may go into one buffer so that a GO answer leaves in one write.
 */
final class OptionReplies {
    private OptionReplies() {}

    /** Length of an option reply header: magic(8) option(4) type(4) length(4). */
    static final int HEADER_LENGTH = 20;
    /** NBD_REP_INFO data for NBD_INFO_EXPORT: type(2) size(8) flags(2). */
    static final int INFO_EXPORT_LENGTH = 12;
    /** NBD_REP_INFO data for NBD_INFO_BLOCK_SIZE: type(2) minimum(4) preferred(4) maximum(4). */
    static final int INFO_BLOCK_SIZE_LENGTH = 14;

    static void writeAck(ByteBuf out, int option) {
        writeHeader(out, option, Nbd.REP_ACK, 0);
    }

    /** An error reply whose data is a human-readable message, as the spec allows. */
    static void writeError(ByteBuf out, int option, int errorType, String message) {
        int length = ByteBufUtil.utf8Bytes(message);
        writeHeader(out, option, errorType, length);
        out.writeCharSequence(message, StandardCharsets.UTF_8);
    }

    /**
     * One NBD_REP_SERVER entry naming an export, for NBD_OPT_LIST; {@code details} (a text for
     * people, the export's description) fills the rest of the entry, and may be empty.
     */
    static void writeServer(ByteBuf out, int option, String exportName, String details) {
        int nameLength = ByteBufUtil.utf8Bytes(exportName);
        writeHeader(out, option, Nbd.REP_SERVER, 4 + nameLength + ByteBufUtil.utf8Bytes(details));
        out.writeInt(nameLength);
        out.writeCharSequence(exportName, StandardCharsets.UTF_8);
        out.writeCharSequence(details, StandardCharsets.UTF_8);
    }

    static void writeInfoExport(ByteBuf out, int option, long size, int transmissionFlags) {
        writeHeader(out, option, Nbd.REP_INFO, INFO_EXPORT_LENGTH);
        out.writeShort(Nbd.INFO_EXPORT).writeLong(size).writeShort(transmissionFlags);
    }

    /** NBD_INFO_NAME or NBD_INFO_DESCRIPTION: the type, then the string filling the rest. */
    static void writeInfoString(ByteBuf out, int option, int infoType, String text) {
        int length = ByteBufUtil.utf8Bytes(text);
        writeHeader(out, option, Nbd.REP_INFO, 2 + length);
        out.writeShort(infoType);
        out.writeCharSequence(text, StandardCharsets.UTF_8);
    }

    /** One NBD_REP_META_CONTEXT: the context id, then its name filling the rest. */
    static void writeMetaContext(ByteBuf out, int option, int contextId, String name) {
        int length = ByteBufUtil.utf8Bytes(name);
        writeHeader(out, option, Nbd.REP_META_CONTEXT, 4 + length);
        out.writeInt(contextId);
        out.writeCharSequence(name, StandardCharsets.UTF_8);
    }

    static void writeInfoBlockSize(ByteBuf out, int option) {
        writeHeader(out, option, Nbd.REP_INFO, INFO_BLOCK_SIZE_LENGTH);
        out.writeShort(Nbd.INFO_BLOCK_SIZE)
                .writeInt(Nbd.MIN_BLOCK_SIZE)
                .writeInt(Nbd.PREFERRED_BLOCK_SIZE)
                .writeInt(Nbd.MAX_PAYLOAD);
    }

    /** The answer to flexnbd's handover option: what this server holds for the sender's token. */
    static void writeHandover(ByteBuf out, int option, HandoverState held) {
        writeHeader(out, option, Nbd.REP_FLEXNBD_HANDOVER, 1);
        out.writeByte(held.wireValue());
    }

    private static void writeHeader(ByteBuf out, int option, int replyType, int length) {
        out.writeLong(Nbd.OPTION_REPLY_MAGIC).writeInt(option).writeInt(replyType).writeInt(length);
    }
}
