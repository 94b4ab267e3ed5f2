package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The answers about the export itself: NBD_OPT_LIST, NBD_OPT_INFO and NBD_OPT_GO, and the
 * NBD_OPT_EXPORT_NAME reply. The transmission flags depend on what the client negotiated
 * (SEND_DF comes with structured replies), so each answer is given the negotiation.
 */
final class ExportAnswers {
    private final ExportDescription export;

    ExportAnswers(ExportDescription export) {
        this.export = export;
    }

    OptionResponder.Next exportName(ByteBuf out, Negotiation negotiation, boolean noZeroes) {
        Hello.writeExportNameReply(out, export, export.transmissionFlags(negotiation), noZeroes);
        return OptionResponder.Next.TRANSMISSION;
    }

    OptionResponder.Next list(int option, ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            return OptionResponder.invalid(out, option, "NBD_OPT_LIST takes no data");
        }
        OptionReplies.writeServer(out, option, export.name());
        OptionReplies.writeAck(out, option);
        return OptionResponder.Next.HAGGLE;
    }

    /** NBD_OPT_INFO and NBD_OPT_GO: the export's size and flags, the items asked for, block sizes. */
    OptionResponder.Next info(int option, ByteBuf data, Negotiation negotiation, ByteBuf out) {
        var request = InfoRequest.parse(data);
        if (request.isEmpty()) {
            return OptionResponder.invalid(out, option, "malformed NBD_OPT_INFO/NBD_OPT_GO data");
        }
        OptionReplies.writeInfoExport(out, option, export.size(), export.transmissionFlags(negotiation));
        if (request.get().requestedInfo().contains(Nbd.INFO_NAME)) {
            OptionReplies.writeInfoString(out, option, Nbd.INFO_NAME, export.name());
        }
        if (request.get().requestedInfo().contains(Nbd.INFO_DESCRIPTION) && !export.description().isEmpty()) {
            OptionReplies.writeInfoString(out, option, Nbd.INFO_DESCRIPTION, export.description());
        }
        OptionReplies.writeInfoBlockSize(out, option);
        OptionReplies.writeAck(out, option);
        return option == Nbd.OPT_GO ? OptionResponder.Next.TRANSMISSION : OptionResponder.Next.HAGGLE;
    }
}
