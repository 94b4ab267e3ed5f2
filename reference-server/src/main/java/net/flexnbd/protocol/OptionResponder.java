package net.flexnbd.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Answers the options of fixed new-style haggling, one at a time, by handing each to the
 * type that knows it: {@link ExportAnswers} (which remembers the export picked),
 * {@link ContextAnswers} (which remembers the contexts agreed) and {@link HandoverAnswer}. It only writes replies into a buffer and
 * says what happens next; {@link OptionHaggling} does the I/O. Every path is listed in
 * docs/protocol.md.
 */
final class OptionResponder {
    /** What the handshake does after sending the answer. */
    enum Next { HAGGLE, TRANSMISSION, CLOSE }

    private final boolean offerStructuredReplies;
    private final ExportAnswers exports;
    private final ContextAnswers contexts;
    private final HandoverAnswer handover;

    /**
     * @param offered        whether the server behind can send structured replies (without,
     *                       NBD_OPT_STRUCTURED_REPLY and the metadata context options are
     *                       unsupported), and whether it has base:allocation (without, those
     *                       options match no context)
     * @param handoverTokens what this server holds for a migration sender's token
     *                       ({@link Nbd#OPT_FLEXNBD_HANDOVER})
     */
    OptionResponder(ExportCatalogue catalogue, Negotiation offered, HandoverTokens handoverTokens) {
        this.offerStructuredReplies = offered.structuredReplies();
        this.exports = new ExportAnswers(catalogue);
        this.contexts = new ContextAnswers(catalogue, offered.baseAllocation());
        this.handover = new HandoverAnswer(handoverTokens);
    }

    /** Options whose data the handshake reads and passes to {@link #answer}; others get ERR_UNSUP unread. */
    boolean isSupported(int option) {
        return switch (option) {
            case Nbd.OPT_EXPORT_NAME, Nbd.OPT_ABORT, Nbd.OPT_LIST, Nbd.OPT_INFO, Nbd.OPT_GO,
                    Nbd.OPT_FLEXNBD_HANDOVER -> true;
            case Nbd.OPT_STRUCTURED_REPLY, Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> offerStructuredReplies;
            default -> false;
        };
    }

    /** What was negotiated so far, for the export picked (the default until GO or EXPORT_NAME). */
    Negotiation negotiation() {
        return contexts.negotiation(exports.chosenName());
    }

    /** The export picked by GO or EXPORT_NAME; the default one before. */
    ExportDescription chosenExport() {
        return exports.chosen();
    }

    /**
     * Writes the answer to one supported option into {@code out}.
     *
     * @param noZeroes the client declined the 124 zero bytes after NBD_OPT_EXPORT_NAME's answer
     */
    Next answer(int option, ByteBuf data, boolean noZeroes, ByteBuf out) {
        return switch (option) {
            case Nbd.OPT_EXPORT_NAME -> exports.exportName(data, out, negotiation(), noZeroes);
            case Nbd.OPT_ABORT -> {
                OptionReplies.writeAck(out, option);
                yield Next.CLOSE;
            }
            case Nbd.OPT_LIST -> exports.list(option, data, out);
            case Nbd.OPT_INFO, Nbd.OPT_GO -> exports.info(option, data, negotiation(), out);
            case Nbd.OPT_STRUCTURED_REPLY -> contexts.structuredReply(option, data, out);
            case Nbd.OPT_LIST_META_CONTEXT, Nbd.OPT_SET_META_CONTEXT -> contexts.metaContext(option, data, out);
            case Nbd.OPT_FLEXNBD_HANDOVER -> handover.answer(option, data, out);
            default -> throw new IllegalStateException("option " + option + " passed isSupported but has no answer");
        };
    }

    /** NBD_REP_ERR_INVALID with {@code message}; haggling goes on. */
    static Next invalid(ByteBuf out, int option, String message) {
        OptionReplies.writeError(out, option, Nbd.REP_ERR_INVALID, message);
        return Next.HAGGLE;
    }
}
