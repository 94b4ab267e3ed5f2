package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers about the exports: NBD_OPT_LIST, NBD_OPT_INFO and NBD_OPT_GO, and the
 * NBD_OPT_EXPORT_NAME reply; and which export the client picked. The transmission flags
 * depend on what the client negotiated (SEND_DF comes with structured replies), so each
 * answer is given the negotiation.
 */
final class ExportAnswers {
    private static final Logger log = LoggerFactory.getLogger(ExportAnswers.class);

    private final ExportCatalogue exports;
    /** The export NBD_OPT_GO or NBD_OPT_EXPORT_NAME picked; the default until one does. */
    private ExportDescription chosen;

    ExportAnswers(ExportCatalogue exports) {
        this.exports = exports;
        this.chosen = exports.defaultExport();
    }

    /** The export transmission is for, once GO or EXPORT_NAME has answered. */
    ExportDescription chosen() {
        return chosen;
    }

    String chosenName() {
        return chosen.name();
    }

    /** An unknown name has no error reply here: the connection closes, as the NBD protocol says. */
    OptionResponder.Next exportName(ByteBuf data, ByteBuf out, Negotiation negotiation, boolean noZeroes) {
        Optional<ExportDescription> export = decode(data).flatMap(exports::find);
        if (export.isEmpty()) {
            log.info("NBD_OPT_EXPORT_NAME asks for an export this server does not have; closing");
            return OptionResponder.Next.CLOSE;
        }
        chosen = export.get();
        Hello.writeExportNameReply(out, chosen, chosen.transmissionFlags(negotiation), noZeroes);
        return OptionResponder.Next.TRANSMISSION;
    }

    /** One NBD_REP_SERVER per export, with its description as the entry's details. */
    OptionResponder.Next list(int option, ByteBuf data, ByteBuf out) {
        if (data.isReadable()) {
            return OptionResponder.invalid(out, option, "NBD_OPT_LIST takes no data");
        }
        for (ExportDescription export : exports.listed()) {
            OptionReplies.writeServer(out, option, export.name(), export.description());
        }
        OptionReplies.writeAck(out, option);
        return OptionResponder.Next.HAGGLE;
    }

    /** NBD_OPT_INFO and NBD_OPT_GO: the export's size and flags, the items asked for, block sizes. */
    OptionResponder.Next info(int option, ByteBuf data, Negotiation negotiation, ByteBuf out) {
        var request = InfoRequest.parse(data);
        if (request.isEmpty()) {
            return OptionResponder.invalid(out, option, "malformed NBD_OPT_INFO/NBD_OPT_GO data");
        }
        Optional<ExportDescription> found = exports.find(request.get().exportName());
        if (found.isEmpty()) {
            OptionReplies.writeError(out, option, Nbd.REP_ERR_UNKNOWN,
                    "no export named '" + Utf8.truncate(request.get().exportName(), 256) + "'");
            return OptionResponder.Next.HAGGLE;
        }
        ExportDescription export = found.get();
        OptionReplies.writeInfoExport(out, option, export.size(), export.transmissionFlags(negotiation));
        if (request.get().requestedInfo().contains(Nbd.INFO_NAME)) {
            OptionReplies.writeInfoString(out, option, Nbd.INFO_NAME, export.name());
        }
        if (request.get().requestedInfo().contains(Nbd.INFO_DESCRIPTION) && !export.description().isEmpty()) {
            OptionReplies.writeInfoString(out, option, Nbd.INFO_DESCRIPTION, export.description());
        }
        OptionReplies.writeInfoBlockSize(out, option);
        OptionReplies.writeAck(out, option);
        if (option == Nbd.OPT_GO) {
            chosen = export;
            return OptionResponder.Next.TRANSMISSION;
        }
        return OptionResponder.Next.HAGGLE;
    }

    /** NBD_OPT_EXPORT_NAME's data as a name; empty when it is not UTF-8 (no export has such a name). */
    private static Optional<String> decode(ByteBuf data) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(data.nioBuffer())
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
